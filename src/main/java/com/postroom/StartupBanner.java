package com.postroom;

import java.lang.management.ManagementFactory;
import java.util.Locale;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import com.postroom.mail.MailEndpoints;
import com.postroom.org.Bootstrap;
import com.postroom.sandbox.Sandbox;

/**
 * What a newcomer needs once Postroom is up: the URL, how to sign in, whether mail really leaves the machine, and
 * how to point it at a real server. Printed to standard output, not the log, because it may hold the one-time
 * administrator password.
 */
@Component
class StartupBanner {

    private final Environment environment;
    private final MailEndpoints endpoints;
    private final Sandbox sandbox;
    private final Bootstrap bootstrap;

    StartupBanner(Environment environment, MailEndpoints endpoints, Sandbox sandbox, Bootstrap bootstrap) {
        this.environment = environment;
        this.endpoints = endpoints;
        this.sandbox = sandbox;
        this.bootstrap = bootstrap;
    }

    @EventListener(ApplicationReadyEvent.class)
    void print() {
        String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
        String url = "http://localhost:" + port;
        double seconds = (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1000.0;
        StringBuilder b = new StringBuilder("\n");
        String rule = "=".repeat(78);
        b.append(rule).append('\n');
        b.append(String.format(Locale.ROOT, " Postroom is ready at %s  (started in %.1f s)%n", url, seconds));
        b.append(" Sign in:  ").append(bootstrap.adminEmail());
        bootstrap.generatedPassword().ifPresentOrElse(
                p -> b.append(" / ").append(p.reveal()).append("   <- generated now, shown only this once\n"),
                () -> b.append(" (password: POSTROOM_ADMIN_PASSWORD, or the one shown at first start)\n"));
        b.append(" API:      curl -s -X POST ").append(url).append("/api/auth/login -H 'Content-Type: application/json'")
                .append(" -d '{\"email\":\"").append(bootstrap.adminEmail()).append("\",\"password\":\"...\"}'\n");
        if (endpoints.sandbox() && sandbox.server().isPresent()) {
            var server = sandbox.server().get();
            b.append('\n').append(" SANDBOX MODE: a built-in mail server on loopback; no mail leaves this machine.\n");
            b.append("   SMTP 127.0.0.1:").append(server.greenMail().getSmtp().getPort())
                    .append("   IMAP 127.0.0.1:").append(server.greenMail().getImap().getPort())
                    .append("   (any address is accepted)\n");
            server.mailboxes().forEach((address, password) -> b.append("   mailbox ").append(address)
                    .append(" / ").append(password.reveal()).append('\n'));
            b.append("   Mail sent to ").append(endpoints.identities().founder().map(Object::toString).orElse(""))
                    .append(" comes back in as inbound mail.\n");
            b.append(" To use a real mail server, set SMTP_HOST, SMTP_USERNAME, SMTP_PASSWORD, IMAP_HOST,\n")
                    .append(" IMAP_USERNAME, IMAP_PASSWORD and FOUNDER_EMAIL (see docs/configuration.md).\n");
        } else {
            endpoints.smtp().ifPresent(s -> b.append(" SMTP: ").append(s.describe()).append('\n'));
            endpoints.imap().ifPresentOrElse(s -> b.append(" IMAP: ").append(s.describe()).append('\n'),
                    () -> b.append(" IMAP: not configured (set IMAP_HOST to receive mail)\n"));
        }
        b.append(rule);
        System.out.println(b);
    }
}
