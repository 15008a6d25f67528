package com.postroom.deliverability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.mock.env.MockEnvironment;

import com.postroom.config.Env;
import com.postroom.config.PostroomSettings;
import com.postroom.mail.Secret;
import com.postroom.mail.EmailAddress;
import com.postroom.mail.MailServer;
import com.postroom.mail.MailSessions;
import com.postroom.support.FakeDns;
import com.postroom.support.RealMailServer;

/**
 * The doctor against the real Postfix and Dovecot of scripts/mailserver: STARTTLS on the receiving port and on
 * submission (where it is required), IMAPS, the private CA through MAIL_TLS_CA_FILE, real SMTP AUTH and IMAP LOGIN
 * (right and wrong passwords), and a round trip through Postfix into Dovecot with the probe expunged after.
 */
@ExtendWith(RealMailServer.Condition.class)
class DoctorRealIT {

    static final String FOUNDER = "founder@postroom.test";
    static RealMailServer server;
    static FakeDns dns;
    static PostroomSettings settings;
    static MailSessions sessions;

    @BeforeAll
    static void start() {
        server = RealMailServer.load();
        dns = FakeDns.start();
        dns.mx("postroom.test", 10, server.host()).a(server.host(), "127.0.0.1").ptr("127.0.0.1", server.host());
        MockEnvironment env = new MockEnvironment();
        server.postroomProperties(FOUNDER).forEach((k, v) -> env.setProperty(k, String.valueOf(v)));
        env.setProperty("DNS_RESOLVER", dns.address());
        env.setProperty("DOCTOR_PORTS", "smtp=" + server.plainSmtpPort() + ",submission=" + server.submissionPort()
                + ",imaps=" + server.imapsPort());
        env.setProperty("DNS_BLOCKLISTS", "zen.bl.test");
        env.setProperty("DNS_DOMAIN_BLOCKLISTS", "dbl.bl.test");
        settings = PostroomSettings.read(new Env(env));
        sessions = new MailSessions(settings.tlsCaFile());
    }

    @AfterAll
    static void stop() {
        if (dns != null) {
            dns.close();
        }
    }

    static Check check(Report report, String id) {
        return report.checks().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void portsTlsAndLoginsOfARealMailServer() {
        Doctor doctor = new Doctor(settings.deliverability(), Dns.using(settings.deliverability().dnsResolver(),
                Duration.ofSeconds(1)), MailSessions.socketFactory(settings.tlsCaFile()), Optional.empty());
        MailServer wrong = new MailServer(server.host(), server.submissionPort(), settings.smtp().get().tls(),
                Optional.of(FOUNDER), Optional.of(Secret.of("not-the-password")), Duration.ofSeconds(5),
                Duration.ofSeconds(10));
        List<Doctor.Extra> extras = new ArrayList<>(List.of(
                DoctorTools.smtpLogin(sessions, settings.smtp().get(), settings.deliverability()),
                DoctorTools.imapLogin(sessions, settings.imap().get(), settings.deliverability()),
                new Doctor.Extra("login:wrong", "wrong", Duration.ofSeconds(10),
                        () -> LoginCheck.smtp(sessions, wrong, "login:wrong", "SMTP_PASSWORD"))));
        Report report = doctor.run("postroom.test", extras);

        assertThat(report.mailHost()).isEqualTo(server.host());
        // relay: the real Postfix, asked from loopback without authentication, refuses mail for example.net.
        for (String id : List.of("port:smtp", "port:submission", "port:imaps", "login:smtp", "login:imap", "relay")) {
            assertThat(check(report, id).status()).as(id + ": " + check(report, id).message()).isEqualTo(Status.OK);
        }
        assertThat(check(report, "port:submission").details().get("protocol")).asString().startsWith("TLSv1.");
        // Postfix's defaults (smtpd_tls_protocols = !SSLv2, !SSLv3) still agree to TLS 1.0 and 1.1 on port 25, as
        // `openssl s_client -starttls smtp -tls1` confirms against this same server: the probe must see it.
        assertThat(check(report, "tls-versions").status()).isEqualTo(Status.WARNING);
        assertThat(check(report, "tls-versions").details().get("accepted")).isEqualTo(List.of("TLS 1.0", "TLS 1.1"));
        assertThat(check(report, "login:wrong").status()).isEqualTo(Status.INVALID);
        assertThat(check(report, "login:wrong").message()).contains("refuses the login");
        assertThat(report.durationMs()).isLessThan(5000);
    }

    @Test
    void aRoundTripThroughPostfixIntoDovecotIsTimedAndTheProbeExpunged() throws Exception {
        List<String> tokens = new ArrayList<>();
        // Judged as a receiver would, with SPF and DMARC published for the domain and mail leaving from loopback:
        // Postfix does not sign here, so DKIM is none, and the aligned SPF pass carries DMARC.
        dns.txt("postroom.test", "v=spf1 ip4:127.0.0.1 -all").txt("_dmarc.postroom.test", "v=DMARC1; p=none");
        Dns judging = Dns.using(Optional.of(dns.address()), Duration.ofSeconds(1));
        Check c = RoundTrip.run(sessions, settings.smtp().get(), settings.imap().get(), EmailAddress.parse(FOUNDER),
                EmailAddress.parse(FOUNDER), Duration.ofSeconds(30), tokens::add,
                raw -> Alignment.judge(raw, judging, List.of(java.net.InetAddress.getLoopbackAddress())));
        assertThat(c.status()).as(c.message()).isEqualTo(Status.OK);
        assertThat(c.details()).containsEntry("removed", true);
        assertThat(c.details().get("computed_authentication_results")).asString()
                .contains("dkim=none").contains("spf=pass smtp.mailfrom=postroom.test").contains("dmarc=pass");
        assertThat(tokens).hasSize(1);
        try (Store store = sessions.connectImap(settings.imap().get())) {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            for (Message m : inbox.getMessages()) {
                assertThat(m.getHeader("X-Postroom-Probe")).as("the probe is gone").isNull();
            }
            inbox.close(false);
        }
        System.out.println("Round trip through Postfix into Dovecot: " + c.details().get("seconds") + " s");
    }
}
