package com.postroom.org;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.crypto.password.PasswordEncoder;

import com.postroom.support.Api;
import com.postroom.support.SandboxTest;

@SandboxTest
class AuthApiTest {

    @LocalServerPort
    int port;
    @Autowired
    Users users;
    @Autowired
    Organizations organizations;
    @Autowired
    PasswordEncoder passwords;

    Api anonymous;
    Api admin;

    @BeforeEach
    void setUp() {
        anonymous = new Api(port);
        admin = anonymous.login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
    }

    private Api userWithRoles(String email, Set<String> roles) {
        if (users.byEmail(email).isEmpty()) {
            users.create(organizations.byDomain("postroom.test").orElseThrow().id(), email, passwords.encode("pw-" + email),
                    roles);
        }
        return anonymous.login(email, "pw-" + email);
    }

    @Test
    void loginAnswersABearerTokenWithItsLifetime() {
        Api.Response r = anonymous.post("/api/auth/login", Map.of("email", SandboxTest.ADMIN,
                "password", SandboxTest.ADMIN_PASSWORD));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("token_type").asString()).isEqualTo("bearer");
        assertThat(r.body().path("access_token").asString()).startsWith("pr_");
        assertThat(r.body().path("expires_in").asLong()).isEqualTo(12 * 3600);
    }

    @Test
    void noOrABadTokenIsA401WithTheOriginalBody() {
        Api.Response none = anonymous.get("/api/email/outbound/00000000-0000-0000-0000-000000000000");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.raw()).isEqualTo("{\"detail\":\"Could not validate credentials\"}");
        Api.Response bad = anonymous.withToken("pr_forged").post("/api/email/send", Map.of());
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.detail()).isEqualTo("Could not validate credentials");
    }

    @Test
    void aWrongPasswordIsA401AndRepeatedFailuresAreSlowedDown() {
        String email = "guess-target@postroom.test";
        userWithRoles(email, Set.of("billing"));
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            Api.Response r = anonymous.post("/api/auth/login", Map.of("email", email, "password", "wrong" + i));
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.detail()).isEqualTo("Could not validate credentials");
        }
        Api.Response throttled = anonymous.post("/api/auth/login", Map.of("email", email, "password", "pw-" + email));
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).isPresent();
        assertThat(throttled.detail()).contains("try again in");
    }

    @Test
    void anUnknownEmailIsThe401OfAWrongPassword() {
        Api.Response r = anonymous.post("/api/auth/login", Map.of("email", "nobody@postroom.test", "password", "x"));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.detail()).isEqualTo("Could not validate credentials");
    }

    @Test
    void theWrongRoleIsA403WithTheOriginalBody() {
        Api dispatcher = userWithRoles("dispatch@postroom.test", Set.of("dispatcher"));
        Api.Response r = dispatcher.post("/api/email/send-test", Map.of());
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.raw()).isEqualTo("{\"detail\":\"Insufficient permissions\"}");
        Api.Response founderOnly = dispatcher.post("/api/founder/email/send", Map.of("to", "a@example.com",
                "subject", "x", "body_text", "x"));
        assertThat(founderOnly.status()).isEqualTo(403);
        assertThat(founderOnly.detail()).isEqualTo("FOUNDER_ACCESS_REQUIRED");
    }

    @Test
    void anAdminCreatesListsAndRevokesApiTokensThatAreShownOnce() {
        Api.Response created = admin.post("/api/auth/tokens", Map.of("name", "billing-service"));
        assertThat(created.status()).isEqualTo(201);
        String token = created.body().path("token").asString();
        long id = created.body().path("id").asLong();
        Api service = anonymous.withToken(token);
        assertThat(service.get("/api/auth/tokens").status()).isEqualTo(200);

        Api.Response list = admin.get("/api/auth/tokens");
        assertThat(list.raw()).contains("billing-service").doesNotContain(token);

        assertThat(admin.delete("/api/auth/tokens/" + id).status()).isEqualTo(200);
        assertThat(service.get("/api/auth/tokens").status()).isEqualTo(401);
        assertThat(admin.delete("/api/auth/tokens/999999").status()).isEqualTo(404);
    }

    @Test
    void onlyAdminsManageTokens() {
        Api billing = userWithRoles("clerk@postroom.test", Set.of("billing"));
        assertThat(billing.post("/api/auth/tokens", Map.of("name", "x")).status()).isEqualTo(403);
        assertThat(billing.get("/api/auth/tokens").status()).isEqualTo(403);
    }

    @Test
    void healthIsPublicAsUpOrDownOnlyAndPrometheusNeedsAnAdmin() {
        Api.Response health = anonymous.get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().path("status").asString()).isEqualTo("UP");
        assertThat(health.body().has("components")).as("no components without a token").isFalse();
        assertThat(health.raw()).doesNotContain("postroom.test").doesNotContain("smtp");
        Api.Response detailed = admin.get("/actuator/health");
        assertThat(detailed.body().at("/components/smtp/status").asString()).isEqualTo("UP");
        assertThat(detailed.body().at("/components/imap/status").asString()).isEqualTo("UP");
        assertThat(anonymous.get("/actuator/prometheus").status()).isEqualTo(401);
        Api.Response metrics = admin.get("/actuator/prometheus");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.raw()).contains("postroom_outbox_depth").contains("postroom_outbound_sent_total");
    }
}
