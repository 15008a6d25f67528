package com.postroom.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.search.SubjectTerm;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.mock.env.MockEnvironment;

import com.postroom.PostroomApplication;
import com.postroom.config.Env;
import com.postroom.config.PostroomSettings;
import com.postroom.mail.Secret;
import com.postroom.mail.MailServer;
import com.postroom.mail.MailSessions;
import com.postroom.mail.TlsMode;
import com.postroom.support.Api;
import com.postroom.support.RealMailServer;

/**
 * Outbound against real Postfix (submission, STARTTLS required, SASL AUTH) delivering to real Dovecot (IMAPS), with
 * a self-signed CA trusted through MAIL_TLS_CA_FILE. Started by scripts/mailserver/start.sh.
 */
@ExtendWith(RealMailServer.Condition.class)
class RealMailServerIT {

    static RealMailServer server;
    static ConfigurableApplicationContext context;
    static Api api;
    static final String FOUNDER = "founder@postroom.test";

    @BeforeAll
    static void start() {
        server = RealMailServer.load();
        Map<String, Object> props = new java.util.HashMap<>(server.postroomProperties(FOUNDER));
        props.putAll(Map.of("POSTROOM_DATA_DIR", "target/it-data/real-" + UUID.randomUUID(), "SERVER_PORT", "0",
                "FOUNDER_EMAIL", FOUNDER, "BILLING_FROM_EMAIL", "billing@postroom.test",
                "POSTROOM_ADMIN_PASSWORD", "real-admin-password", "POSTROOM_ORG_NAME", "Real",
                "OUTBOX_RETRY_BASE_DELAY", "200ms", "OUTBOX_POLL_INTERVAL", "200ms"));
        context = new SpringApplicationBuilder(PostroomApplication.class).properties(props).run();
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        api = new Api(port).login(FOUNDER, "real-admin-password");
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
    }

    private static MailServer imaps(String user) {
        return new MailServer(server.host(), server.imapsPort(), TlsMode.IMPLICIT, Optional.of(user),
                Optional.of(Secret.of(server.password())), Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    private static int count(String user, String folderName, String subject) throws MessagingException {
        MailServer imap = imaps(user);
        try (Store store = context.getBean(MailSessions.class).connectImap(imap)) {
            Folder folder = store.getFolder(folderName);
            folder.open(Folder.READ_ONLY);
            try {
                Message[] found = folder.search(new SubjectTerm(subject));
                return (int) List.of(found).stream().filter(m -> {
                    try {
                        return subject.equals(m.getSubject());
                    } catch (MessagingException e) {
                        return false;
                    }
                }).count();
            } finally {
                folder.close(false);
            }
        }
    }

    @Test
    void mailSentOverStartTlsWithAuthReachesTheDovecotInboxOnceAndTheSentFolderOnce() throws Exception {
        String subject = "real server " + UUID.randomUUID();
        Api.Response r = api.post("/api/email/send", Map.of("sender", FOUNDER,
                "recipients", List.of("Alice Example <alice@postroom.test>"), "cc", List.of("bob@postroom.test"),
                "subject", subject, "body_plain", "Über TLS", "body_html", "<p>Über TLS</p>"));
        assertThat(r.status()).isEqualTo(201);
        String id = r.body().at("/message/id").asString();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                api.get("/api/email/outbound/" + id).body().path("status").asString().equals("sent"));
        assertThat(api.get("/api/email/outbound/" + id).body().at("/attempts/0/smtp_reply").asString())
                .contains("2.0.0");
        await().atMost(Duration.ofSeconds(20)).until(() -> count("alice@postroom.test", "INBOX", subject) == 1
                && count("bob@postroom.test", "INBOX", subject) == 1 && count(FOUNDER, "Sent", subject) == 1);
        Thread.sleep(1000);
        assertThat(count("alice@postroom.test", "INBOX", subject)).isEqualTo(1);
        assertThat(count(FOUNDER, "Sent", subject)).isEqualTo(1);
    }

    /**
     * Every kind of file arrives byte for byte through the real Postfix and Dovecot: an ASCII-only PDF (it went 7bit and
     * arrived with its line endings rewritten, 754 -> 789 bytes), CRLF and LF text with trailing spaces and a lone CR,
     * a line longer than SMTP allows, a line holding only a dot, UTF-16, binary. The Sent copy lists the same files.
     */
    @Test
    void everyKindOfFileArrivesByteIdenticalAndTheSentCopyListsIt() throws Exception {
        java.util.Random random = new java.util.Random(7);
        byte[] binary = new byte[40_000];
        random.nextBytes(binary);
        Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        files.put("statement.pdf", ("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj   \n2 0 obj\r\nstream\rBT (Balance) Tj ET\n"
                + "endstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        files.put("claims.csv", "id;amount  \r\n1;120.00\r\n2;80.50 \r\n3;0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        files.put("notes.txt", ("line one\n.\n" + "x".repeat(1500) + "\nend\n\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        files.put("utf16.txt", "\uFEFFPatient Müller".getBytes(java.nio.charset.StandardCharsets.UTF_16LE));
        files.put("scan.png", binary);
        String subject = "files " + UUID.randomUUID();
        long org = context.getBean(com.postroom.org.Organizations.class).primary().orElseThrow().id();
        OutboundDraft.Builder draft = OutboundDraft.builder(org, com.postroom.mail.Identities.Flow.FOUNDER)
                .to(List.of("alice@postroom.test")).subject(subject).text("Your files.");
        files.forEach((name, bytes) -> draft.attach(Attachment.file(name, name.endsWith(".pdf") ? "application/pdf"
                : name.endsWith(".png") ? "image/png" : name.endsWith(".csv") ? "text/csv" : "text/plain", bytes)));
        UUID id = context.getBean(SendingCore.class).queue(draft.build()).message().id();

        await().atMost(Duration.ofSeconds(30)).until(() -> count("alice@postroom.test", "INBOX", subject) == 1);
        Map<String, String> received = new java.util.TreeMap<>();
        try (Store store = context.getBean(MailSessions.class).connectImap(imaps("alice@postroom.test"))) {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            Message m = inbox.search(new SubjectTerm(subject))[0];
            jakarta.mail.Multipart mixed = (jakarta.mail.Multipart) m.getContent();
            for (int i = 0; i < mixed.getCount(); i++) {
                jakarta.mail.BodyPart part = mixed.getBodyPart(i);
                if (part.getFileName() != null) {
                    try (java.io.InputStream in = part.getInputStream()) {
                        received.put(part.getFileName(), sha256(in.readAllBytes()));
                    }
                }
            }
            inbox.close(false);
        }
        Map<String, String> sent = new java.util.TreeMap<>();
        files.forEach((name, bytes) -> sent.put(name, sha256(bytes)));
        assertThat(received).isEqualTo(sent);

        org.springframework.jdbc.core.simple.JdbcClient jdbc =
                context.getBean(org.springframework.jdbc.core.simple.JdbcClient.class);
        assertThat(jdbc.sql("SELECT has_attachments FROM email_message WHERE id = ?").param(id)
                .query(Boolean.class).single()).isTrue();
        Map<String, String> listed = new java.util.TreeMap<>();
        jdbc.sql("SELECT filename, sha256 FROM email_attachment WHERE message_id = ?").param(id)
                .query(rs -> {
                    listed.put(rs.getString(1), rs.getString(2));
                });
        assertThat(listed).isEqualTo(sent);
    }

    /**
     * Postfix offers CHUNKING, so the workers send a message's content as BDAT in the write that carries its envelope:
     * its lines that start with a dot go as they are (DATA would have doubled them), and a dot added or lost on the
     * way would show in what Dovecot holds. Postfix's log counts the BDAT when the session ends.
     */
    @Test
    void postfixTakesAMessageAsBdatAndItsDotsArriveAsTheyWere() throws Exception {
        String subject = "chunk " + UUID.randomUUID();
        String text = ".starts with a dot\r\n..two dots\r\n.\r\nthe end\r\n";
        byte[] mime = ("From: " + FOUNDER + "\r\nTo: alice@postroom.test\r\nSubject: " + subject + "\r\nMessage-ID: <"
                + UUID.randomUUID() + "@postroom.test>\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + text)
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        MailServer smtp = context.getBean(com.postroom.mail.MailEndpoints.class).smtp().orElseThrow();
        long chunkedBefore = chunkedSessions();
        try (SmtpSession session = SmtpSession.open(smtp, context.getBean(MailSessions.class), true)) {
            assertThat(session.offers("CHUNKING")).isTrue();
            assertThat(session.send(FOUNDER, List.of("alice@postroom.test"), mime).code()).isEqualTo(250);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> count("alice@postroom.test", "INBOX", subject) == 1);
        try (Store store = context.getBean(MailSessions.class).connectImap(imaps("alice@postroom.test"))) {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            Message m = inbox.search(new SubjectTerm(subject))[0];
            try (java.io.InputStream in = m.getInputStream()) {
                assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).replace("\r\n", "\n"))
                        .isEqualTo(text.replace("\r\n", "\n"));
            }
            inbox.close(false);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> chunkedSessions() > chunkedBefore);
    }

    /** Postfix sessions whose disconnect line counts a BDAT. */
    private static long chunkedSessions() throws java.io.IOException {
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(server.postfixLog())) {
            return lines.filter(l -> l.contains(" disconnect from ") && l.contains(" bdat=")).count();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void draftsAreMirroredToDovecotsDraftsFolderAndLeaveItWhenDiscarded() throws Exception {
        com.postroom.store.Messages messages = context.getBean(com.postroom.store.Messages.class);
        long org = context.getBean(com.postroom.org.Organizations.class).primary().orElseThrow().id();
        org.springframework.jdbc.core.simple.JdbcClient jdbc =
                context.getBean(org.springframework.jdbc.core.simple.JdbcClient.class);
        String subject = "real draft " + UUID.randomUUID();
        UUID thread = context.getBean(com.postroom.store.Threads.class).create(org, subject).id();
        UUID draft = messages.insertDraft(new com.postroom.store.Messages.Draft(org, null, thread, FOUNDER,
                List.of("alice@postroom.test"), List.of(), List.of(), subject, "draft body"));
        String pause = "UPDATE email_message SET updated_at = updated_at - interval '10 seconds' WHERE id = ?";
        jdbc.sql(pause).param(draft).update();
        await().atMost(Duration.ofSeconds(20)).until(() -> count(FOUNDER, "Drafts", subject) == 1);

        String edited = subject + " (edited)";
        messages.updateDraft(draft, new com.postroom.store.Messages.Draft(org, null, thread, FOUNDER,
                List.of("alice@postroom.test"), List.of(), List.of(), edited, "draft body, more"));
        jdbc.sql(pause).param(draft).update();
        await().atMost(Duration.ofSeconds(20)).until(() -> count(FOUNDER, "Drafts", edited) == 1
                && count(FOUNDER, "Drafts", subject) == 0);

        messages.discardDraft(org, draft);
        await().atMost(Duration.ofSeconds(20)).until(() -> count(FOUNDER, "Drafts", edited) == 0);
    }

    @Test
    void healthReportsSmtpAndImapUpThroughTls() {
        Api.Response health = api.get("/actuator/health");
        assertThat(health.body().at("/components/smtp/status").asString()).isEqualTo("UP");
        assertThat(health.body().at("/components/imap/status").asString()).isEqualTo("UP");
    }

    @Test
    void anUntrustedCertificateIsRefusedWhenTheCaIsNotConfigured() {
        MailSessions withoutCa = new MailSessions(PostroomSettings.read(new Env(new MockEnvironment())).tlsCaFile());
        MailServer smtp = new MailServer(server.host(), server.submissionPort(), TlsMode.STARTTLS,
                Optional.of(FOUNDER), Optional.of(Secret.of(server.password())), Duration.ofSeconds(5),
                Duration.ofSeconds(10));
        assertThatThrownBy(() -> {
            try (Transport t = withoutCa.smtp(smtp).getTransport()) {
                t.connect(smtp.host(), smtp.port(), FOUNDER, server.password());
            }
        }).isInstanceOf(MessagingException.class)
                .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
    }

    @Test
    void aWrongPasswordDefersWithAClearReasonAndNoSecretInIt() throws Exception {
        try (ConfigurableApplicationContext wrong = new SpringApplicationBuilder(PostroomApplication.class)
                .web(org.springframework.boot.WebApplicationType.NONE)
                .properties(Map.of("DATABASE_URL", context.getBean(com.zaxxer.hikari.HikariDataSource.class).getJdbcUrl(),
                        "DATABASE_USERNAME", "postgres",
                        "DATABASE_PASSWORD", context.getBean(com.zaxxer.hikari.HikariDataSource.class).getPassword(),
                        "POSTROOM_SECRET_KEY", "x".repeat(40), "SMTP_HOST", server.host(),
                        "SMTP_PORT", String.valueOf(server.submissionPort()), "SMTP_USERNAME", FOUNDER,
                        "SMTP_PASSWORD", "definitely-wrong-password", "MAIL_TLS_CA_FILE", server.caFile(),
                        "FOUNDER_EMAIL", FOUNDER))
                .run()) {
            MailServer smtp = wrong.getBean(com.postroom.mail.MailEndpoints.class).smtp().orElseThrow();
            SmtpConnection connection = new SmtpConnection(smtp, wrong.getBean(MailSessions.class));
            SmtpConnection.Result result = connection.send(FOUNDER, List.of("alice@postroom.test"),
                    "Subject: x\r\n\r\nx\r\n".getBytes());
            connection.close();
            assertThat(result.code()).isZero();
            assertThat(result.reply()).startsWith("SMTP login failed").doesNotContain("definitely-wrong-password");
        }
    }
}
