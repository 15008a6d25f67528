package com.postroom.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.icegreen.greenmail.util.GreenMail;
import com.postroom.mail.Secret;
import com.postroom.mail.MailServer;
import com.postroom.mail.TlsMode;
import com.postroom.org.Organizations;
import com.postroom.sandbox.Sandbox;
import com.postroom.support.Api;
import com.postroom.support.ImapClient;
import com.postroom.support.SandboxTest;

/** What received mail means: which conversation it joins, and which bounces mark outbound mail and suppress. */
@SandboxTest
class MeaningTest {

    private static final String PASSWORD = "meaning-test-password";

    @LocalServerPort
    int port;
    @Autowired
    Sandbox sandbox;
    @Autowired
    Mailboxes mailboxes;
    @Autowired
    InboundSync inbound;
    @Autowired
    Organizations organizations;
    @Autowired
    JdbcClient jdbc;

    Api api;
    GreenMail greenMail;
    Mailbox mailbox;
    String user;

    @BeforeEach
    void setUp() {
        api = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        greenMail = sandbox.server().orElseThrow().greenMail();
        user = "meaning-" + unique() + "@postroom.test";
        greenMail.setUser(user, user, PASSWORD);
        long orgId = organizations.primary().orElseThrow().id();
        long id = mailboxes.add(orgId, new MailServer("127.0.0.1", greenMail.getImap().getPort(), TlsMode.NONE,
                Optional.of(user), Optional.of(Secret.of(PASSWORD)), Duration.ofSeconds(5), Duration.ofSeconds(10)),
                List.of("INBOX"));
        mailbox = mailboxes.find(orgId, id).orElseThrow();
    }

    private static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private void receive(String raw) {
        try (ImapClient c = ImapClient.plain(greenMail.getImap().getPort(), user, PASSWORD)) {
            c.append("INBOX", raw.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        assertThat(inbound.syncMailbox(mailbox).error()).isNull();
    }

    private Map<String, Object> inboundBySubject(String subject) {
        return jdbc.sql("SELECT id, thread_id, status FROM email_message WHERE subject = ? AND direction = 'inbound'")
                .param(subject).query().singleRow();
    }

    private Api.Response send(String to, String subject) {
        Api.Response r = api.post("/api/email/send", Map.of("sender", "founder@postroom.test",
                "recipients", List.of(to), "subject", subject, "body_plain", "Hello"));
        assertThat(r.status()).isEqualTo(201);
        return r;
    }

    @Test
    void aReplyJoinsTheThreadOfTheMessageItAnswersAndASubjectOnlyReplyJoinsByNormalizedSubject() {
        String subject = "Run sheet " + unique();
        Api.Response sent = send("crew@example.org", subject);
        String messageId = sent.body().get("message").get("message_id").asString();
        String thread = sent.body().get("message").get("thread_id").asString();

        receive("From: crew@example.org\nTo: founder@postroom.test\nSubject: Re: " + subject
                + "\nMessage-ID: <r1-" + unique() + "@example.org>\nIn-Reply-To: " + messageId
                + "\nReferences: " + messageId + "\nDate: Mon, 2 Nov 2026 11:00:00 +0000\n\nGot it.\n");
        assertThat(inboundBySubject("Re: " + subject).get("thread_id").toString()).isEqualTo(thread);

        // References lost (some clients drop them): a reply prefix and a sender who took part join by subject.
        receive("From: Crew@Example.org\nTo: founder@postroom.test\nSubject: AW: Re: " + subject
                + "\nMessage-ID: <r2-" + unique() + "@example.org>\nDate: Mon, 2 Nov 2026 11:05:00 +0000\n\nAuch.\n");
        assertThat(inboundBySubject("AW: Re: " + subject).get("thread_id").toString()).isEqualTo(thread);

        // The same subject from someone who was never in the conversation is not pulled into it: two patients who
        // both write "Question about my bill" are two conversations.
        receive("From: stranger@example.net\nTo: founder@postroom.test\nSubject: RE: " + subject
                + "\nMessage-ID: <r4-" + unique() + "@example.net>\nDate: Mon, 2 Nov 2026 11:07:00 +0000\n\nMe too.\n");
        assertThat(inboundBySubject("RE: " + subject).get("thread_id").toString()).isNotEqualTo(thread);

        // Without a reply prefix the same subject, even from a participant, is a new conversation.
        receive("From: crew@example.org\nTo: founder@postroom.test\nSubject: " + subject
                + "\nMessage-ID: <r5-" + unique() + "@example.org>\nDate: Mon, 2 Nov 2026 11:08:00 +0000\n\nNew run.\n");
        assertThat(inboundBySubject(subject).get("thread_id").toString()).isNotEqualTo(thread);

        String other = "Something else " + unique();
        receive("From: other@example.org\nTo: founder@postroom.test\nSubject: " + other
                + "\nMessage-ID: <r3-" + unique() + "@example.org>\nDate: Mon, 2 Nov 2026 11:06:00 +0000\n\nNew.\n");
        assertThat(inboundBySubject(other).get("thread_id").toString()).isNotEqualTo(thread);
    }

    @Test
    void aHardBounceMarksTheMessageBouncedAndSuppressesTheAddressUntilAnAdminRemovesIt() {
        String target = "gone-" + unique() + "@example.org";
        String subject = "Statement " + unique();
        Api.Response sent = send(target, subject);
        String id = sent.body().get("message").get("id").asString();
        String messageId = sent.body().get("message").get("message_id").asString();
        await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(jdbc.sql(
                "SELECT status FROM email_message WHERE id = ?::uuid").param(id).query(String.class).single()));

        receive(postfixDsn(target, messageId, "5.1.1", "550 5.1.1 <" + target + ">: Recipient address rejected: "
                + "User unknown", "failed"));

        Map<String, Object> msg = jdbc.sql("SELECT status, meta->'bounces'->0->>'type' AS type, "
                + "meta->'bounces'->0->>'status' AS code FROM email_message WHERE id = ?::uuid").param(id)
                .query().singleRow();
        assertThat(msg).containsEntry("status", "bounced").containsEntry("type", "hard").containsEntry("code", "5.1.1");
        assertThat(api.get("/api/email/suppressions").raw()).contains(target);

        Api.Response refused = send2(target);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.detail()).contains(target).contains("suppression list").contains("DELETE /api/email/suppressions/");

        assertThat(api.delete("/api/email/suppressions/" + target).status()).isEqualTo(200);
        assertThat(send2(target).status()).isEqualTo(201);
    }

    private Api.Response send2(String to) {
        return api.post("/api/email/send", Map.of("sender", "founder@postroom.test", "recipients", List.of(to),
                "subject", "again", "body_plain", "Hello"));
    }

    @Test
    void aDelayNoticeIsNoBounceAndANonStandardSoftBounceDoesNotSuppress() {
        String target = "full-" + unique() + "@example.org";
        Api.Response sent = send(target, "Soft " + unique());
        String id = sent.body().get("message").get("id").asString();
        String messageId = sent.body().get("message").get("message_id").asString();
        receive(postfixDsn(target, messageId, "4.4.1", "connect timed out", "delayed"));
        assertThat(jdbc.sql("SELECT count(*) FROM bounce WHERE outbound_message = ?::uuid").param(id)
                .query(Long.class).single()).isZero();

        receive("From: MAILER-DAEMON@old.example.org\nTo: founder@postroom.test\nSubject: failure notice\n"
                + "Message-ID: <qmail-" + unique() + "@old.example.org>\nDate: Mon, 2 Nov 2026 12:00:00 +0000\n\n"
                + "Hi. This is the qmail-send program at old.example.org.\nI'm afraid I wasn't able to deliver your "
                + "message to the following addresses.\n\n<" + target + ">:\n452 4.2.2 Mailbox full, try later\n\n"
                + "--- Below this line is a copy of the message.\n\nMessage-ID: " + messageId + "\nSubject: x\n");
        Map<String, Object> bounce = jdbc.sql("SELECT hard, status_code, source FROM bounce WHERE outbound_message = "
                + "?::uuid").param(id).query().singleRow();
        assertThat(bounce).containsEntry("hard", false).containsEntry("status_code", "4.2.2")
                .containsEntry("source", "heuristic");
        assertThat(api.get("/api/email/suppressions").raw()).doesNotContain(target);
    }

    /** Refused as spam or by policy (5.7.x): that statement bounced, but the patient's address stays usable. */
    @Test
    void aRejectionForPolicyMarksTheMessageBouncedWithoutSuppressingTheAddress() {
        String target = "blocked-" + unique() + "@example.org";
        Api.Response sent = send(target, "Statement " + unique());
        String id = sent.body().get("message").get("id").asString();
        String messageId = sent.body().get("message").get("message_id").asString();
        receive(postfixDsn(target, messageId, "5.7.1", "550 5.7.1 Message rejected as spam by Content Filtering",
                "failed"));
        assertThat(jdbc.sql("SELECT status FROM email_message WHERE id = ?::uuid").param(id).query(String.class)
                .single()).isEqualTo("bounced");
        assertThat(jdbc.sql("SELECT hard FROM bounce WHERE outbound_message = ?::uuid").param(id)
                .query(Boolean.class).single()).isTrue();
        assertThat(api.get("/api/email/suppressions").raw()).doesNotContain(target);
        assertThat(send2(target).status()).isEqualTo(201);
    }

    @Test
    void aBounceThatNamesAMessageIdPostroomDidNotMakeChangesNothing() {
        String target = "forged-" + unique() + "@example.org";
        Api.Response sent = send(target, "Forged " + unique());
        String id = sent.body().get("message").get("id").asString();
        String real = sent.body().get("message").get("message_id").asString();
        String forged = real.replaceFirst("\\.[a-z2-7]{12}@", ".aaaaaaaaaaaa@");
        receive(postfixDsn(target, forged, "5.1.1", "550 no such user", "failed"));
        assertThat(jdbc.sql("SELECT status FROM email_message WHERE id = ?::uuid").param(id).query(String.class)
                .single()).isNotEqualTo("bounced");
        assertThat(api.get("/api/email/suppressions").raw()).doesNotContain(target);
    }

    /** A delivery status notification as Postfix writes it (RFC 3464). */
    static String postfixDsn(String recipient, String messageId, String status, String diagnostic, String action) {
        String b = "dsn-" + UUID.randomUUID();
        return "From: MAILER-DAEMON@mail.example.org (Mail Delivery System)\nTo: founder@postroom.test\n"
                + "Subject: Undelivered Mail Returned to Sender\nAuto-Submitted: auto-replied\n"
                + "Message-ID: <" + b + "@mail.example.org>\nDate: Mon, 2 Nov 2026 12:00:00 +0000\nMIME-Version: 1.0\n"
                + "Content-Type: multipart/report; report-type=delivery-status; boundary=\"" + b + "\"\n\n"
                + "--" + b + "\nContent-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n"
                + "This is the mail system at host mail.example.org.\n\n<" + recipient + ">: host mx.example.org "
                + "said: " + diagnostic + "\n\n"
                + "--" + b + "\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
                + "Reporting-MTA: dns; mail.example.org\nX-Postfix-Queue-ID: 4F2A1\n"
                + "Arrival-Date: Mon,  2 Nov 2026 11:59:58 +0000 (UTC)\n\n"
                + "Final-Recipient: rfc822; " + recipient + "\nOriginal-Recipient: rfc822;" + recipient + "\n"
                + "Action: " + action + "\nStatus: " + status + "\nRemote-MTA: dns; mx.example.org\n"
                + "Diagnostic-Code: smtp; " + diagnostic + "\n\n"
                + "--" + b + "\nContent-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n\n"
                + "From: founder@postroom.test\nTo: " + recipient + "\nSubject: something\nMessage-ID: " + messageId
                + "\n\n--" + b + "--\n";
    }
}
