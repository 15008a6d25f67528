package com.postroom.postmarkapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postmarkapp.postmark.Postmark;
import com.postmarkapp.postmark.client.ApiClient;
import com.postmarkapp.postmark.client.data.model.message.Message;
import com.postmarkapp.postmark.client.data.model.message.MessageResponse;
import com.postmarkapp.postmark.client.exception.InvalidAPIKeyException;
import com.postmarkapp.postmark.client.exception.InvalidMessageException;
import com.postroom.outbound.Suppressions;
import com.postroom.sandbox.Sandbox;
import com.postroom.support.Api;
import com.postroom.support.Inboxes;
import com.postroom.support.SandboxTest;

/**
 * Postmark's official Java client (com.postmarkapp:postmark) sending through Postroom with only its API host and
 * server token changed: a single message with a header, metadata and an inline image, a batch of 500 with
 * attachments, and the refusals its users handle (bad token, invalid request, a sender the token may not use, an
 * inactive recipient), each as the client's own exception with Postmark's error code.
 */
@SandboxTest
class PostmarkJavaClientTest {

    @LocalServerPort
    int port;
    @Autowired
    Sandbox sandbox;
    @Autowired
    Suppressions suppressions;
    @Autowired
    JdbcClient jdbc;

    ApiClient client;
    String token;

    @BeforeEach
    void server() {
        Api admin = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        Api.Response created = admin.post("/api/postmark/servers", Map.of("name", "platform",
                "senders", List.of("billing@postroom.test", "noreply@postroom.test")));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        token = created.body().get("token").asString();
        client = Postmark.getApiClient(token, false, "localhost:" + port);
    }

    @Test
    void aMessageSentWithThePostmarkClientArrivesWithItsHeadersAndInlineImage() throws Exception {
        String subject = "Statement ready " + UUID.randomUUID();
        Message message = new Message("Billing <billing@postroom.test>", "\"Roe, Jane\" <jane@postroom.test>",
                subject, "<p>Your statement <img src=\"cid:logo\"></p>", "Your statement");
        message.setReplyTo("support@postroom.test");
        message.setTag("statements");
        message.addHeader("X-Run", "42");
        message.addMetadata("statement", "S-1");
        // Written as a Content-ID header writes it: the angle brackets are not part of the id.
        message.addAttachment("logo.png", new byte[] {(byte) 0x89, 'P', 'N', 'G'}, "image/png", "<logo>");
        MessageResponse response = client.deliverMessage(message);

        assertThat(response.getErrorCode()).isZero();
        assertThat(response.getMessage()).isEqualTo("OK");
        assertThat(response.getTo()).isEqualTo("\"Roe, Jane\" <jane@postroom.test>");
        assertThat(response.getSubmittedAt()).isNotNull();
        UUID id = UUID.fromString(response.getMessageId());
        var greenMail = sandbox.server().orElseThrow().greenMail();
        await().atMost(Duration.ofSeconds(10)).until(() -> !Inboxes.withSubjectContaining(greenMail, subject).isEmpty());
        MimeMessage m = Inboxes.withSubjectContaining(greenMail, subject).get(0);
        assertThat(m.getFrom()[0].toString()).isEqualTo("Billing <billing@postroom.test>");
        assertThat(m.getHeader("X-Run")[0]).isEqualTo("42");
        assertThat(m.getReplyTo()[0].toString()).isEqualTo("support@postroom.test");
        assertThat(new String(m.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isNotNull();
        assertThat(partWithContentId(m, "<logo>")).isTrue();
        // Stored like every other message, with what Postmark's reading API will need.
        String meta = jdbc.sql("SELECT meta::text FROM email_message WHERE id = ?").param(id).query(String.class)
                .single();
        // An application's mail: no copy in the IMAP Sent folder.
        assertThat(jdbc.sql("SELECT sent_copy FROM outbox WHERE message_id = ?").param(id).query(String.class)
                .single()).isEqualTo("skip");
        assertThat(meta).contains("\"tag\": \"statements\"").contains("\"statement\": \"S-1\"")
                .contains("\"stream\": \"outbound\"");

        // Found again by Postmark's filters: sender, part of the subject, a metadata field.
        java.util.function.Function<com.postmarkapp.postmark.client.Parameters, Integer> found = p -> {
            try {
                return client.getMessages(p.build("count", 10).build("offset", 0)).getTotalCount();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        String part = subject.substring("Statement ready ".length());
        assertThat(found.apply(com.postmarkapp.postmark.client.Parameters.init().build("subject", part)
                .build("fromemail", "BILLING@postroom.test").build("metadata_statement", "S-1"))).isEqualTo(1);
        assertThat(found.apply(com.postmarkapp.postmark.client.Parameters.init().build("subject", part)
                .build("fromemail", "noreply@postroom.test"))).isZero();
        assertThat(found.apply(com.postmarkapp.postmark.client.Parameters.init().build("subject", part)
                .build("metadata_statement", "S-2"))).isZero();
        // A LIKE wildcard in the subject is taken literally.
        assertThat(found.apply(com.postmarkapp.postmark.client.Parameters.init().build("subject",
                part.substring(0, 8) + "_" + part.substring(9)))).isZero();
    }

    @Test
    void aBatchOf500WithAttachmentsIsAcceptedAtOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Message m = new Message("noreply@postroom.test", "crew" + (i % 7) + "@postroom.test",
                    "Run " + run + " #" + i, null, "Run sheet " + i);
            m.addAttachment("run-" + i + ".txt", ("run " + i).getBytes(StandardCharsets.UTF_8), "text/plain");
            batch.add(m);
        }
        long t0 = System.nanoTime();
        List<MessageResponse> responses = client.deliverMessage(batch);
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertThat(responses).hasSize(500).allSatisfy(r -> assertThat(r.getErrorCode()).isZero());
        assertThat(responses.stream().map(MessageResponse::getMessageId).distinct()).hasSize(500);
        long queued = jdbc.sql("SELECT count(*) FROM email_message WHERE subject LIKE ?").param("Run " + run + " #%")
                .query(Long.class).single();
        assertThat(queued).isEqualTo(500);
        System.out.println("Batch of 500 through the Postmark Java client: " + ms + " ms");
        var greenMail = sandbox.server().orElseThrow().greenMail();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> Inboxes.withSubjectContaining(greenMail, "Run " + run)
                .size() == 500);
    }

    @Test
    void refusalsComeAsThePostmarkClientsExceptionsWithPostmarksCodes() throws Exception {
        ApiClient wrong = Postmark.getApiClient("00000000-0000-0000-0000-000000000000", false, "localhost:" + port);
        assertThatThrownBy(() -> wrong.deliverMessage(new Message("billing@postroom.test", "a@postroom.test", "x",
                null, "x"))).isInstanceOf(InvalidAPIKeyException.class)
                .satisfies(e -> assertThat(((InvalidAPIKeyException) e).getErrorCode()).isEqualTo(10));

        assertThatThrownBy(() -> client.deliverMessage(new Message("billing@postroom.test", null, "no one", null,
                "x"))).isInstanceOf(InvalidMessageException.class)
                .satisfies(e -> assertThat(((InvalidMessageException) e).getErrorCode()).isEqualTo(300));
        assertThatThrownBy(() -> client.deliverMessage(new Message("billing@postroom.test", "a@postroom.test",
                "no body", null, null))).isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("TextBody or HtmlBody");
        // The token lists billing@ and noreply@: founder@ is not its to use.
        assertThatThrownBy(() -> client.deliverMessage(new Message("founder@postroom.test", "a@postroom.test",
                "x", null, "x"))).isInstanceOf(InvalidMessageException.class)
                .satisfies(e -> assertThat(((InvalidMessageException) e).getErrorCode()).isEqualTo(400));

        // A custom header may not replace what the message's own fields say: a From the token's senders never allowed.
        Message spoofed = new Message("billing@postroom.test", "a@postroom.test", "x", null, "x");
        spoofed.addHeader("From", "ceo@bank.example");
        assertThatThrownBy(() -> client.deliverMessage(spoofed)).isInstanceOf(InvalidMessageException.class)
                .satisfies(e -> assertThat(((InvalidMessageException) e).getErrorCode()).isEqualTo(300))
                .hasMessageContaining("'From' is written by Postroom");
        Message badName = new Message("billing@postroom.test", "a@postroom.test", "x", null, "x");
        badName.addHeader("X-Run: 1\r\nBcc", "evil@example.com");
        assertThatThrownBy(() -> client.deliverMessage(badName)).isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("is not usable");

        // An attachment whose type is not a MIME type is refused with the reason (it made composing fail: a 500).
        Message untyped = new Message("billing@postroom.test", "a@postroom.test", "x", null, "x");
        untyped.addAttachment("statement.pdf", new byte[] {'%', 'P'}, "pdf");
        assertThatThrownBy(() -> client.deliverMessage(untyped)).isInstanceOf(InvalidMessageException.class)
                .satisfies(e -> assertThat(((InvalidMessageException) e).getErrorCode()).isEqualTo(300))
                .hasMessageContaining("is not a MIME type");
        Message spacedId = new Message("billing@postroom.test", "a@postroom.test", "x", "<img src=\"cid:a b\">",
                "x");
        spacedId.addAttachment("logo.png", new byte[] {1}, "image/png", "cid:a b");
        assertThatThrownBy(() -> client.deliverMessage(spacedId)).isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("content ID 'a b'");

        String inactive = "gone-" + UUID.randomUUID().toString().substring(0, 6) + "@postroom.test";
        long org = jdbc.sql("SELECT org_id FROM postmark_server ORDER BY id DESC LIMIT 1").query(Long.class).single();
        suppressions.add(org, inactive, "hard bounce 5.1.1", "dsn");
        assertThatThrownBy(() -> client.deliverMessage(new Message("billing@postroom.test", inactive, "x", null,
                "x"))).isInstanceOf(InvalidMessageException.class)
                .satisfies(e -> assertThat(((InvalidMessageException) e).getErrorCode()).isEqualTo(406))
                .hasMessageContaining(inactive);

        // In a batch, the refused message is answered in its place and the others go.
        List<MessageResponse> mixed = client.deliverMessage(List.of(
                new Message("billing@postroom.test", "ok@postroom.test", "fine", null, "x"),
                new Message("billing@postroom.test", inactive, "not fine", null, "x")));
        assertThat(mixed.get(0).getErrorCode()).isZero();
        assertThat(mixed.get(1).getErrorCode()).isEqualTo(406);
    }

    @Test
    void whatWasSentIsReadBackWithItsEventsBouncesAndSuppressions() throws Exception {
        String patient = "pat-" + UUID.randomUUID().toString().substring(0, 6) + "@postroom.test";
        MessageResponse sent = client.deliverMessage(new Message("billing@postroom.test", patient, "Your statement",
                null, "Balance due"));
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql("SELECT status FROM email_message WHERE id = ?")
                .param(UUID.fromString(sent.getMessageId())).query(String.class).single().equals("sent"));

        var details = client.getMessageDetails(sent.getMessageId());
        assertThat(details.getSubject()).isEqualTo("Your statement");
        assertThat(details.getTextBody()).isEqualTo("Balance due");
        assertThat(details.getStatus()).isEqualTo("Sent");
        assertThat(details.getMessageEvents()).extracting(e -> e.getType()).containsExactly("Queued", "Delivered");
        assertThat(details.getMessageEvents().get(1).getDetails().get("DeliveryMessage")).startsWith("250");
        var found = client.getMessages(com.postmarkapp.postmark.client.Parameters.init().build("count", 10)
                .build("offset", 0).build("recipient", patient));
        assertThat(found.getTotalCount()).isEqualTo(1);
        assertThat(found.getMessages().get(0).getMessageId()).isEqualTo(sent.getMessageId());

        // A hard bounce reported for it (as a DSN would be): listed, the address inactive, then reactivated.
        long org = jdbc.sql("SELECT org_id FROM email_message WHERE id = ?").param(UUID.fromString(sent.getMessageId()))
                .query(Long.class).single();
        jdbc.sql("INSERT INTO bounce (org_id, outbound_message, recipient, hard, status_code, diagnostic, source) "
                + "VALUES (?, ?, ?, true, '5.1.1', 'user unknown', 'dsn')")
                .params(org, UUID.fromString(sent.getMessageId()), patient).update();
        suppressions.add(org, patient, "hard bounce 5.1.1", "dsn");
        var bounces = client.getBounces(com.postmarkapp.postmark.client.Parameters.init().build("count", 10)
                .build("offset", 0).build("emailFilter", patient));
        assertThat(bounces.getTotalCount()).isEqualTo(1);
        var bounce = bounces.getBounces().get(0);
        assertThat(bounce.getType()).isEqualTo("HardBounce");
        assertThat(bounce.getInactive()).isTrue();
        assertThat(bounce.getmessageId()).isEqualTo(sent.getMessageId());
        // Postmark's filters: by type, by whether the address is inactive (1 as PHP's client writes true), by dates.
        java.util.function.BiFunction<String, Object, Integer> filtered = (name, value) -> {
            try {
                return client.getBounces(com.postmarkapp.postmark.client.Parameters.init().build("count", 10)
                        .build("offset", 0).build("emailFilter", patient).build(name, String.valueOf(value)))
                        .getTotalCount();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertThat(filtered.apply("type", "HardBounce")).isEqualTo(1);
        assertThat(filtered.apply("type", "SoftBounce")).isZero();
        assertThat(filtered.apply("type", "Transient")).isZero();
        assertThat(filtered.apply("inactive", true)).isEqualTo(1);
        assertThat(filtered.apply("inactive", 1)).isEqualTo(1);
        assertThat(filtered.apply("inactive", false)).isZero();
        assertThat(filtered.apply("fromdate", java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1)
                .toString())).isEqualTo(1);
        assertThat(filtered.apply("todate", "2001-01-01")).isZero();
        assertThat(filtered.apply("messagestream", "broadcast")).isZero();
        assertThatThrownBy(() -> client.deliverMessage(new Message("billing@postroom.test", patient, "again", null,
                "x"))).isInstanceOf(InvalidMessageException.class);
        // The same bounce on its own, its (empty) dump, the server's delivery statistics.
        assertThat(client.getBounce(bounce.getId()).getEmail()).isEqualTo(patient);
        assertThat(client.getBounceDump(bounce.getId()).getBody()).isEmpty();
        var stats = client.getDeliveryStats();
        assertThat(stats.getInactiveMails()).isPositive();
        assertThat(stats.getBounces()).anySatisfy(b -> {
            assertThat(b.getName()).isEqualTo("All");
            assertThat(b.getCount()).isPositive();
        });
        assertThat(client.getMessageDump(sent.getMessageId()).getBody()).contains("Subject: Your statement");
        client.activateBounce(bounce.getId());
        assertThat(filtered.apply("inactive", true)).isZero();
        assertThat(client.deliverMessage(new Message("billing@postroom.test", patient, "again", null, "x"))
                .getErrorCode()).isZero();

        // Suppressions are per stream: suppressed on broadcast, the address still gets transactional mail.
        // A bad address in the list fails alone, as at Postmark: the good one is suppressed all the same.
        var created = client.createSuppressions("broadcast",
                new com.postmarkapp.postmark.client.data.model.suppressions.SuppressionEntries(
                        new String[] {"not an address", "nul\u0000@example.com", patient}));
        assertThat(created.getSuppressions().get(0).getStatus()).isEqualTo("Failed");
        assertThat(created.getSuppressions().get(0).getMessage()).contains("invalid email address");
        assertThat(created.getSuppressions().get(1).getStatus()).isEqualTo("Failed");
        assertThat(created.getSuppressions().get(2).getStatus()).isEqualTo("Suppressed");
        assertThat(client.getSuppressions("broadcast").getSuppressions())
                .anySatisfy(x -> assertThat(x.getEmailAddress()).isEqualTo(patient));
        Message broadcast = new Message("noreply@postroom.test", patient, "News", null, "x");
        broadcast.setMessageStream("broadcast");
        assertThatThrownBy(() -> client.deliverMessage(broadcast)).isInstanceOf(InvalidMessageException.class)
                .satisfies(e -> assertThat(((InvalidMessageException) e).getErrorCode()).isEqualTo(406));
        assertThat(client.deliverMessage(new Message("billing@postroom.test", patient, "receipt", null, "x"))
                .getErrorCode()).isZero();
        var deleted = client.deleteSuppressions("broadcast",
                new com.postmarkapp.postmark.client.data.model.suppressions.SuppressionEntries(new String[] {patient}));
        assertThat(deleted.getSuppressions().get(0).getStatus()).isEqualTo("Deleted");
        // Broadcast mail carries one-click unsubscribe.
        MessageResponse news = client.deliverMessage(broadcast);
        byte[] mime = jdbc.sql("SELECT mime FROM outbox WHERE message_id = ?")
                .param(UUID.fromString(news.getMessageId())).query(byte[].class).single();
        assertThat(new String(mime, StandardCharsets.UTF_8)).contains("List-Unsubscribe-Post: "
                + "List-Unsubscribe=One-Click");
    }

    @Test
    void theServerAndItsStreamsAreReadWithoutItsToken() throws Exception {
        var server = client.getServer();
        assertThat(server.getName()).isEqualTo("platform");
        assertThat(server.getApiTokens()).isEmpty();
        var streams = client.getMessageStreams();
        assertThat(streams.getTotalCount()).isEqualTo(2);
        assertThat(streams.getMessageStreams()).extracting(s -> s.getId()).containsExactly("outbound", "broadcast");
        assertThat(client.getMessageStream("broadcast").getMessageStreamType().toString()).isEqualTo("Broadcasts");
        assertThatThrownBy(() -> client.getMessageStream("newsletters")).isInstanceOf(InvalidMessageException.class);
    }

    @Test
    void templatesWithALayoutAreStoredValidatedAndSentWith() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        var layout = new com.postmarkapp.postmark.client.data.model.templates.TemplateContent();
        layout.setName("Letterhead");
        layout.setAlias("letterhead-" + suffix);
        layout.setTemplateType(com.postmarkapp.postmark.client.data.model.templates.TemplateTypes.Layout);
        layout.setHtmlBody("<header>{{company}}</header>{{{@content}}}<footer>Questions? {{phone}}</footer>");
        layout.setTextBody("{{{@content}}}\n-- {{company}}");
        client.createTemplate(layout);

        var statement = new com.postmarkapp.postmark.client.data.model.templates.TemplateContent();
        statement.setName("Statement");
        statement.setAlias("statement-" + suffix);
        statement.setSubject("Statement #{{number}} - Balance Due: ${{balance}}");
        statement.setHtmlBody("<p>Dear {{patient}},</p><table>{{#charges}}<tr><td>{{service}}</td><td>{{amount}}</td>"
                + "</tr>{{/charges}}</table>");
        statement.setTextBody("Dear {{patient}}, you owe ${{balance}}.");
        statement.setLayoutTemplate("letterhead-" + suffix);
        var created = client.createTemplate(statement);
        assertThat(created.getTemplateId()).isPositive();
        assertThat(client.getTemplate("statement-" + suffix).getSubject()).startsWith("Statement #{{number}}");

        // A broken template is refused when saved, with where it is broken.
        var broken = new com.postmarkapp.postmark.client.data.model.templates.TemplateContent();
        broken.setName("Broken");
        broken.setSubject("x");
        broken.setHtmlBody("<p>{{#charges}}{{service}}</p>");
        assertThatThrownBy(() -> client.createTemplate(broken)).isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("'charges' is never closed").hasMessageContaining("line 1");
        var check = new com.postmarkapp.postmark.client.data.model.templates.TemplateToValidate();
        check.setSubject("Hi {{name}}");
        check.setHtmlBody("<b>{{#items}}{{title}}{{/items}}</b>");
        check.setTextBody("{{#open}}");
        check.setTestRenderModel(Map.of("name", "Jane", "items", List.of(Map.of("title", "A"))));
        var validation = client.validateTemplate(check);
        assertThat(validation.getAllContentIsValid()).isFalse();
        assertThat(validation.getHtmlBody().getRenderedContent()).isEqualTo("<b>A</b>");
        assertThat(validation.getTextBody().getContentIsValid()).isFalse();
        assertThat(validation.getSubject().getRenderedContent()).isEqualTo("Hi Jane");

        var message = new com.postmarkapp.postmark.client.data.model.templates.TemplatedMessage(
                "billing@postroom.test", "jane@postroom.test");
        message.setTemplateAlias("statement-" + suffix);
        String number = "T-" + suffix;
        message.setTemplateModel(Map.of("number", number, "balance", "450.50", "patient", "Jane <Roe>",
                "company", "Acme EMS", "phone", "555-0100",
                "charges", List.of(Map.of("service", "ALS transport", "amount", "1250.50"))));
        MessageResponse sent = client.deliverMessageWithTemplate(message);
        assertThat(sent.getErrorCode()).isZero();
        var greenMail = sandbox.server().orElseThrow().greenMail();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> !Inboxes.withSubjectContaining(greenMail, "Statement #" + number).isEmpty());
        MimeMessage m = Inboxes.withSubjectContaining(greenMail, "Statement #" + number).get(0);
        assertThat(m.getSubject()).isEqualTo("Statement #" + number + " - Balance Due: $450.50");
        var details = client.getMessageDetails(sent.getMessageId());
        assertThat(details.getHtmlBody()).isEqualTo("<header>Acme EMS</header><p>Dear Jane &lt;Roe&gt;,</p><table><tr>"
                + "<td>ALS transport</td><td>1250.50</td></tr></table><footer>Questions? 555-0100</footer>");
        assertThat(details.getTextBody()).isEqualTo("Dear Jane <Roe>, you owe $450.50.\n-- Acme EMS");

        // A batch with templates: an unknown template is refused in its place.
        var unknown = new com.postmarkapp.postmark.client.data.model.templates.TemplatedMessage(
                "billing@postroom.test", "jane@postroom.test");
        unknown.setTemplateAlias("nope-" + suffix);
        unknown.setTemplateModel(Map.of());
        List<MessageResponse> batch = client.deliverMessageWithTemplate(List.of(message, unknown));
        assertThat(batch.get(0).getErrorCode()).isZero();
        assertThat(batch.get(1).getErrorCode()).isEqualTo(1101);

        var listed = client.getTemplates(com.postmarkapp.postmark.client.Parameters.init().build("count", 100)
                .build("offset", 0));
        assertThat(listed.getTemplates()).extracting(t -> t.getAlias()).contains("statement-" + suffix,
                "letterhead-" + suffix);
        assertThatThrownBy(() -> client.deleteTemplate("letterhead-" + suffix))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("used by templates");
        client.deleteTemplate("statement-" + suffix);
        assertThatThrownBy(() -> client.getTemplate("statement-" + suffix)).isInstanceOf(InvalidMessageException.class)
                .satisfies(e -> assertThat(((InvalidMessageException) e).getErrorCode()).isEqualTo(1101));
    }

    private static boolean partWithContentId(jakarta.mail.Part part, String id) throws Exception {
        if (part.getContent() instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart p = multipart.getBodyPart(i);
                String[] ids = p.getHeader("Content-ID");
                if (ids != null && ids[0].equals(id) || partWithContentId(p, id)) {
                    return true;
                }
            }
        }
        return false;
    }
}
