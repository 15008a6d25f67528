package com.postroom.contact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.compat.ContactController;
import com.postroom.sandbox.Sandbox;
import com.postroom.support.Api;
import com.postroom.support.Inboxes;
import com.postroom.support.SandboxTest;

@SandboxTest
class ContactApiTest {

    @LocalServerPort
    int port;
    @Autowired
    Sandbox sandbox;
    @Autowired
    JdbcClient jdbc;

    @Test
    void aSubmissionIsStoredAndSentToSupportWithReplyToTheSubmitterThenTheSixthIn_anHourIs429() throws Exception {
        jdbc.sql("DELETE FROM contact_submission WHERE client_ip = '127.0.0.1'").update();
        Api anonymous = new Api(port);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Api.Response r = anonymous.post("/api/contact", Map.of("name", "Dana Scully", "email", "dana@example.org",
                "organization", "County EMS", "subject", "Billing question " + tag,
                "message", "Please call me about invoice 1234."));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("ok").asBoolean()).isTrue();
        assertThat(r.body().path("message").asString()).isEqualTo(ContactController.THANKS);
        long reference = r.body().path("reference_id").asLong();
        assertThat(reference).isPositive();

        var greenMail = sandbox.server().orElseThrow().greenMail();
        await().atMost(Duration.ofSeconds(10)).until(() -> !Inboxes.withSubjectContaining(greenMail, tag).isEmpty());
        MimeMessage m = Inboxes.withSubjectContaining(greenMail, tag).get(0);
        assertThat(m.getAllRecipients()[0].toString()).isEqualTo("support@postroom.test");
        assertThat(m.getReplyTo()[0].toString()).contains("dana@example.org");
        assertThat(m.getFrom()[0].toString()).isEqualTo("noreply@postroom.test");

        for (int i = 0; i < 4; i++) {
            assertThat(anonymous.post("/api/v1/contact", Map.of("name", "Dana", "email", "dana@example.org",
                    "message", "Another message number " + i)).status()).isEqualTo(200);
        }
        Api.Response limited = anonymous.post("/api/contact", Map.of("name", "Dana", "email", "dana@example.org",
                "message", "One message too many"));
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.detail()).contains("try again in an hour");
        jdbc.sql("DELETE FROM contact_submission WHERE client_ip = '127.0.0.1'").update();
    }

    @Test
    void invalidFormsAreRefusedWithTheFieldToFix() {
        Api anonymous = new Api(port);
        assertThat(anonymous.post("/api/contact", Map.of("name", "D", "email", "d@example.org",
                "message", "long enough message")).detail()).startsWith("name");
        assertThat(anonymous.post("/api/contact", Map.of("name", "Dana", "email", "nope",
                "message", "long enough message")).detail()).startsWith("email");
        Api.Response shortMessage = anonymous.post("/api/contact", Map.of("name", "Dana", "email", "d@example.org",
                "message", "short"));
        assertThat(shortMessage.status()).isEqualTo(422);
        assertThat(shortMessage.detail()).startsWith("message");
    }
}
