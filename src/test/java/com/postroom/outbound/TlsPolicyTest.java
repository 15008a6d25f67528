package com.postroom.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.postroom.config.Env;
import com.postroom.config.PostroomSettings;
import com.postroom.mail.Secret;
import com.postroom.mail.MailServer;
import com.postroom.mail.MailSessions;
import com.postroom.mail.TlsMode;
import com.postroom.support.Inboxes;
import com.postroom.support.SmtpFaultProxy;

/** STARTTLS is mandatory when configured: a server that does not offer it gets nothing, least of all a password. */
class TlsPolicyTest {

    static final GreenMail PLAINTEXT_ONLY = new GreenMail(
            new ServerSetup(SmtpFaultProxy.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));

    static {
        PLAINTEXT_ONLY.start();
    }

    @AfterAll
    static void stop() {
        PLAINTEXT_ONLY.stop();
    }

    @Test
    void aServerWithoutStartTlsIsRefusedInsteadOfUsedInPlaintext() {
        MailSessions sessions = new MailSessions(PostroomSettings.read(new Env(new MockEnvironment())).tlsCaFile());
        MailServer server = new MailServer("127.0.0.1", PLAINTEXT_ONLY.getSmtp().getPort(), TlsMode.STARTTLS,
                Optional.of("user@example.com"), Optional.of(Secret.of("pw")), Duration.ofSeconds(2),
                Duration.ofSeconds(5));
        try (SmtpConnection connection = new SmtpConnection(server, sessions)) {
            SmtpConnection.Result result = connection.send("user@example.com", List.of("to@example.com"),
                    "Subject: downgrade\r\n\r\nsecret content\r\n".getBytes());
            assertThat(result.code()).isZero();
            assertThat(result.reply()).containsIgnoringCase("STARTTLS");
        }
        assertThat(Inboxes.withSubjectContaining(PLAINTEXT_ONLY, "downgrade")).isEmpty();
    }
}
