package com.postroom.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import jakarta.mail.Address;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.icegreen.greenmail.util.GreenMail;
import com.postroom.api.Idempotency;
import com.postroom.sandbox.Sandbox;
import com.postroom.support.Api;
import com.postroom.support.Inboxes;
import com.postroom.support.SandboxTest;

@SandboxTest
class SendApiTest {

    @LocalServerPort
    int port;
    @Autowired
    Sandbox sandbox;
    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;
    @Autowired
    SendingCore core;
    @Autowired
    com.postroom.org.Organizations organizations;

    Api anonymous;
    Api api;
    GreenMail greenMail;

    @BeforeEach
    void setUp() {
        anonymous = new Api(port);
        api = anonymous.login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        greenMail = sandbox.server().orElseThrow().greenMail();
    }

    private static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private List<MimeMessage> received(String subject) {
        return Inboxes.withSubjectContaining(greenMail, subject).stream().filter(m -> {
            try {
                return subject.equals(m.getSubject());
            } catch (Exception e) {
                return false;
            }
        }).toList();
    }

    private Api.Response send(Map<String, Object> body) {
        return api.post("/api/email/send", body);
    }

    @Test
    void sentMailIsDeliveredOnceWithTheIdentityAndAMessageIdOnTheSendingDomain() throws Exception {
        String subject = "Grüße aus der Leitstelle " + unique();
        Api.Response r = send(Map.of("sender", "founder@postroom.test",
                "recipients", List.of("Jörg Müller <billing@postroom.test>"), "cc", List.of("support@postroom.test"),
                "bcc", List.of("noreply@postroom.test"), "subject", subject, "body_plain", "Hallo",
                "body_html", "<p>Hallo</p>"));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.body().at("/message/status").asString()).isEqualTo("queued");
        assertThat(r.body().at("/decision/decision").asString()).isEqualTo("ALLOW");
        assertThat(r.body().at("/decision/rule_ids/0").asString()).isEqualTo("EMAIL.SEND.ALLOW.v1");
        String id = r.body().at("/message/id").asString();

        // One copy per envelope recipient (To, Cc, Bcc): three.
        await().atMost(Duration.ofSeconds(10)).until(() -> received(subject).size() == 3);
        MimeMessage m = received(subject).get(0);
        assertThat(m.getMessageID()).endsWith("@postroom.test>").isEqualTo(r.body().at("/message/message_id").asString());
        assertThat(m.getHeader("Bcc")).isNull();
        Address from = m.getFrom()[0];
        assertThat(from.toString()).isEqualTo("founder@postroom.test");
        assertThat(m.getHeader("Subject")[0]).startsWith("=?UTF-8?");
        await().atMost(Duration.ofSeconds(5)).until(() ->
                api.get("/api/email/outbound/" + id).body().path("status").asString().equals("sent"));
        Api.Response status = api.get("/api/email/outbound/" + id);
        assertThat(status.body().at("/attempts/0/smtp_code").asInt()).isEqualTo(250);
        assertThat(status.body().path("accepted_recipients")).hasSize(3);
        Thread.sleep(500);
        assertThat(received(subject)).hasSize(3);
    }

    @Autowired
    GroupedSends grouped;

    @Test
    void concurrentSendsAreAcceptedTogetherAndEachIsDeliveredOnce() throws Exception {
        String run = unique();
        int count = 24;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Api.Response>> answers = IntStream.range(0, count)
                    .mapToObj(i -> pool.submit(() -> send(Map.of("recipients", List.of("billing@postroom.test"),
                            "subject", "together " + run + " " + i, "body_plain", "message " + i))))
                    .toList();
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                Api.Response r = answers.get(i).get();
                assertThat(r.status()).isEqualTo(201);
                // Each request is answered with its own message, whichever group carried it.
                assertThat(r.body().at("/message/subject").asString()).isEqualTo("together " + run + " " + i);
                ids.add(r.body().at("/message/id").asString());
            }
            assertThat(ids).doesNotHaveDuplicates();
            for (int i = 0; i < count; i++) {
                String subject = "together " + run + " " + i;
                await().atMost(Duration.ofSeconds(30)).until(() -> received(subject).size() == 1);
            }
            Thread.sleep(500);
            for (int i = 0; i < count; i++) {
                assertThat(received("together " + run + " " + i)).hasSize(1);
            }
            assertThat(jdbc.sql("SELECT count(*) FROM outbox o JOIN email_message m ON m.id = o.message_id "
                    + "WHERE m.subject LIKE ?").param("together " + run + " %").query(Long.class).single())
                    .isEqualTo(count);
            // Each message's send is audited once, with the user who sent it, whichever group carried it.
            List<String> audited = jdbc.sql("SELECT target_id || ' ' || coalesce(actor_email, '-') FROM audit_event "
                    + "WHERE action = 'email.message.sent' AND target_id = ANY(?)")
                    .param(ids.toArray(String[]::new)).query(String.class).list();
            assertThat(audited).containsExactlyInAnyOrderElementsOf(
                    ids.stream().map(id -> id + " " + SandboxTest.ADMIN).toList());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aGroupWhoseWriteFailsIsWrittenDraftByDraftSoOnlyTheCulpritFails() {
        long org = organizations.primary().orElseThrow().id();
        String run = unique();
        java.util.function.Function<Long, OutboundDraft> draft = createdBy -> OutboundDraft.builder(org,
                com.postroom.mail.Identities.Flow.NOREPLY).createdBy(createdBy).to(List.of("billing@postroom.test"))
                .subject("group " + run + " by " + createdBy).text("x").build();
        // A user id that does not exist breaks the message row's foreign key: a failed write, not a refusal.
        List<Object> results = grouped.writeAsOneGroup(List.of(draft.apply(null), draft.apply(987_654_321L),
                draft.apply(null)));
        assertThat(results.get(0)).isInstanceOf(SendingCore.Outcome.class);
        assertThat(results.get(1)).isInstanceOf(org.springframework.dao.DataIntegrityViolationException.class);
        assertThat(results.get(2)).isInstanceOf(SendingCore.Outcome.class);
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE subject LIKE ?").param("group " + run + " %")
                .query(Long.class).single()).isEqualTo(2);
        assertThat(jdbc.sql("SELECT count(*) FROM outbox o JOIN email_message m ON m.id = o.message_id "
                + "WHERE m.subject LIKE ?").param("group " + run + " %").query(Long.class).single()).isEqualTo(2);
    }

    @Test
    void aCopyOfEachSentMessageLandsOnceInTheImapSentFolderMarkedSeen() throws Exception {
        String subject = "sent copy " + unique();
        Api.Response r = send(Map.of("sender", "founder@postroom.test", "recipients", List.of("billing@postroom.test"),
                "subject", subject, "body_plain", "keep a copy"));
        String messageId = r.body().at("/message/message_id").asString();
        var server = sandbox.server().orElseThrow();
        var founder = server.identity("founder");
        java.util.Properties props = new java.util.Properties();
        props.put("mail.imap.connectiontimeout", "5000");
        props.put("mail.imap.timeout", "5000");
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            try (jakarta.mail.Store store = jakarta.mail.Session.getInstance(props).getStore("imap")) {
                store.connect("127.0.0.1", greenMail.getImap().getPort(), founder.address(),
                        server.mailboxes().get(founder).reveal());
                jakarta.mail.Folder sent = store.getFolder("Sent");
                if (!sent.exists()) {
                    return false;
                }
                sent.open(jakarta.mail.Folder.READ_ONLY);
                var found = sent.search(new jakarta.mail.search.MessageIDTerm(messageId));
                boolean once = found.length == 1 && found[0].isSet(jakarta.mail.Flags.Flag.SEEN);
                sent.close(false);
                return once;
            }
        });
    }

    @Test
    void aSendWithoutRecipientsIsRefusedNotStoredAsASent201() {
        String subject = "nothing " + java.util.UUID.randomUUID();
        Api.Response r = send(Map.of("recipients", List.of(), "subject", subject));
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.detail()).isEqualTo("Recipients required");
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE subject = ?").param(subject)
                .query(Long.class).single()).isZero();
    }

    @Test
    void aLineBreakInTheSubjectIsRefusedAndNothingIsQueued() {
        String subject = "Hello\r\nBcc: victim@example.com";
        Api.Response r = send(Map.of("sender", "founder@postroom.test", "recipients", List.of("a@example.com"),
                "subject", subject, "body_plain", "x"));
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.detail()).contains("subject").contains("line break");
        Api.Response header = send(Map.of("sender", "founder@postroom.test",
                "recipients", List.of("a@example.com\r\nBcc: victim@example.com"), "subject", "x", "body_plain", "x"));
        assertThat(header.status()).isEqualTo(422);
        assertThat(header.detail()).contains("line break");
    }

    @Test
    void badAddressesAreRefusedWithTheReason() {
        for (String bad : List.of("not-an-address", "a@b", "a@@example.com", "a@exa mple.com", "<a@example.com",
                "a@example.com, b@example.com")) {
            Api.Response r = send(Map.of("sender", "founder@postroom.test", "recipients", List.of(bad),
                    "subject", "x", "body_plain", "x"));
            assertThat(r.status()).as(bad).isEqualTo(422);
            assertThat(r.detail()).as(bad).startsWith("The recipient is not usable");
        }
    }

    @Test
    void moreThanFiftyRecipientsIsRefused() {
        List<String> many = IntStream.range(0, 51).mapToObj(i -> "r" + i + "@example.com").toList();
        Api.Response r = send(Map.of("sender", "founder@postroom.test", "recipients", many, "subject", "x",
                "body_plain", "x"));
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.detail()).contains("at most 50 recipients").contains("51");
    }

    /** Mail scheduled for later waits in Scheduled, not Sent, and moves to Sent once the server took it. */
    @Test
    void scheduledMailMovesFromScheduledToSentOnceSent() {
        String subject = "Later " + UUID.randomUUID();
        long org = organizations.primary().orElseThrow().id();
        UUID id = core.queue(OutboundDraft.builder(org, com.postroom.mail.Identities.Flow.FOUNDER)
                .to(List.of("later@example.com")).subject(subject).text("Due tomorrow.")
                .notBefore(java.time.Instant.now().plus(Duration.ofHours(20))).build()).message().id();
        String folder = "SELECT folder FROM email_message WHERE id = ?";
        assertThat(jdbc.sql(folder).param(id).query(String.class).single()).isEqualTo("scheduled");
        jdbc.sql("UPDATE outbox SET next_attempt_at = now() WHERE message_id = ?").param(id).update(); // its time
        await().atMost(Duration.ofSeconds(15)).until(() -> jdbc.sql(folder).param(id).query(String.class).single()
                .equals("sent"));
        assertThat(received(subject)).hasSize(1);
    }

    @Test
    void anOversizedMessageIsRefusedWith413() {
        String body = "x".repeat(11 * 1024 * 1024);
        Api.Response r = send(Map.of("sender", "founder@postroom.test", "recipients", List.of("a@example.com"),
                "subject", "big", "body_plain", body));
        assertThat(r.status()).isEqualTo(413);
        // In words the person composing understands (the setting's name is for admins, in docs/configuration.md).
        assertThat(r.detail()).contains("this server sends at most 10.0 MB").doesNotContain("MAIL_MAX");
    }

    @Test
    void aSenderOutsideTheOrganizationIsRefused() {
        Api.Response r = send(Map.of("sender", "ceo@bank.example", "recipients", List.of("a@example.com"),
                "subject", "x", "body_plain", "x"));
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.detail()).contains("not an address of this organization");
    }

    @Test
    void theSameIdempotencyKeyAndBodySendsOnceAndReplaysTheFirstAnswer() throws Exception {
        String subject = "idempotent " + unique();
        Map<String, Object> body = Map.of("sender", "founder@postroom.test",
                "recipients", List.of("billing@postroom.test"), "subject", subject, "body_plain", "once");
        Map<String, String> key = Map.of("Idempotency-Key", "key-" + unique());
        Api.Response first = api.post("/api/email/send", body, key);
        Api.Response second = api.post("/api/email/send", body, key);
        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.body().at("/message/id")).isEqualTo(first.body().at("/message/id"));
        assertThat(second.headers().firstValue("Idempotent-Replayed")).contains("true");

        Api.Response conflict = api.post("/api/email/send", Map.of("sender", "founder@postroom.test",
                "recipients", List.of("billing@postroom.test"), "subject", subject, "body_plain", "changed"), key);
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.detail()).contains("Idempotency-Key");

        await().atMost(Duration.ofSeconds(10)).until(() -> received(subject).size() == 1);
        Thread.sleep(1000);
        assertThat(received(subject)).hasSize(1);
    }

    @Test
    void concurrentRequestsWithOneIdempotencyKeySendOnce() throws Exception {
        String subject = "concurrent idempotent " + unique();
        Map<String, Object> body = Map.of("sender", "founder@postroom.test",
                "recipients", List.of("billing@postroom.test"), "subject", subject, "body_plain", "once");
        Map<String, String> key = Map.of("Idempotency-Key", "key-" + unique());
        List<Api.Response> answers = IntStream.range(0, 8).parallel()
                .mapToObj(i -> api.post("/api/email/send", body, key)).toList();
        assertThat(answers).allMatch(a -> a.status() == 201);
        assertThat(answers.stream().map(a -> a.body().at("/message/id").asString()).distinct()).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> received(subject).size() == 1);
        Thread.sleep(1000);
        assertThat(received(subject)).hasSize(1);
    }

    @Test
    void founderSendUsesTheFounderIdentityAsFromAndReplyTo() throws Exception {
        String subject = "founder " + unique();
        Api.Response r = api.post("/api/founder/email/send", Map.of("to", "billing@postroom.test",
                "subject", subject, "body_text", "hi", "urgent", true));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("success").asBoolean()).isTrue();
        assertThat(r.body().path("postmark_id").asString()).isEmpty();
        assertThat(r.body().path("thread_id").asString()).isNotBlank();
        await().atMost(Duration.ofSeconds(10)).until(() -> received(subject).size() == 1);
        MimeMessage m = received(subject).get(0);
        assertThat(m.getFrom()[0].toString()).isEqualTo("founder@postroom.test");
        assertThat(m.getReplyTo()[0].toString()).isEqualTo("founder@postroom.test");
        assertThat(m.getHeader("Importance")[0]).isEqualTo("high");
    }

    @Test
    void notifySendsFromNoReplyMarkedAutomatic() throws Exception {
        String subject = "notify " + unique();
        Api.Response r = api.post("/api/founder/notify/email", Map.of("to", "billing@postroom.test",
                "subject", subject, "body", "disk is filling"));
        assertThat(r.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> received(subject).size() == 1);
        MimeMessage m = received(subject).get(0);
        assertThat(m.getFrom()[0].toString()).isEqualTo("noreply@postroom.test");
        assertThat(m.getReplyTo()[0].toString()).isEqualTo("support@postroom.test");
        assertThat(m.getHeader("Auto-Submitted")[0]).isEqualTo("auto-generated");
    }

    @Test
    void commsSendNeedsRecipientsAndRepliesInTheGivenThread() throws Exception {
        Api.Response none = api.post("/api/comms/send/email", Map.of("subject", "x", "recipients", List.of()));
        assertThat(none.status()).isEqualTo(422);
        assertThat(none.detail()).isEqualTo("Recipients required");

        String subject = "comms " + unique();
        Api.Response first = api.post("/api/comms/send/email", Map.of("subject", subject,
                "recipients", List.of("billing@postroom.test"), "body_plain", "first"));
        assertThat(first.status()).isEqualTo(201);
        String threadId = first.body().at("/thread/id").asString();
        String firstMessageId = first.body().at("/message/message_id").asString();
        Api.Response reply = api.post("/api/comms/send/email", Map.of("thread_id", threadId, "subject", "Re: " + subject,
                "recipients", List.of("billing@postroom.test"), "body_plain", "second"));
        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.body().at("/message/thread_id").asString()).isEqualTo(threadId);
        assertThat(reply.body().at("/message/in_reply_to").asString()).isEqualTo(firstMessageId);
        await().atMost(Duration.ofSeconds(10)).until(() -> received("Re: " + subject).size() == 1);
        assertThat(received("Re: " + subject).get(0).getHeader("In-Reply-To")[0]).isEqualTo(firstMessageId);

        Api.Response unknownThread = api.post("/api/comms/send/email", Map.of("thread_id", UUID.randomUUID(),
                "subject", "x", "recipients", List.of("a@example.com"), "body_plain", "x"));
        assertThat(unknownThread.status()).isEqualTo(404);
        assertThat(unknownThread.detail()).isEqualTo("Thread not found");
    }

    @Test
    void sendTestReportsTheRecipient() {
        Api.Response r = api.post("/api/email/send-test", Map.of());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("status").asString()).isEqualTo("ok");
        assertThat(r.body().path("message").asString()).isEqualTo("Test email sent to founder@postroom.test");
    }

    @Test
    void anUnknownOutboundIdIsA404() {
        Api.Response r = api.get("/api/email/outbound/" + UUID.randomUUID());
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.detail()).isEqualTo("Outbound message not found");
        assertThat(api.get("/api/email/outbound/not-a-uuid").status()).isEqualTo(400);
    }

    @Test
    void malformedJsonIsA400InTheOneErrorShape() {
        Api.Response r = api.post("/api/email/send", "{\"recipients\": [");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.detail()).startsWith("The request body is not valid JSON");
        assertThat(r.raw()).doesNotContain("Exception").doesNotContain("at com.");
    }

    /** Refused by Tomcat before Postroom sees it: still the one JSON shape, no HTML page, no server version. */
    @Test
    void aPathTheServletContainerRefusesIsA400InTheOneErrorShape() {
        Api.Response r = api.get("/api/email/threads/..%2F..%2Fetc%2Fpasswd");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.detail()).contains("encoded '/'");
        assertThat(r.raw()).doesNotContainIgnoringCase("tomcat").doesNotContain("<html");
        assertThat(api.get("/error").status()).as("/error asked for directly").isEqualTo(404);
        assertThat(api.get("/v3/api-docs").raw()).doesNotContain("\"/error\"");
    }
}
