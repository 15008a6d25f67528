package com.postroom.postmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.support.Api;

/** With POSTMARK_SERVER_TOKEN set: authenticated webhooks feed the inbound pipeline and update outbound mail. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "POSTROOM_DATA_DIR=target/test-data/postmark-${random.uuid}",
        "SANDBOX_SMTP_PORT=0", "SANDBOX_IMAP_PORT=0",
        "POSTROOM_ADMIN_PASSWORD=" + PostmarkConfiguredTest.ADMIN_PASSWORD,
        "POSTMARK_SERVER_TOKEN=" + PostmarkConfiguredTest.TOKEN,
        "POSTMARK_WEBHOOK_USERNAME=postmark", "POSTMARK_WEBHOOK_PASSWORD=" + PostmarkConfiguredTest.HOOK_PASSWORD,
        "POSTMARK_REQUIRE_SIGNATURE=true", "IMAP_IDLE=false"})
class PostmarkConfiguredTest {

    static final String ADMIN_PASSWORD = "postmark-admin-password-for-tests";
    static final String TOKEN = "postmark-server-token-for-tests";
    static final String HOOK_PASSWORD = "postmark-hook-password-for-tests";

    /** POSTMARK.md's sample, addressed to the demo organization. */
    static final String SAMPLE = """
            {"FromName":"Postmarkapp Support","MessageStream":"inbound","From":"support@postmarkapp.com",
             "FromFull":{"Email":"support@postmarkapp.com","Name":"Postmarkapp Support","MailboxHash":""},
             "To":"\\"Firstname Lastname\\" <support@postroom.test>",
             "ToFull":[{"Email":"support@postroom.test","Name":"Firstname Lastname","MailboxHash":"SampleHash"}],
             "Cc":"\\"First Cc\\" <firstcc@postmarkapp.com>, secondCc@postmarkapp.com>",
             "CcFull":[{"Email":"firstcc@postmarkapp.com","Name":"First Cc","MailboxHash":""},{"Email":"secondCc@postmarkapp.com","Name":"","MailboxHash":""}],
             "Bcc":"","BccFull":[],"OriginalRecipient":"support@postroom.test","Subject":"Test subject ID",
             "MessageID":"ID","ReplyTo":"replyto@postmarkapp.com","MailboxHash":"SampleHash",
             "Date":"Fri, 1 Aug 2014 16:45:32 -04:00","TextBody":"This is a test text body.",
             "HtmlBody":"<html><body><p>This is a test html body.</p></body></html>",
             "StrippedTextReply":"This is the reply text","Tag":"TestTag",
             "Headers":[{"Name":"X-Spam-Status","Value":"No"},{"Name":"X-Spam-Score","Value":"-0.1"}],
             "Attachments":[{"Name":"test.txt","Content":"VGhpcyBpcyBhdHRhY2htZW50IGNvbnRlbnRzLCBiYXNlLTY0IGVuY29kZWQu","ContentType":"text/plain","ContentLength":45}]}
            """;

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;

    private Api.Response hook(String path, String body, boolean basic, boolean signed) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new java.util.HashMap<>();
        if (basic) {
            headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(("postmark:" + HOOK_PASSWORD)
                    .getBytes(StandardCharsets.UTF_8)));
        }
        if (signed) {
            headers.put("X-Postmark-Signature", sign(bytes));
        }
        return new Api(port).postRaw(path, bytes, headers);
    }

    static String sign(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theSamplePayloadIsStoredOnceEvenWhenPostmarkRetriesIt() {
        String id = UUID.randomUUID().toString();
        String body = SAMPLE.replace("\"MessageID\":\"ID\"", "\"MessageID\":\"" + id + "\"").replace("Test subject ID",
                "Test subject " + id);
        Api.Response first = hook("/api/email/inbound/postmark", body, true, true);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body().get("message").get("direction").asString()).isEqualTo("inbound");
        assertThat(first.body().get("message").get("sender").asString()).isEqualTo("support@postmarkapp.com");
        assertThat(first.body().get("message").get("body_plain").asString()).isEqualTo("This is a test text body.");
        assertThat(first.body().get("message").get("body_html").asString()).contains("This is a test html body.");
        assertThat(first.body().get("attachments").get(0).get("filename").asString()).isEqualTo("test.txt");
        assertThat(first.body().get("attachments").get(0).get("size_bytes").asLong()).isEqualTo(45);
        assertThat(first.body().get("labels").toString()).contains("attachments");
        assertThat(first.body().get("decision").get("rule_ids").get(0).asString()).isEqualTo("EMAIL.INGEST.ALLOW.v1");

        Api.Response retry = hook("/api/founder/email/webhook/inbound", body, true, true);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.body().get("message").get("id").asString())
                .isEqualTo(first.body().get("message").get("id").asString());
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE subject = ?").param("Test subject " + id)
                .query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void withoutCredentialsOrSignatureTheWebhookRefusesAndStoresNothing() {
        String id = UUID.randomUUID().toString();
        String body = SAMPLE.replace("\"MessageID\":\"ID\"", "\"MessageID\":\"" + id + "\"").replace("Test subject ID",
                "Refused " + id);
        assertThat(hook("/api/email/inbound/postmark", body, false, true).status()).isEqualTo(401);
        assertThat(hook("/api/email/inbound/postmark", body, true, false).status()).isEqualTo(401);
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE subject = ?").param("Refused " + id)
                .query(Long.class).single()).isZero();
    }

    @Test
    void anUnknownRecipientDomainIs404AndOtherRecordTypesAreIgnored() {
        String unknown = SAMPLE.replace("support@postroom.test", "someone@elsewhere.example");
        Api.Response r = hook("/api/email/inbound/postmark", unknown, true, true);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.raw()).isEqualTo("{\"detail\":\"Unknown org domain\"}");
        Api.Response ignored = hook("/api/email/inbound/postmark", "{\"RecordType\":\"Bounce\",\"MessageID\":\"x\"}",
                true, true);
        assertThat(ignored.status()).isEqualTo(200);
        assertThat(ignored.raw()).isEqualTo("{\"status\":\"ignored\"}");
        assertThat(hook("/api/email/inbound/postmark", "not json", true, true).status()).isEqualTo(400);
    }

    @Test
    void bounceDeliveryAndComplaintEventsUpdateTheOutboundMessage() {
        Api api = new Api(port).login("founder@postroom.test", ADMIN_PASSWORD);
        String target = "pm-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
        Api.Response sent = api.post("/api/email/send", Map.of("sender", "founder@postroom.test",
                "recipients", List.of(target), "subject", "pm", "body_plain", "x"));
        String id = sent.body().get("message").get("id").asString();
        // Postmark reports on a message it has sent: wait for our own send to finish first.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> api.get("/api/email/outbound/" + id).body().path("status").asString().equals("sent"));

        Api.Response delivered = hook("/api/email/webhooks/postmark/delivery", "{\"RecordType\":\"Delivery\","
                + "\"MessageID\":\"" + id + "\",\"Recipient\":\"" + target + "\"}", true, true);
        assertThat(delivered.status()).isEqualTo(200);
        assertThat(status(id)).isEqualTo("delivered");

        Api.Response bounced = hook("/api/email/webhooks/postmark/bounce", "{\"RecordType\":\"Bounce\",\"Type\":"
                + "\"HardBounce\",\"TypeCode\":1,\"MessageID\":\"" + id + "\",\"Email\":\"" + target + "\","
                + "\"Description\":\"The server was unable to deliver your message\",\"Details\":\"550 no such user\"}",
                true, true);
        assertThat(bounced.status()).isEqualTo(200);
        assertThat(status(id)).isEqualTo("bounced");
        assertThat(api.get("/api/email/suppressions").raw()).contains(target);

        Api.Response unknown = hook("/api/email/webhooks/postmark/bounce", "{\"RecordType\":\"Bounce\",\"MessageID\":"
                + "\"" + UUID.randomUUID() + "\"}", true, true);
        assertThat(unknown.status()).isEqualTo(200);
        assertThat(unknown.body().get("status").asString()).isEqualTo("ignored");
    }

    private String status(String id) {
        return jdbc.sql("SELECT status FROM email_message WHERE id = ?::uuid").param(id).query(String.class).single();
    }
}
