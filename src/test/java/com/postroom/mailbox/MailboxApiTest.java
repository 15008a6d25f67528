package com.postroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;

import com.postroom.inbound.InboundSync;
import com.postroom.inbound.Mailboxes;
import com.postroom.org.Organizations;
import com.postroom.org.Users;
import com.postroom.sandbox.Sandbox;
import com.postroom.support.Api;
import com.postroom.support.MailboxFixture;
import com.postroom.support.SandboxTest;
import com.postroom.support.TestMail;

import tools.jackson.databind.JsonNode;

/**
 * The mailbox API over mail that arrived through the real ingest path (GreenMail, IMAP sync): ORIGINAL-API.md's
 * routes with their field names and status codes, the native API, legal hold and retention, the audit log, and
 * organization isolation on every route.
 */
@SandboxTest
class MailboxApiTest {

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
    Users users;
    @Autowired
    PasswordEncoder passwords;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    org.springframework.transaction.support.TransactionTemplate tx;

    Api api;
    long orgId;
    MailboxFixture box;

    @BeforeEach
    void setUp() {
        api = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        orgId = organizations.primary().orElseThrow().id();
        box = new MailboxFixture(sandbox.server().orElseThrow().greenMail(), mailboxes, inbound, jdbc, orgId);
    }

    private Api userWithRoles(long org, String domain, Set<String> roles) {
        String email = "user-" + UUID.randomUUID().toString().substring(0, 8) + "@" + domain;
        users.create(org, email, passwords.encode("a-user-password"), roles);
        return new Api(port).login(email, "a-user-password");
    }

    @Test
    void threadsAreListedByStatusAndOtherStatusesHaveTheirOwnIndex() {
        String word = MailboxFixture.word();
        List<UUID> ids = box.deliver(TestMail.message().subject("Open " + word),
                TestMail.message().subject("Closed " + word));
        UUID open = box.threadOf(ids.get(0));
        UUID closed = box.threadOf(ids.get(1));
        // Nothing in Postroom closes a thread yet; a caller of the original API may read any status.
        jdbc.sql("UPDATE email_thread SET status = 'closed' WHERE id = ?").param(closed).update();

        assertThat(api.get("/api/email/threads?status_filter=closed&limit=500").body().toString())
                .contains(closed.toString()).doesNotContain(open.toString());
        assertThat(api.get("/api/email/threads?status_filter=open&limit=500").body().toString())
                .contains(open.toString()).doesNotContain(closed.toString());
        assertThat(api.get("/api/email/threads?limit=500").body().toString())
                .contains(open.toString(), closed.toString());
        assertThat(api.get("/api/email/threads?status_filter=archived&limit=500").body()).isEmpty();
        // Its condition is the list's (sequential scans off: on a test's few threads reading them all is cheaper).
        List<String> plan = tx.execute(status -> {
            jdbc.sql("SELECT set_config('enable_seqscan', 'off', true)").query(rs -> { });
            return jdbc.sql("EXPLAIN SELECT id FROM email_thread t WHERE org_id = ? AND status = ? "
                    + "AND status <> 'open' ORDER BY last_message_at DESC, id DESC LIMIT 100").params(orgId, "closed")
                    .query(String.class).list();
        });
        assertThat(String.join("\n", plan)).contains("email_thread_not_open");
    }

    @Test
    void threadsMessagesLabelsAndArchiveKeepTheOriginalShapes() {
        String word = MailboxFixture.word();
        TestMail first = TestMail.message().subject("Invoice " + word).text("Please pay the invoice " + word);
        TestMail reply = TestMail.message().subject("Re: Invoice " + word).inReplyTo(first.messageId())
                .text("Paid " + word);
        List<UUID> ids = box.deliver(first, reply);
        UUID thread = box.threadOf(ids.get(0));
        assertThat(box.threadOf(ids.get(1))).isEqualTo(thread);
        // IMAP's INTERNALDATE has whole seconds: make the order of the two unambiguous.
        jdbc.sql("UPDATE email_message SET created_at = created_at - interval '1 minute' WHERE id = ?")
                .param(ids.get(0)).update();

        JsonNode threads = api.get("/api/email/threads?limit=500").body();
        JsonNode t = find(threads, "id", thread.toString());
        assertThat(fieldNames(t)).containsExactlyInAnyOrder("id", "subject", "normalized_subject", "status",
                "last_message_at", "created_at");
        assertThat(t.get("status").asString()).isEqualTo("open");

        Api.Response detail = api.get("/api/email/threads/" + thread);
        assertThat(detail.status()).isEqualTo(200);
        JsonNode messages = detail.body().get("messages");
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).get("id").asString()).as("oldest first").isEqualTo(ids.get(0).toString());
        assertThat(fieldNames(messages.get(0))).containsExactlyInAnyOrder("id", "thread_id", "direction", "status",
                "classification", "sender", "recipients", "cc", "bcc", "subject", "body_plain", "body_html",
                "message_id", "in_reply_to", "references", "meta", "created_at");
        assertThat(messages.get(0).get("classification").asString()).isEqualTo("billing");
        assertThat(api.get("/api/audit?action=email.thread.read&target_id=" + thread).body().get("events"))
                .as("reading a thread is audited").hasSize(1);
        Api.Response missing = api.get("/api/email/threads/" + UUID.randomUUID());
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.detail()).isEqualTo("Thread not found");

        JsonNode inThread = api.get("/api/email/messages?thread_id=" + thread).body();
        assertThat(inThread.get(0).get("id").asString()).as("newest first").isEqualTo(ids.get(1).toString());

        Api.Response labelled = api.post("/api/email/messages/" + ids.get(0) + "/labels", Map.of("label", "Case 42"));
        assertThat(labelled.status()).isEqualTo(200);
        assertThat(labelled.body().get("status").asString()).isEqualTo("ok");
        assertThat(labelled.body().get("label").asString()).isEqualTo("case-42");
        JsonNode labels = api.get("/api/email/labels").body();
        JsonNode label = find(labels, "slug", "case-42");
        assertThat(label.get("name").asString()).isEqualTo("Case 42");
        assertThat(fieldNames(label)).containsExactlyInAnyOrder("id", "name", "slug", "color", "created_at");
        List<String> names = new ArrayList<>();
        labels.forEach(l -> names.add(l.get("name").asString().toLowerCase()));
        assertThat(names).isSorted();
        assertThat(api.post("/api/email/messages/" + ids.get(0) + "/labels", Map.of("label", " ")).detail())
                .isEqualTo("Label required");
        assertThat(api.post("/api/email/messages/" + UUID.randomUUID() + "/labels", Map.of("label", "x")).detail())
                .isEqualTo("Message not found");

        Api.Response archived = api.post("/api/email/messages/" + ids.get(0) + "/archive", Map.of());
        assertThat(archived.status()).isEqualTo(200);
        assertThat(archived.body().get("status").asString()).isEqualTo("archived");
        assertThat(jdbc.sql("SELECT status || '/' || folder FROM email_message WHERE id = ?").param(ids.get(0))
                .query(String.class).single()).isEqualTo("archived/archive");

        JsonNode attachments = api.get("/api/email/messages/" + ids.get(0) + "/attachments").body();
        assertThat(attachments.isArray()).isTrue();
        assertThat(api.get("/api/email/messages?limit=501").status()).isEqualTo(400);
    }

    @Test
    void deleteIsRefusedUnderLegalHoldAndRetentionThenSoftDeletes() {
        UUID id = box.deliver(TestMail.message().subject("Subpoena " + MailboxFixture.word())).get(0);
        UUID thread = box.threadOf(id);
        assertThat(jdbc.sql("SELECT classification FROM email_message WHERE id = ?").param(id).query(String.class)
                .single()).isEqualTo("legal");

        Api.Response hold = api.post("/api/legal-hold", Map.of("scope_type", "email_thread", "scope_id",
                thread.toString(), "reason", "Case 2026-17"));
        assertThat(hold.status()).isEqualTo(201);
        long holdId = hold.body().get("id").asLong();
        Api.Response blocked = api.delete("/api/email/messages/" + id);
        assertThat(blocked.status()).isEqualTo(423);
        assertThat(blocked.body().get("decision").asString()).isEqualTo("BLOCK");
        assertThat(blocked.body().get("rule_ids").get(0).asString()).isEqualTo("EMAIL.LEGAL_HOLD.BLOCK.v1");
        assertThat(blocked.body().get("reasons").get(0).get("message").asString()).contains("Case 2026-17");

        assertThat(api.post("/api/legal-hold/" + holdId + "/release", Map.of()).status()).isEqualTo(200);
        assertThat(api.post("/api/legal-hold/" + holdId + "/release", Map.of()).status())
                .as("already released").isEqualTo(409);
        assertThat(api.put("/api/retention-policies/legal", Map.of("retain_days", 3650)).status()).isEqualTo(200);
        Api.Response retained = api.delete("/api/email/messages/" + id);
        assertThat(retained.status()).isEqualTo(423);
        assertThat(retained.body().get("rule_ids").get(0).asString()).isEqualTo("EMAIL.RETENTION.BLOCK_DELETE.v1");

        assertThat(api.delete("/api/retention-policies/legal").status()).isEqualTo(204);
        Api.Response billingUser = userWithRoles(orgId, "postroom.test", Set.of("billing"))
                .delete("/api/email/messages/" + id);
        assertThat(billingUser.status()).isEqualTo(403);
        assertThat(billingUser.detail()).isEqualTo("Insufficient permissions");

        Api.Response deleted = api.delete("/api/email/messages/" + id);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body().get("status").asString()).isEqualTo("queued");
        assertThat(deleted.body().get("decision").get("decision").asString()).isEqualTo("ALLOW");
        assertThat(jdbc.sql("SELECT status FROM email_message WHERE id = ?").param(id).query(String.class).single())
                .isEqualTo("deleted_pending");
        assertThat(api.get("/api/email/messages?thread_id=" + thread).body()).as("gone from lists").isEmpty();
        assertThat(api.delete("/api/email/messages/" + id).status()).isEqualTo(404);

        JsonNode events = api.get("/api/audit?action=legal_hold.*").body().get("events");
        assertThat(events.size()).isGreaterThanOrEqualTo(2);
        assertThat(api.get("/api/audit?action=email.message.deleted&target_id=" + id).body().get("events"))
                .hasSize(1);
        assertThat(userWithRoles(orgId, "postroom.test", Set.of("billing")).get("/api/audit").status())
                .isEqualTo(403);
        assertThat(api.post("/api/legal-hold", Map.of("scope_type", "mailbox", "scope_id", id.toString(),
                "reason", "x")).status()).isEqualTo(422);
        assertThat(api.post("/api/legal-hold", Map.of("scope_type", "email_message", "scope_id",
                UUID.randomUUID().toString(), "reason", "x")).status()).isEqualTo(404);
    }

    @Test
    void nativeApiListsConversationsWithCursorsAndRendersSafeHtml() {
        String word = MailboxFixture.word();
        List<TestMail> mails = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            mails.add(TestMail.message().subject("Conversation " + i + " " + word));
        }
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 0};
        TestMail hostile = TestMail.message().subject("Hostile " + word).text("plain")
                .html("<p onclick=\"steal()\">Hi<script>alert(1)</script><img src=\"https://tracker.example/p.gif\">"
                        + "<img src=\"cid:logo@x\"><a href=\"javascript:alert(1)\">x</a>"
                        + "<a href=\"https://example.org/pay\">pay</a><form action=\"/x\"><input></form></p>")
                .attach("logo.png", "image/png", png, "logo@x")
                .attach("page.html", "text/html", "<script>alert(1)</script>".getBytes(StandardCharsets.UTF_8), null);
        mails.add(hostile);
        List<UUID> ids = box.deliver(mails.toArray(TestMail[]::new));

        // Cursor paging over this test's conversations: label them, then walk the label in pages of 2.
        String label = "cursor-" + word;
        Api.Response labelled = api.post("/api/mail/changes", Map.of("action", "add_label", "message_ids", ids,
                "label", label));
        assertThat(labelled.status()).isEqualTo(200);
        assertThat(labelled.body().get("changed").asInt()).isEqualTo(6);
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = api.get("/api/mail/conversations?label=" + label + "&limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor)).body();
            page.get("conversations").forEach(c -> seen.add(c.get("thread_id").asString()));
            cursor = page.path("next_cursor").isString() ? page.get("next_cursor").asString() : null;
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(6).doesNotHaveDuplicates();
        JsonNode firstMessages = api.get("/api/mail/messages?label=" + label + "&limit=4").body();
        assertThat(firstMessages.get("messages")).hasSize(4);
        JsonNode restMessages = api.get("/api/mail/messages?label=" + label + "&limit=4&cursor="
                + firstMessages.get("next_cursor").asString()).body();
        assertThat(restMessages.get("messages")).hasSize(2);
        assertThat(restMessages.path("next_cursor").isMissingNode() || restMessages.get("next_cursor").isNull())
                .isTrue();
        assertThat(api.get("/api/mail/messages?label=no-such-label-" + word).status()).isEqualTo(404);
        assertThat(api.get("/api/mail/conversations?cursor=not-a-cursor").status()).isEqualTo(400);
        assertThat(api.get("/api/mail/conversations?view=nowhere").status()).isEqualTo(400);

        UUID hostileId = ids.get(5);
        JsonNode message = api.get("/api/mail/messages/" + hostileId).body();
        String html = message.get("html").asString();
        assertThat(html).contains("Hi").contains("https://example.org/pay").contains("noopener")
                .doesNotContain("script").doesNotContain("onclick").doesNotContain("javascript:")
                .doesNotContain("tracker.example").doesNotContain("<form").doesNotContain("<input");
        assertThat(message.get("remote_content_blocked").asBoolean()).isTrue();
        JsonNode attachments = message.get("attachments");
        assertThat(attachments).hasSize(2);
        String logoUrl = find(attachments, "filename", "logo.png").get("url").asString();
        assertThat(html).as("cid: image points at the message's own part").contains(logoUrl);
        assertThat(api.get("/api/mail/messages/" + hostileId + "?images=true").body().get("html").asString())
                .contains("https://tracker.example/p.gif");

        Api.Response page = api.get(find(attachments, "filename", "page.html").get("url").asString());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Disposition").orElse("")).startsWith("attachment");
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("application/octet-stream");
        assertThat(page.headers().firstValue("X-Content-Type-Options").orElse("")).isEqualTo("nosniff");
        assertThat(page.raw()).isEqualTo("<script>alert(1)</script>");
        Api.Response logo = api.get(logoUrl + "?inline=true");
        assertThat(logo.headers().firstValue("Content-Disposition").orElse("")).startsWith("inline");
        assertThat(api.get("/api/mail/attachments/" + UUID.randomUUID()).status()).isEqualTo(404);

        JsonNode conversation = api.get("/api/mail/conversations/" + box.threadOf(hostileId)).body();
        assertThat(conversation.get("messages")).hasSize(1);
        assertThat(conversation.get("thread").get("id").asString()).isEqualTo(box.threadOf(hostileId).toString());
    }

    @Test
    void changesMoveMessagesBetweenViewsAndFoldersCountThem() {
        String word = MailboxFixture.word();
        List<UUID> ids = box.deliver(TestMail.message().subject("One " + word),
                TestMail.message().subject("Two " + word));
        UUID one = ids.get(0);
        UUID two = ids.get(1);
        assertThat(change("read", one).status()).isEqualTo(200);
        assertThat(change("star", two).status()).isEqualTo(200);
        assertThat(flags(one)).isEqualTo("inbox seen");
        assertThat(flags(two)).isEqualTo("inbox flagged");
        change("trash", one);
        assertThat(flags(one)).startsWith("trash");
        change("restore", one);
        assertThat(flags(one)).startsWith("inbox");
        change("spam", two);
        assertThat(flags(two)).startsWith("spam");
        change("not_spam", two);
        assertThat(flags(two)).startsWith("inbox");
        change("archive", two);
        assertThat(flags(two)).startsWith("archive");
        change("inbox", two);
        assertThat(flags(two)).startsWith("inbox");
        Api.Response bulk = api.post("/api/mail/changes", Map.of("action", "unread", "thread_ids",
                List.of(box.threadOf(one), box.threadOf(two))));
        assertThat(bulk.body().get("changed").asInt()).isEqualTo(2);

        JsonNode folders = api.get("/api/mail/folders").body();
        JsonNode inbox = find(folders.get("folders"), "id", "inbox");
        assertThat(inbox.get("total").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(inbox.get("unread").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(folders.get("folders")).hasSize(8);

        assertThat(api.post("/api/mail/changes", Map.of("action", "explode", "message_ids", List.of(one)))
                .status()).isEqualTo(422);
        assertThat(api.post("/api/mail/changes", Map.of("action", "read", "message_ids",
                List.of(one, UUID.randomUUID()))).status()).as("all or nothing").isEqualTo(404);
        assertThat(api.post("/api/mail/changes", Map.of("action", "read")).status()).isEqualTo(422);
        assertThat(api.post("/api/mail/changes", Map.of("action", "add_label", "message_ids", List.of(one)))
                .detail()).isEqualTo("Label required");

        Api.Response created = api.post("/api/mail/labels", Map.of("name", "Follow up " + word, "color", "#1a73e8"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(api.post("/api/mail/labels", Map.of("name", "Follow up " + word)).status()).isEqualTo(409);
        assertThat(api.post("/api/mail/labels", Map.of("name", "x", "color", "red")).status()).isEqualTo(422);
        long labelId = created.body().get("id").asLong();
        assertThat(api.patch("/api/mail/labels/" + labelId, Map.of("name", "Later " + word)).body().get("name")
                .asString()).isEqualTo("Later " + word);
        assertThat(api.delete("/api/mail/labels/" + labelId).status()).isEqualTo(204);
        assertThat(api.delete("/api/mail/labels/" + labelId).status()).isEqualTo(404);
    }

    @Test
    void pdfAttachmentsHaveAPictureOfTheirFirstPage() throws Exception {
        String word = MailboxFixture.word();
        byte[] pdf;
        try (org.apache.pdfbox.pdmodel.PDDocument doc = new org.apache.pdfbox.pdmodel.PDDocument();
             java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream()) {
            doc.addPage(new org.apache.pdfbox.pdmodel.PDPage(org.apache.pdfbox.pdmodel.common.PDRectangle.LETTER));
            doc.save(out);
            pdf = out.toByteArray();
        }
        UUID id = box.deliver(TestMail.message().subject("Statement " + word)
                .attach("statement.pdf", "application/pdf", pdf, null)
                .attach("broken.pdf", "application/pdf", "%PDF-1.4 not really".getBytes(StandardCharsets.US_ASCII), null)
                .attach("notes.txt", "text/plain", "notes".getBytes(StandardCharsets.US_ASCII), null)).get(0);
        JsonNode attachments = api.get("/api/email/messages/" + id + "/attachments").body();
        String good = find(attachments, "filename", "statement.pdf").get("id").asString();
        Api.Response preview = api.get("/api/mail/attachments/" + good + "/preview");
        assertThat(preview.status()).isEqualTo(200);
        assertThat(preview.headers().firstValue("Content-Type").orElse("")).isEqualTo("image/png");
        assertThat(preview.headers().firstValue("X-Content-Type-Options").orElse("")).isEqualTo("nosniff");
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
                api.getBytes("/api/mail/attachments/" + good + "/preview")));
        assertThat(image.getWidth()).isEqualTo(PdfPreview.WIDTH);
        assertThat(image.getHeight()).as("letter proportions").isBetween(600, 640);

        Api.Response broken = api.get("/api/mail/attachments/"
                + find(attachments, "filename", "broken.pdf").get("id").asString() + "/preview");
        assertThat(broken.status()).isEqualTo(422);
        assertThat(broken.detail()).contains("download it instead");
        Api.Response text = api.get("/api/mail/attachments/"
                + find(attachments, "filename", "notes.txt").get("id").asString() + "/preview");
        assertThat(text.status()).isEqualTo(422);
        assertThat(api.get("/api/mail/attachments/" + UUID.randomUUID() + "/preview").status()).isEqualTo(404);
    }

    /**
     * A message forwarded as an attachment (Outlook's "FW:") opens in place: its headers, its text, its HTML through
     * the same sanitiser (no script, no javascript: link) with its cid: picture carried inside, its files listed; the
     * page shows it in the sandboxed frame; a file is not a message (422); another organization's is a 404.
     */
    @Test
    void anAttachedMessageOpensInPlaceSanitisedAndOnlyForItsOrganization() {
        String word = MailboxFixture.word();
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};
        String inner = "From: Pat Doe <pat@clinic.example>\r\nTo: billing@clinic.example\r\nSubject: Original claim "
                + word + "\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html; charset=utf-8"
                + "\r\n\r\n<p>Claim <b>" + word + "</b></p><img src=\"cid:logo@clinic\"><script>alert(1)</script>"
                + "<a href=\"javascript:alert(2)\">pay</a>\r\n--r\r\nContent-Type: image/png\r\n"
                + "Content-ID: <logo@clinic>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + java.util.Base64.getEncoder().encodeToString(png) + "\r\n--r\r\n"
                + "Content-Type: application/pdf; name=scan.pdf\r\nContent-Disposition: attachment; filename=scan.pdf"
                + "\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--r--\r\n";
        UUID id = box.deliver(TestMail.message().subject("FW: claim " + word)
                .attach("Original claim.eml", "message/rfc822", inner.getBytes(StandardCharsets.UTF_8), null)
                .attach("notes.txt", "text/plain", "notes".getBytes(StandardCharsets.US_ASCII), null)).get(0);
        JsonNode attachments = api.get("/api/email/messages/" + id + "/attachments").body();
        String eml = find(attachments, "content_type", "message/rfc822").get("id").asString();

        Api.Response opened = api.get("/api/mail/attachments/" + eml + "/message");
        assertThat(opened.status()).as(opened.raw()).isEqualTo(200);
        JsonNode m = opened.body();
        assertThat(m.get("from").asString()).isEqualTo("pat@clinic.example");
        assertThat(m.get("from_name").asString()).isEqualTo("Pat Doe");
        assertThat(m.get("subject").asString()).isEqualTo("Original claim " + word);
        assertThat(m.get("message_id").asString()).isEqualTo(id.toString());
        assertThat(m.get("body_html").asString()).contains("<b>" + word + "</b>", "data:image/png;base64,")
                .doesNotContain("<script", "javascript:", "alert(");
        assertThat(m.get("attachments")).singleElement().satisfies(f -> {
            assertThat(f.get("filename").asString()).isEqualTo("scan.pdf");
            assertThat(f.get("content_type").asString()).isEqualTo("application/pdf");
        });
        String scanUrl = m.get("attachments").get(0).get("url").asString();
        Api.Response scan = api.get(scanUrl);
        assertThat(scan.status()).isEqualTo(200);
        assertThat(scan.raw()).isEqualTo("%PDF-1.4\n");
        assertThat(scan.headers().firstValue("Content-Disposition").orElse("")).startsWith("attachment")
                .contains("scan.pdf");
        assertThat(scan.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(api.get("/api/mail/attachments/" + eml + "/message/files/1.1").status()).as("not a file").isEqualTo(404);
        assertThat(api.get("/api/mail/attachments/" + eml + "/message/files/9").status()).isEqualTo(404);
        assertThat(jdbc.sql("SELECT count(*) FROM audit_event WHERE action = 'email.message.read' AND target_id = ?")
                .param(eml).query(Long.class).single()).as("audited").isOne();

        com.postroom.support.WebClient web = new com.postroom.support.WebClient("localhost", port);
        web.signIn(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        String conversation = web.get("/mail/inbox/" + box.threadOf(id)).body();
        assertThat(conversation).contains("/mail/attachments/" + eml + "/message");
        java.net.http.HttpResponse<String> page = web.get("/mail/attachments/" + eml + "/message");
        assertThat(page.statusCode()).isEqualTo(200);
        org.jsoup.nodes.Document doc = org.jsoup.Jsoup.parse(page.body());
        assertThat(doc.selectFirst("h1").text()).isEqualTo("Original claim " + word);
        assertThat(doc.selectFirst("iframe.body-frame").attr("sandbox")).doesNotContain("allow-scripts");
        assertThat(doc.selectFirst("iframe.body-frame").attr("srcdoc")).contains(word).doesNotContain("<script");
        assertThat(doc.select("script").eachAttr("src")).allMatch(src -> !src.isEmpty()).as("no inline script");

        Api.Response file = api.get("/api/mail/attachments/" + find(attachments, "filename", "notes.txt")
                .get("id").asString() + "/message");
        assertThat(file.status()).isEqualTo(422);
        assertThat(file.detail()).contains("Download it instead");
        assertThat(api.get("/api/mail/attachments/" + UUID.randomUUID() + "/message").status()).isEqualTo(404);
        long other = organizations.byDomain("isolated.example").map(Organizations.Organization::id)
                .orElseGet(() -> organizations.create("Isolated", "isolated.example"));
        Api stranger = userWithRoles(other, "isolated.example", Set.of("admin", "founder"));
        assertThat(stranger.get("/api/mail/attachments/" + eml + "/message").status()).isEqualTo(404);
        assertThat(stranger.get(scanUrl).status()).isEqualTo(404);
    }

    /** A right-to-left override shows "invoice\u202Efdp.exe" as "invoiceexe.pdf": removed wherever names show. */
    @Test
    void bidiControlsInNamesAreNeverShownOrDownloaded() {
        String word = MailboxFixture.word();
        UUID id = box.deliver(TestMail.message().subject("Invoice\u202E " + word + " \u2066due\u2069")
                .from("\"Billing\u202Etneitap\" <billing@clinic.test>")
                .attach("=?UTF-8?Q?invoice=E2=80=AEfdp.exe?=", "application/octet-stream", new byte[] {1, 2, 3}, null)).get(0);
        JsonNode message = api.get("/api/mail/messages/" + id).body();
        assertThat(message.toString()).doesNotContain("\u202E").doesNotContain("\u2066").doesNotContain("\u2069")
                .contains("invoicefdp.exe");
        JsonNode attachments = api.get("/api/email/messages/" + id + "/attachments").body();
        assertThat(attachments.toString()).doesNotContain("\u202E");
        Api.Response download = api.get("/api/mail/attachments/"
                + find(attachments, "filename", "invoicefdp.exe").get("id").asString());
        assertThat(download.headers().firstValue("Content-Disposition").orElse("")).doesNotContain("%E2%80%AE")
                .doesNotContain("\u202E");
        assertThat(api.get("/api/mail/search?q=" + word).body().toString()).doesNotContain("\u202E");
    }

    @Test
    void anotherOrganizationSeesNoneOfThisMail() {
        String word = MailboxFixture.word();
        UUID id = box.deliver(TestMail.message().subject("Private " + word)
                .attach("secret.pdf", "application/pdf", "%PDF-1.4".getBytes(StandardCharsets.US_ASCII), null)).get(0);
        UUID thread = box.threadOf(id);
        String attachment = api.get("/api/email/messages/" + id + "/attachments").body().get(0).get("id").asString();

        long other = organizations.byDomain("isolated.example").map(Organizations.Organization::id)
                .orElseGet(() -> organizations.create("Isolated", "isolated.example"));
        Api b = userWithRoles(other, "isolated.example", Set.of("admin", "founder"));
        for (String path : List.of("/api/email/threads/" + thread, "/api/email/messages/" + id + "/attachments",
                "/api/email/messages/" + id + "/raw", "/api/mail/messages/" + id, "/api/mail/conversations/" + thread,
                "/api/mail/attachments/" + attachment, "/api/mail/attachments/" + attachment + "/preview")) {
            assertThat(b.get(path).status()).as(path).isEqualTo(404);
        }
        assertThat(b.post("/api/email/messages/" + id + "/archive", Map.of()).status()).isEqualTo(404);
        assertThat(b.post("/api/email/messages/" + id + "/labels", Map.of("label", "x")).status()).isEqualTo(404);
        assertThat(b.delete("/api/email/messages/" + id).status()).isEqualTo(404);
        assertThat(b.post("/api/mail/changes", Map.of("action", "read", "message_ids", List.of(id))).status())
                .isEqualTo(404);
        assertThat(b.post("/api/mail/changes", Map.of("action", "read", "thread_ids", List.of(thread))).status())
                .isEqualTo(404);
        assertThat(b.post("/api/legal-hold", Map.of("scope_type", "email_message", "scope_id", id.toString(),
                "reason", "x")).status()).isEqualTo(404);
        assertThat(b.get("/api/email/search?q=" + word).body()).isEmpty();
        assertThat(b.get("/api/mail/search?q=" + word).body().get("results")).isEmpty();
        assertThat(b.get("/api/email/messages?thread_id=" + thread).body()).isEmpty();
        assertThat(b.get("/api/email/threads").body().toString()).doesNotContain(thread.toString());
        assertThat(find(b.get("/api/mail/folders").body().get("folders"), "id", "inbox").get("total").asLong())
                .isZero();
        assertThat(api.get("/api/email/search?q=" + word).body()).as("the owner finds it").hasSize(1);
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE id = ? AND status = 'received'").param(id)
                .query(Long.class).single()).as("nothing changed").isEqualTo(1);
    }

    @Test
    void founderDashboardCountsWhatNeedsAResponse() {
        String word = MailboxFixture.word();
        TestMail urgent = TestMail.message().from("Pat Patient <pat@patients.example>")
                .subject("URGENT: question about my bill " + word).text("Please call me " + word);
        TestMail internal = TestMail.message().from("Colleague <colleague@postroom.test>")
                .subject("Lunch " + word);
        TestMail bulk = TestMail.message().from("News <news@list.example>").subject("Newsletter " + word)
                .header("List-Unsubscribe: <mailto:unsub@list.example>").header("Precedence: bulk");
        TestMail receipt = TestMail.message().from("Payments <no-reply@payments.example>")
                .subject("Your receipt " + word);
        TestMail webForm = TestMail.message().from("Website <noreply@clinic.example>")
                .header("Reply-To: Sam Patient <sam@patients.example>").subject("Contact form: billing " + word);
        List<UUID> ids = box.deliver(urgent, internal, bulk, receipt, webForm);

        JsonNode needs = api.get("/api/founder/email/needs-response?limit=50").body();
        // The list is most urgent first, then oldest, and capped: the newest messages are checked on /recent.
        JsonNode newest = api.get("/api/founder/email/recent?limit=10").body().get("emails");
        assertThat(find(newest, "id", ids.get(3).toString()).get("needs_response").asBoolean())
                .as("a no-reply sender needs no response").isFalse();
        assertThat(find(newest, "id", ids.get(4).toString()).get("needs_response").asBoolean())
                .as("unless its Reply-To names someone").isTrue();
        assertThat(needs.get("success").asBoolean()).isTrue();
        JsonNode mine = find(needs.get("emails"), "id", ids.get(0).toString());
        assertThat(mine.get("urgency").asString()).isEqualTo("high");
        assertThat(mine.get("from_address").asString()).isEqualTo("pat@patients.example");
        assertThat(fieldNames(mine)).containsExactlyInAnyOrder("id", "from_address", "subject", "body_preview",
                "created_at", "urgency", "labels");
        assertThat(needs.get("has_urgent").asBoolean()).isTrue();
        assertThat(needs.get("emails").toString()).doesNotContain(ids.get(1).toString())
                .doesNotContain(ids.get(2).toString());

        Api.Response reply = api.post("/api/email/send", Map.of("sender", "founder@postroom.test", "recipients",
                List.of("pat@patients.example"), "subject", "Re: your bill", "body_plain", "Calling you now.",
                "thread_id", box.threadOf(ids.get(0)).toString()));
        assertThat(reply.status()).isEqualTo(201);
        assertThat(api.get("/api/founder/email/needs-response?limit=50").body().get("emails").toString())
                .as("answered by a later outbound message").doesNotContain(ids.get(0).toString());

        JsonNode stats = api.get("/api/founder/email/stats").body();
        assertThat(fieldNames(stats.get("stats"))).containsExactlyInAnyOrder("unread_messages",
                "messages_needing_response", "failed_deliveries_24h", "recent_activity_7d", "avg_response_minutes",
                "sender_status");
        assertThat(stats.get("stats").get("sender_status").asString()).isEqualTo("active");
        JsonNode recent = api.get("/api/founder/email/recent?limit=3").body();
        assertThat(recent.get("count").asInt()).isEqualTo(3);
        assertThat(fieldNames(recent.get("emails").get(0))).containsExactlyInAnyOrder("id", "direction", "sender",
                "recipients", "subject", "body_preview", "status", "created_at", "is_read", "needs_response",
                "message_id");
        assertThat(api.get("/api/founder/email/recent?limit=51").status()).isEqualTo(422);
        JsonNode score = api.get("/api/founder/email/tracking-score/pat@patients.example").body();
        assertThat(score.get("recipient").asString()).isEqualTo("pat@patients.example");
        assertThat(score.get("score").get("communication_count_30d").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(api.get("/api/founder/email/tracking-score/not-an-address").status()).isEqualTo(422);
        JsonNode failed = api.get("/api/founder/email/failed-deliveries").body();
        assertThat(failed.get("success").asBoolean()).isTrue();
        assertThat(failed.get("failed_deliveries").isArray()).isTrue();
        Api.Response billing = userWithRoles(orgId, "postroom.test", Set.of("billing"))
                .get("/api/founder/email/stats");
        assertThat(billing.status()).isEqualTo(403);
        assertThat(billing.detail()).isEqualTo("FOUNDER_ACCESS_REQUIRED");
    }

    @Test
    void exportsMatchingMailAsMboxAndPublishesTheApiDocument() {
        String word = MailboxFixture.word();
        box.deliver(TestMail.message().subject("Export one " + word).text("From here on, a line mbox must quote.\n"
                        + ">From and this one too."),
                TestMail.message().subject("Export two " + word));
        Api.Response export = api.get("/api/mail/export?q=" + word);
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Type").orElse("")).startsWith("application/mbox");
        assertThat(export.headers().firstValue("Content-Disposition").orElse("")).startsWith("attachment");
        String mbox = export.raw();
        assertThat(mbox).startsWith("From alice@example.org ");
        assertThat(mbox.split("\n(?=From )")).hasSize(2);
        assertThat(mbox).contains("\n>From here on").contains("\n>>From and this one too.")
                .contains("Subject: Export one " + word).contains("Subject: Export two " + word);
        assertThat(api.get("/api/audit?action=email.exported").body().get("events").get(0).get("details")
                .get("messages").asInt()).isEqualTo(2);
        assertThat(userWithRoles(orgId, "postroom.test", Set.of("billing")).get("/api/mail/export?q=" + word)
                .status()).isEqualTo(403);
        assertThat(api.get("/api/mail/export?q=(" + word).status()).isEqualTo(400);

        Api.Response openApi = new Api(port).get("/v3/api-docs");
        assertThat(openApi.status()).isEqualTo(200);
        assertThat(openApi.raw()).contains("/api/mail/search").contains("/api/email/threads/{id}");
    }

    private Api.Response change(String action, UUID id) {
        return api.post("/api/mail/changes", Map.of("action", action, "message_ids", List.of(id)));
    }

    private String flags(UUID id) {
        return jdbc.sql("SELECT folder || CASE WHEN seen THEN ' seen' ELSE '' END || "
                + "CASE WHEN flagged THEN ' flagged' ELSE '' END FROM email_message WHERE id = ?").param(id)
                .query(String.class).single();
    }

    static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (value.equals(n.path(field).asString(null))) {
                return n;
            }
        }
        throw new AssertionError("no element with " + field + "=" + value + " in " + array);
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.propertyNames().forEach(names::add);
        return names;
    }
}
