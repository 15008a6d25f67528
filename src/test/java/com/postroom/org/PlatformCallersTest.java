package com.postroom.org;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.postroom.support.Api;

import tools.jackson.databind.JsonNode;

/**
 * The platform's real callers, replayed against the running server as the platform makes them: its frontend with its
 * own login token (a number for a user, no email) in the Authorization header or in its {@code session} cookie, from
 * another origin; its backend's sends; its widget's reads; the original's test payloads. Each checks the fields the
 * caller reads, by name and type.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "POSTROOM_DATA_DIR=target/test-data/platform-${random.uuid}", "SANDBOX_SMTP_PORT=0", "SANDBOX_IMAP_PORT=0",
        "POSTROOM_ADMIN_PASSWORD=platform-admin-password",
        // The platform's secret is 24 bytes: accepted, with a warning in the log.
        "AUTH_JWT_SECRET=" + PlatformCallersTest.SECRET,
        "CORS_ALLOWED_ORIGINS=http://localhost:3000",
        "POSTMARK_SERVER_TOKEN=" + PlatformCallersTest.POSTMARK_TOKEN, "POSTMARK_REQUIRE_SIGNATURE=true",
        "OUTBOX_RETRY_BASE_DELAY=200ms", "OUTBOX_POLL_INTERVAL=200ms", "DNS_RESOLVER=127.0.0.1:9",
        "UNDO_SEND_WINDOW=0"})
class PlatformCallersTest {

    static final String SECRET = "platform-secret-24-bytes";
    static final String POSTMARK_TOKEN = "postmark-server-token-for-tests";
    static final String FRONTEND = "http://localhost:3000";

    @LocalServerPort
    int port;
    @Autowired
    Organizations organizations;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    Users users;
    @Autowired
    org.springframework.security.crypto.password.PasswordEncoder passwords;

    long orgId;

    @BeforeEach
    void setUp() {
        orgId = organizations.primary().orElseThrow().id();
    }

    /** The platform's login token: HS256, {"sub":"<user id>","org":<int>,"role":"<role>","mfa":false,"jti",...}. */
    private String loginToken(String userId, String role) {
        try {
            long now = System.currentTimeMillis();
            JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(userId).claim("org", orgId).claim("role", role)
                    .claim("mfa", false).jwtID(UUID.randomUUID().toString()).issueTime(new Date(now))
                    .expirationTime(new Date(now + 3_600_000)).build();
            // Signed by hand: Nimbus's own signer refuses a key under 32 bytes, the platform's is 24.
            Base64URL header = new JWSHeader(JWSAlgorithm.HS256).toBase64URL();
            Base64URL payload = Base64URL.encode(claims.toString());
            String input = header + "." + payload;
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return input + "." + Base64URL.encode(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Api as(String userId, String role) {
        return new Api(port).withToken(loginToken(userId, role));
    }

    private static Map<String, Object> send(String sender, String subject) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        if (sender != null) {
            body.put("sender", sender);
        }
        body.put("recipients", List.of("patient@example.org"));
        body.put("subject", subject);
        body.put("body_plain", "Your statement is attached.");
        return body;
    }

    @Test
    void theLoginTokenWithoutAnEmailIsTheUserOfThatNumberAndTheAuditNamesThem() {
        Api billing = as("17", "billing");
        Api.Response threads = billing.get("/api/email/threads");
        assertThat(threads.status()).as(threads.raw()).isEqualTo(200);
        assertThat(threads.body().isArray()).isTrue();

        Api.Response sent = billing.post("/api/email/send", send("billing@postroom.test", "From the platform"));
        assertThat(sent.status()).as(sent.raw()).isEqualTo(201);
        // A subject of thousands of characters that do not compress: its conversation's key fits its index.
        java.util.Random random = new java.util.Random(7);
        String noise = random.ints(10_000, 'a', 'z' + 1).collect(StringBuilder::new, StringBuilder::appendCodePoint,
                StringBuilder::append).toString();
        Api.Response longSubject = billing.post("/api/email/send", send("billing@postroom.test", noise));
        assertThat(longSubject.status()).as(longSubject.raw()).isEqualTo(201);
        String threadId = sent.body().at("/message/thread_id").asString();
        assertThat(billing.get("/api/email/threads/" + threadId).status()).isEqualTo(200);
        assertThat(jdbc.sql("SELECT actor_email FROM audit_event WHERE target_id = ? ORDER BY id DESC LIMIT 1")
                .param(threadId).query(String.class).single()).isEqualTo("user 17 (platform)");
    }

    @Test
    void aRoleThePlatformHasAndPostroomDoesNotGetsTheLeastAccess() {
        Api crew = as("23", "crew_member");
        assertThat(crew.get("/api/email/labels").status()).isEqualTo(200);
        assertThat(crew.post("/api/email/send", send("support@postroom.test", "x")).status()).isEqualTo(403);
        assertThat(crew.post("/api/email/poll-inbound", Map.of()).status()).isEqualTo(403);
        assertThat(crew.get("/api/founder/email/stats").status()).isEqualTo(403);
    }

    @Test
    void theSessionCookieWorksForTheApiButNotForAChangeFromAnotherSite() {
        Api anonymous = new Api(port);
        String cookie = "session=" + loginToken("31", "founder");
        Api.Response read = anonymous.exchange("GET", "/api/founder/email/stats", null, Map.of("Cookie", cookie));
        assertThat(read.status()).as(read.raw()).isEqualTo(200);
        assertThat(read.body().at("/stats/unread_messages").isNumber()).isTrue();

        String json = Api.JSON.writeValueAsString(send("founder@postroom.test", "From the frontend"));
        assertThat(anonymous.exchange("POST", "/api/email/send", json, Map.of("Cookie", cookie, "Origin",
                FRONTEND)).status()).isEqualTo(201);
        assertThat(anonymous.exchange("POST", "/api/email/send", json, Map.of("Cookie", cookie, "Origin",
                "https://evil.example")).status()).as("a cross-site change is refused").isIn(401, 403);
        assertThat(anonymous.exchange("GET", "/dashboard", null, Map.of("Cookie", cookie, "Accept", "text/html"))
                .status()).as("the cookie opens no page").isEqualTo(302);
    }

    @Test
    void theFrontendsOriginMayCallTheApiAndNoOtherOriginMay() {
        Api anonymous = new Api(port);
        Api.Response preflight = anonymous.exchange("OPTIONS", "/api/email/threads", null, Map.of("Origin", FRONTEND,
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type"));
        assertThat(preflight.status()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(FRONTEND);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");

        Api.Response foreign = anonymous.exchange("OPTIONS", "/api/email/threads", null, Map.of("Origin",
                "https://evil.example", "Access-Control-Request-Method", "GET"));
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

        Api.Response read = as("17", "billing").exchange("GET", "/api/email/labels", null, Map.of("Origin", FRONTEND));
        assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).hasValue(FRONTEND);
    }

    @Test
    void aSendWithoutSenderGoesFromTheDefaultIdentityAndOneWithoutRecipientsIsRefused() {
        Api founder = as("1", "founder");
        Api.Response sent = founder.post("/api/email/send", send(null, "No sender given"));
        assertThat(sent.status()).as(sent.raw()).isEqualTo(201);
        assertThat(sent.body().at("/message/sender").asString()).isEqualTo("founder@postroom.test");
        assertThat(sent.body().at("/message/status").asString()).isNotEqualTo("blocked");

        Api.Response dispatcher = as("2", "dispatcher").post("/api/email/send", send(null, "Dispatcher default"));
        assertThat(dispatcher.status()).isEqualTo(201);
        assertThat(dispatcher.body().at("/message/sender").asString()).as("the first the role may use")
                .isEqualTo("support@postroom.test");

        Map<String, Object> noRecipients = new java.util.HashMap<>(send(null, "Nobody"));
        noRecipients.remove("recipients");
        Api.Response refused = founder.post("/api/email/send", noRecipients);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.detail()).isEqualTo("Recipients required");
    }

    @Test
    void whoMaySendAsWhichIdentityIsOneRuleByRole() {
        Map<String, Map<String, Integer>> expected = Map.of(
                "dispatcher", Map.of("founder@postroom.test", 403, "billing@postroom.test", 403,
                        "made-up@postroom.test", 403, "support@postroom.test", 201, "noreply@postroom.test", 201),
                "billing", Map.of("founder@postroom.test", 403, "billing@postroom.test", 201,
                        "made-up@postroom.test", 403, "support@postroom.test", 201),
                "founder", Map.of("founder@postroom.test", 201, "billing@postroom.test", 201,
                        "made-up@postroom.test", 201, "someone@elsewhere.example", 422),
                "admin", Map.of("founder@postroom.test", 201, "made-up@postroom.test", 201));
        expected.forEach((role, senders) -> senders.forEach((sender, status) -> {
            Api.Response r = as("40", role).post("/api/email/send", send(sender, role + " as " + sender));
            assertThat(r.status()).as(role + " sending as " + sender + ": " + r.raw()).isEqualTo(status);
            if (status == 403) {
                assertThat(r.detail()).contains("may not send as " + sender);
            }
        }));
    }

    @Test
    void commsSendsFromTheFirstIdentityTheRoleMayUse() {
        Api.Response r = as("6", "compliance").post("/api/comms/send/email", Map.of("subject", "Records request",
                "recipients", List.of("patient@example.org"), "body_plain", "Attached."));
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        assertThat(r.body().at("/message/sender").asString()).isEqualTo("support@postroom.test");
    }

    @Test
    void theWebComposerHoldsADispatcherToTheSameRule() {
        String email = "dispatch-" + UUID.randomUUID().toString().substring(0, 6) + "@postroom.test";
        users.create(orgId, email, passwords.encode("dispatcher-password"), java.util.Set.of("dispatcher"));
        com.postroom.support.WebClient web = com.postroom.support.WebClient.signedIn(port, email,
                "dispatcher-password");
        for (String from : List.of("founder@postroom.test", "billing@postroom.test", "made-up@postroom.test")) {
            var refused = web.post("/mail/compose", Map.of("_csrf", web.csrf("/mail/compose"), "from", from,
                    "to", "patient@example.org", "subject", "As " + from, "body", "x"));
            assertThat(refused.statusCode()).as("a dispatcher composing as " + from).isEqualTo(403);
        }
        var sent = web.post("/mail/compose", Map.of("_csrf", web.csrf("/mail/compose"), "from",
                "support@postroom.test", "to", "patient@example.org", "subject", "As support", "body", "x"));
        assertThat(sent.statusCode()).isEqualTo(302);
    }

    @Test
    void aCallerMayWaitForTheFirstAttemptAndSeeSent() {
        Api founder = as("1", "founder");
        Api.Response waited = founder.post("/api/email/send?wait=10s", send(null, "Wait for it"));
        assertThat(waited.status()).isEqualTo(201);
        assertThat(waited.body().at("/message/status").asString()).isEqualTo("sent");
        assertThat(waited.body().at("/delivery/status").asString()).isEqualTo("sent");
        assertThat(waited.headers().firstValue("Preference-Applied")).hasValue("wait=10");

        Api.Response preferred = founder.post("/api/email/send", send(null, "Prefer wait"), Map.of("Prefer",
                "wait=10"));
        assertThat(preferred.body().at("/message/status").asString()).isEqualTo("sent");
    }

    @Test
    void notifyWithAnHtmlBodyGoesOutAsTextAndHtml() {
        Api.Response r = as("1", "founder").post("/api/founder/notify/email", Map.of("to", "ops@example.org",
                "subject", "Shift report", "body", "<p>Unit <b>12</b> is back in service.</p><p>Thanks</p>"));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        Map<String, Object> row = jdbc.sql("SELECT body_plain, body_html FROM email_message WHERE id = ?::uuid")
                .param(r.body().path("message_id").asString()).query().singleRow();
        assertThat((String) row.get("body_html")).contains("<b>12</b>");
        assertThat((String) row.get("body_plain")).contains("Unit 12 is back in service.").doesNotContain("<");
    }

    @Test
    void commsAcceptsThePlatformsIntegerThreadIdAndKeepsItAsItsReference() {
        Api.Response r = as("5", "billing").post("/api/comms/send/email", Map.of("thread_id", 4711, "subject",
                "About your claim", "recipients", List.of("patient@example.org"), "body_plain", "Hello"));
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        assertThat(r.body().at("/thread/id").asString()).isNotBlank();
        assertThat(r.body().at("/message/meta").toString()).contains("\"platform_thread_id\":4711");
    }

    @Test
    void listsSayWhenMoreFollow() {
        Api founder = as("1", "founder");
        founder.post("/api/email/send", send(null, "one"));
        founder.post("/api/email/send", send(null, "two"));
        Api.Response page = founder.get("/api/email/messages?limit=1");
        assertThat(page.body().size()).isEqualTo(1);
        assertThat(page.headers().firstValue("X-Has-More")).hasValue("true");
        assertThat(page.headers().firstValue("Link").orElseThrow()).contains("offset=1").contains("rel=\"next\"");
    }

    @Test
    void theDraftAssistantAnswersWhatTheWidgetCanShow() {
        Api.Response r = as("1", "founder").post("/api/founder/email/draft", Map.of("prompt", "x"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("success").isBoolean()).isTrue();
        assertThat(r.body().path("success").asBoolean()).isFalse();
        assertThat(r.body().path("message").asString()).isNotBlank();
    }

    @Test
    void recentMailCannotBeDeletedUnderTheDefaultRetention() {
        assertThat(jdbc.sql("SELECT classification || '=' || retain_days FROM retention_policy WHERE org_id = ? "
                + "ORDER BY classification").param(orgId).query(String.class).list())
                .contains("billing=2557", "legal=3652", "ops=730");
        Api founder = as("1", "founder");
        String id = founder.post("/api/email/send", send(null, "Keep me")).body().at("/message/id").asString();
        Api.Response delete = founder.delete("/api/email/messages/" + id);
        assertThat(delete.status()).isEqualTo(423);
        assertThat(delete.body().path("rule_ids").toString()).contains("EMAIL.RETENTION.BLOCK_DELETE.v1");
    }

    @Test
    void postmarkPayloadsAsTheOriginalsTestsSentThem() {
        String subject = "To only " + UUID.randomUUID();
        String payload = """
                {"From":"patient@example.org","To":"Billing <billing@postroom.test>","Subject":"%s",
                 "TextBody":"Why was I billed twice?","HtmlBody":"","SpamStatus":"Yes","SpamScore":7.5}
                """.formatted(subject);
        Api.Response first = hook(payload, true);
        assertThat(first.status()).as(first.raw()).isEqualTo(200);
        JsonNode message = first.body().path("message");
        assertThat(message.path("subject").asString()).isEqualTo(subject);
        assertThat(first.body().path("labels").toString()).contains("spam");
        Api.Response again = hook(payload, true);
        assertThat(again.body().at("/message/id").asString()).as("a retry is the same message")
                .isEqualTo(message.path("id").asString());

        assertThat(hook(payload, false).status()).as("a bad signature").isEqualTo(401);
    }

    private Api.Response hook(String payload, boolean rightSignature) {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        String signature;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec((rightSignature ? POSTMARK_TOKEN : "wrong").getBytes(StandardCharsets.UTF_8),
                    "HmacSHA256"));
            signature = Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return new Api(port).postRaw("/api/email/inbound/postmark", body, Map.of("X-Postmark-Signature", signature));
    }

    /** Each field the platform's screens read, with the type they read it as (ORIGINAL-API.md). */
    @Test
    void theReadsOfTheFrontendAndTheWidgetFindEveryFieldTheyReadWithItsType() {
        Api founder = as("1", "founder");
        founder.post("/api/email/send", send(null, "A message to read back"));

        JsonNode thread = founder.get("/api/email/threads?limit=5").body().get(0);
        assertFields(thread, Map.of("id", "string", "subject", "string", "normalized_subject", "string",
                "status", "string", "last_message_at", "string", "created_at", "string"));
        JsonNode message = founder.get("/api/email/messages?limit=5").body().get(0);
        assertFields(message, Map.ofEntries(Map.entry("id", "string"), Map.entry("thread_id", "string"),
                Map.entry("direction", "string"), Map.entry("status", "string"), Map.entry("classification", "string"),
                Map.entry("sender", "string"), Map.entry("recipients", "array"), Map.entry("cc", "array"),
                Map.entry("bcc", "array"), Map.entry("subject", "string"), Map.entry("body_plain", "string"),
                Map.entry("body_html", "string"), Map.entry("message_id", "string"), Map.entry("references", "array"),
                Map.entry("meta", "object"), Map.entry("created_at", "string")));
        assertFields(founder.get("/api/email/labels").body().get(0), Map.of("id", "number", "name", "string",
                "slug", "string", "created_at", "string"));

        JsonNode stats = founder.get("/api/founder/email/stats").body();
        assertThat(stats.path("success").asBoolean()).isTrue();
        assertFields(stats.path("stats"), Map.of("unread_messages", "number", "messages_needing_response", "number",
                "failed_deliveries_24h", "number", "recent_activity_7d", "number", "sender_status", "string"));
        JsonNode recent = founder.get("/api/founder/email/recent?limit=5").body();
        assertFields(recent, Map.of("success", "boolean", "emails", "array", "count", "number"));
        assertFields(recent.path("emails").get(0), Map.of("id", "string", "direction", "string", "sender", "string",
                "recipients", "array", "subject", "string", "body_preview", "string", "status", "string",
                "created_at", "string", "is_read", "boolean", "needs_response", "boolean"));
        assertFields(founder.get("/api/founder/email/needs-response").body(), Map.of("success", "boolean",
                "emails", "array", "count", "number", "has_urgent", "boolean"));
        assertFields(founder.get("/api/founder/email/failed-deliveries").body(), Map.of("success", "boolean",
                "failed_deliveries", "array", "count", "number"));
    }

    private static void assertFields(JsonNode node, Map<String, String> fields) {
        assertThat(node).as("an object with " + fields.keySet()).isNotNull();
        fields.forEach((name, type) -> {
            JsonNode value = node.get(name);
            assertThat(value).as(name + " in " + node).isNotNull();
            boolean ok = switch (type) {
                case "string" -> value.isString();
                case "number" -> value.isNumber();
                case "boolean" -> value.isBoolean();
                case "array" -> value.isArray();
                case "object" -> value.isObject();
                default -> false;
            };
            assertThat(ok).as(name + " is a " + type + ": " + value).isTrue();
        });
    }

    @Test
    void sentMailIsDeliveredToTheSandbox() {
        Api.Response sent = as("1", "founder").post("/api/email/send", Map.of("recipients",
                List.of("billing@postroom.test"), "subject", "Loop " + UUID.randomUUID(), "body_plain", "x"));
        String id = sent.body().at("/message/id").asString();
        await().atMost(Duration.ofSeconds(10)).until(() -> as("1", "founder").get("/api/email/outbound/" + id).body()
                .path("status").asString().equals("sent"));
    }
}
