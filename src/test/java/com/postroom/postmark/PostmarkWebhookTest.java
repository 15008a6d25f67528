package com.postroom.postmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.postroom.support.Api;
import com.postroom.support.SandboxTest;

@SandboxTest
class PostmarkWebhookTest {

    @LocalServerPort
    int port;

    @Test
    void withoutAPostmarkTokenEveryWebhookAnswers501BeforeAnyAuthentication() {
        Api anonymous = new Api(port);
        for (String path : List.of("/api/email/inbound/postmark", "/api/founder/email/webhook/inbound",
                "/api/email/webhooks/postmark/bounce", "/api/email/webhooks/postmark/delivery",
                "/api/email/webhooks/postmark/spam-complaint")) {
            Api.Response r = anonymous.post(path, Map.of("MessageID", "x"));
            assertThat(r.status()).as(path).isEqualTo(501);
            assertThat(r.raw()).as(path).isEqualTo("{\"detail\":\"Postmark not configured. Use SMTP/IMAP and call "
                    + "POST /api/email/poll-inbound to fetch inbound mail.\"}");
        }
    }

    @Test
    void theDraftingAssistantIsNotConfiguredAndSaysSoInAShapeTheWidgetShows() {
        Api api = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        Api.Response r = api.post("/api/founder/email/draft", Map.of("to", "a@example.org"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("success").asBoolean()).isFalse();
        assertThat(r.body().path("error").asString()).isEqualTo("Drafting assistant not configured");
        assertThat(new Api(port).post("/api/founder/email/suggest-improvements", Map.of()).status()).isEqualTo(401);
    }
}
