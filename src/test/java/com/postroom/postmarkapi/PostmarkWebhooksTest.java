package com.postroom.postmarkapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postmarkapp.postmark.Postmark;
import com.postmarkapp.postmark.client.ApiClient;
import com.postmarkapp.postmark.client.data.model.message.Message;
import com.postroom.support.Api;
import com.postroom.support.SandboxTest;

import tools.jackson.databind.JsonNode;

/**
 * Postroom's events reaching a webhook handler in Postmark's format: Delivery when the mail server takes a message,
 * Bounce when a bounce is reported, SubscriptionChange when an address is suppressed; with the handler's Basic auth
 * and headers, a stable event id, and a handler that fails first getting the same event again.
 */
@SandboxTest
class PostmarkWebhooksTest {

    record Call(String auth, String secret, String eventId, JsonNode body) {
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;

    com.sun.net.httpserver.HttpServer handler;
    final List<Call> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger failFirst = new AtomicInteger();
    String token;
    ApiClient client;

    @BeforeEach
    void start() throws Exception {
        handler = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        handler.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            calls.add(new Call(exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("X-Secret"),
                    exchange.getRequestHeaders().getFirst("X-Postroom-Event-Id"), Api.JSON.readTree(body)));
            int status = failFirst.getAndDecrement() > 0 ? 500 : 200;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        handler.start();
        Api admin = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        token = admin.post("/api/postmark/servers", Map.of("name", "hooks")).body().get("token").asString();
        client = Postmark.getApiClient(token, false, "localhost:" + port);
        HttpResponse<String> created = postmark("POST", "/webhooks", """
                {"Url": "http://127.0.0.1:%d/hook", "MessageStream": "outbound",
                 "HttpAuth": {"Username": "platform", "Password": "hook-secret"},
                 "HttpHeaders": [{"Name": "X-Secret", "Value": "s3"}],
                 "Triggers": {"Delivery": {"Enabled": true}, "Bounce": {"Enabled": true},
                              "SubscriptionChange": {"Enabled": true}, "Open": {"Enabled": true}}}
                """.formatted(handler.getAddress().getPort()));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(created.body()).contains("\"Password\":\"\"").doesNotContain("hook-secret");
    }

    @AfterEach
    void stop() {
        handler.stop(0);
    }

    HttpResponse<String> postmark(String method, String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("X-Postmark-Server-Token", token).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    List<Call> of(String type, String messageId) {
        return calls.stream().filter(c -> c.body().path("RecordType").asString("").equals(type)
                && (messageId == null || c.body().path("MessageID").asString("").equals(messageId))).toList();
    }

    @Test
    void deliveryBounceAndSubscriptionChangeReachTheHandlerOnceEachWithRetries() throws Exception {
        failFirst.set(1); // the handler's first answer is a 500: the event comes again, with the same id
        String to = "hook-" + UUID.randomUUID().toString().substring(0, 6) + "@postroom.test";
        Message message = new Message("noreply@postroom.test", to, "Run sheet", null, "x");
        message.setTag("runs");
        message.addMetadata("run", "7");
        String id = client.deliverMessage(message).getMessageId();

        await().atMost(Duration.ofSeconds(20)).until(() -> of("Delivery", id).size() >= 2);
        List<Call> deliveries = of("Delivery", id);
        assertThat(deliveries.get(0).eventId()).isEqualTo(deliveries.get(1).eventId());
        Call delivery = deliveries.get(1);
        assertThat(delivery.auth()).isEqualTo("Basic " + java.util.Base64.getEncoder()
                .encodeToString("platform:hook-secret".getBytes(StandardCharsets.UTF_8)));
        assertThat(delivery.secret()).isEqualTo("s3");
        assertThat(delivery.body().path("Recipient").asString()).isEqualTo(to);
        assertThat(delivery.body().path("Tag").asString()).isEqualTo("runs");
        assertThat(delivery.body().path("Metadata").path("run").asString()).isEqualTo("7");
        assertThat(delivery.body().path("Details").asString()).startsWith("250");
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql("SELECT status FROM webhook_delivery WHERE "
                + "payload ->> 'MessageID' = ? AND record_type = 'Delivery'").param(id).query(String.class).single()
                .equals("delivered"));

        long org = jdbc.sql("SELECT org_id FROM email_message WHERE id = ?").param(UUID.fromString(id))
                .query(Long.class).single();
        jdbc.sql("INSERT INTO bounce (org_id, outbound_message, recipient, hard, status_code, diagnostic, source) "
                + "VALUES (?, ?, ?, true, '5.1.1', 'user unknown', 'dsn')").params(org, UUID.fromString(id), to)
                .update();
        await().atMost(Duration.ofSeconds(20)).until(() -> of("Bounce", id).size() == 1);
        JsonNode bounce = of("Bounce", id).get(0).body();
        assertThat(bounce.path("Type").asString()).isEqualTo("HardBounce");
        assertThat(bounce.path("Email").asString()).isEqualTo(to);
        assertThat(bounce.path("Details").asString()).isEqualTo("5.1.1 user unknown");

        HttpResponse<String> suppressed = postmark("POST", "/message-streams/outbound/suppressions",
                "{\"Suppressions\": [{\"EmailAddress\": \"" + to + "\"}]}");
        assertThat(suppressed.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> of("SubscriptionChange", id).size() == 1);
        JsonNode change = of("SubscriptionChange", id).get(0).body();
        assertThat(change.path("Recipient").asString()).isEqualTo(to);
        assertThat(change.path("SuppressSending").asBoolean()).isTrue();
        assertThat(change.path("Origin").asString()).isEqualTo("Customer");

        // Once each: a few more rounds bring nothing new.
        Thread.sleep(1500);
        assertThat(of("Bounce", id)).hasSize(1);
        assertThat(of("Delivery", id)).hasSize(2);
    }
}
