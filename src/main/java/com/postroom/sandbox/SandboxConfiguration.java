package com.postroom.sandbox;

import java.util.Optional;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import com.postroom.config.Env;
import com.postroom.mail.Identities;
import com.postroom.config.PostroomSettings;
import com.postroom.mail.MailEndpoints;

/** Chooses between the configured mail server and the sandbox, and exposes the result as {@link MailEndpoints}. */
@Configuration(proxyBeanMethods = false)
class SandboxConfiguration {

    static final int DEFAULT_SMTP_PORT = 2525;
    static final int DEFAULT_IMAP_PORT = 1143;

    @Bean(destroyMethod = "close")
    Sandbox sandboxMailServer(PostroomSettings settings, Environment environment) {
        if (!settings.sandbox()) {
            return new Sandbox(Optional.empty());
        }
        Env env = new Env(environment);
        return new Sandbox(Optional.of(SandboxMailServer.start(
                env.integer("SANDBOX_SMTP_PORT", DEFAULT_SMTP_PORT, 0, 65535),
                env.integer("SANDBOX_IMAP_PORT", DEFAULT_IMAP_PORT, 0, 65535), settings.dataDir().resolve("sandbox"))));
    }

    @Bean
    MailEndpoints mailEndpoints(PostroomSettings settings, Sandbox holder) {
        if (holder.server().isEmpty()) {
            return new MailEndpoints(settings.smtp(), settings.imap(), settings.identities(), false);
        }
        SandboxMailServer sandbox = holder.server().get();
        var connect = PostroomSettings.DEFAULT_CONNECT_TIMEOUT;
        var read = PostroomSettings.DEFAULT_READ_TIMEOUT;
        Identities identities = new Identities(Optional.of(sandbox.identity("founder")),
                Optional.of(sandbox.identity("billing")), Optional.of(sandbox.identity("support")),
                Optional.of(sandbox.identity("noreply")), Optional.empty(), Optional.empty());
        return new MailEndpoints(Optional.of(sandbox.smtp(connect, read)), Optional.of(sandbox.imap(connect, read)),
                identities, true, sandbox.mailboxes().keySet().stream()
                        .map(m -> sandbox.imapFor(m, connect, read)).toList());
    }
}
