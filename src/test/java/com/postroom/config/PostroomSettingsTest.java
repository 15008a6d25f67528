package com.postroom.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

import com.postroom.mail.Identities;
import com.postroom.mail.TlsMode;

class PostroomSettingsTest {

    private static PostroomSettings read(String... pairs) {
        MockEnvironment env = new MockEnvironment();
        for (int i = 0; i < pairs.length; i += 2) {
            env.setProperty(pairs[i], pairs[i + 1]);
        }
        return PostroomSettings.read(new Env(env));
    }

    @Test
    void noSmtpHostMeansSandboxMode() {
        assertThat(read().sandbox()).isTrue();
        assertThat(read("SMTP_HOST", "mail.example.com").sandbox()).isFalse();
    }

    @Test
    void submissionOnPort587RequiresStartTlsAndPort465IsImplicitTls() {
        assertThat(read("SMTP_HOST", "mail.example.com").smtp().orElseThrow().tls()).isEqualTo(TlsMode.STARTTLS);
        assertThat(read("SMTP_HOST", "mail.example.com", "SMTP_PORT", "465").smtp().orElseThrow().tls())
                .isEqualTo(TlsMode.IMPLICIT);
        assertThat(read("IMAP_HOST", "mail.example.com", "IMAP_USERNAME", "u", "IMAP_PASSWORD", "p").imap()
                .orElseThrow().tls()).isEqualTo(TlsMode.IMPLICIT);
    }

    @Test
    void plaintextAuthenticationToARemoteHostIsRefusedUnlessAllowed() {
        assertThatThrownBy(() -> read("SMTP_HOST", "mail.example.com", "SMTP_USE_TLS", "false",
                "SMTP_USERNAME", "u", "SMTP_PASSWORD", "p"))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageContaining("SMTP_USE_TLS=false").hasMessageContaining("plaintext")
                .hasMessageContaining("MAIL_ALLOW_INSECURE");
        assertThat(read("SMTP_HOST", "mail.example.com", "SMTP_USE_TLS", "false", "SMTP_USERNAME", "u",
                "SMTP_PASSWORD", "p", "MAIL_ALLOW_INSECURE", "true").smtp()).isPresent();
        assertThat(read("SMTP_HOST", "127.0.0.1", "SMTP_USE_TLS", "false", "SMTP_USERNAME", "u",
                "SMTP_PASSWORD", "p").smtp()).isPresent();
    }

    @Test
    void aWrongValueStopsStartUpWithOneSentenceNamingTheVariable() {
        assertThatThrownBy(() -> read("SMTP_HOST", "h.example.com", "SMTP_PORT", "smtp"))
                .hasMessage("SMTP_PORT must be a whole number from 1 to 65535, not 'smtp'.");
        assertThatThrownBy(() -> read("SMTP_USE_TLS", "maybe"))
                .hasMessage("SMTP_USE_TLS must be true or false, not 'maybe'.");
        assertThatThrownBy(() -> read("FOUNDER_EMAIL", "founder"))
                .hasMessageStartingWith("FOUNDER_EMAIL must be an email address");
        assertThatThrownBy(() -> read("DATABASE_URL", "mysql://db/x")).hasMessageStartingWith("DATABASE_URL");
        assertThatThrownBy(() -> read("IMAP_POLL_INTERVAL", "soon")).hasMessageStartingWith("IMAP_POLL_INTERVAL");
        assertThatThrownBy(() -> read("POSTROOM_SECRET_KEY", "short")).hasMessageStartingWith("POSTROOM_SECRET_KEY");
        assertThatThrownBy(() -> read("MAIL_TLS_CA_FILE", "/nonexistent/ca.pem"))
                .hasMessageStartingWith("MAIL_TLS_CA_FILE");
        assertThatThrownBy(() -> read("IMAP_HOST", "mail.example.com"))
                .hasMessageContaining("IMAP_USERNAME or IMAP_PASSWORD");
    }

    @Test
    void secretsComeFromTheEnvironmentOrFromAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("smtp-password");
        Files.writeString(file, "from-a-file\n");
        PostroomSettings s = read("SMTP_HOST", "mail.example.com", "SMTP_USERNAME", "u",
                "SMTP_PASSWORD_FILE", file.toString());
        assertThat(s.smtp().orElseThrow().password().orElseThrow().reveal()).isEqualTo("from-a-file");
        assertThat(s.smtp().orElseThrow().password().orElseThrow().toString()).isEqualTo("******");
        assertThatThrownBy(() -> read("SMTP_PASSWORD", "a", "SMTP_PASSWORD_FILE", file.toString()))
                .hasMessageContaining("set only one");
        assertThatThrownBy(() -> read("SMTP_PASSWORD_FILE", dir.resolve("missing").toString()))
                .hasMessageContaining("cannot be read");
    }

    @Test
    void identitiesFallBackInTheDocumentedOrder() {
        Identities ids = read("SMTP_HOST", "h.example.com", "SMTP_USERNAME", "relay@example.com",
                "FOUNDER_EMAIL", "founder@example.com").identities();
        assertThat(ids.sender(Identities.Flow.BILLING).orElseThrow().address()).isEqualTo("relay@example.com");
        Identities withFrom = read("SMTP_FROM_EMAIL", "from@example.com", "BILLING_FROM_EMAIL", "billing@example.com")
                .identities();
        assertThat(withFrom.sender(Identities.Flow.BILLING).orElseThrow().address()).isEqualTo("billing@example.com");
        assertThat(withFrom.sender(Identities.Flow.SUPPORT).orElseThrow().address()).isEqualTo("billing@example.com");
        assertThat(withFrom.sender(Identities.Flow.NOREPLY).orElseThrow().address()).isEqualTo("from@example.com");
        assertThat(read("FOUNDER_EMAIL", "f@example.com").identities().sender(Identities.Flow.GENERIC).orElseThrow()
                .address()).isEqualTo("f@example.com");
    }

    @Test
    void durationsAndSizesReadTheirUnits() {
        PostroomSettings s = read("OUTBOX_RETRY_FOR", "2d", "MAIL_MAX_MESSAGE_BYTES", "25MB",
                "IMAP_POLL_INTERVAL", "90");
        assertThat(s.outbound().retryFor()).isEqualTo(Duration.ofDays(2));
        assertThat(s.outbound().maxMessageBytes()).isEqualTo(25L * 1024 * 1024);
        assertThat(s.imapPollInterval()).isEqualTo(Duration.ofSeconds(90));
        assertThat(read("IMAP_SENT_FOLDER", "").imapSentFolder()).isEmpty();
        assertThat(read().imapSentFolder()).contains("Sent");
    }
}
