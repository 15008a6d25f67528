package com.postroom.org;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.crypto.password.PasswordEncoder;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.postroom.support.Api;

/** The platform's own JWTs as bearer tokens, and one organization never reaching another's mail. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "POSTROOM_DATA_DIR=target/test-data/jwt-${random.uuid}", "SANDBOX_SMTP_PORT=0", "SANDBOX_IMAP_PORT=0",
        "POSTROOM_ADMIN_PASSWORD=jwt-admin-password",
        "AUTH_JWT_SECRET=" + JwtAndIsolationTest.SECRET, "AUTH_JWT_ORG_CLAIM=tenant"})
class JwtAndIsolationTest {

    static final String SECRET = "0123456789abcdef0123456789abcdef-platform";

    @LocalServerPort
    int port;
    @Autowired
    Organizations organizations;
    @Autowired
    Users users;
    @Autowired
    PasswordEncoder passwords;

    private static String jwt(String secret, Map<String, Object> claims, long expiresInSeconds) throws Exception {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .expirationTime(new Date(System.currentTimeMillis() + expiresInSeconds * 1000));
        claims.forEach(b::claim);
        SignedJWT token = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), b.build());
        token.sign(new MACSigner(secret.getBytes()));
        return token.serialize();
    }

    @Test
    void aValidPlatformJwtIsAcceptedWithItsRoles() throws Exception {
        Api api = new Api(port).withToken(jwt(SECRET, Map.of("sub", "clerk@postroom.test", "tenant", "postroom.test",
                "roles", List.of("billing")), 300));
        Api.Response r = api.post("/api/email/send", Map.of("sender", "billing@postroom.test",
                "recipients", List.of("patient@example.org"), "subject", "jwt", "body_plain", "x"));
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        assertThat(api.post("/api/email/send-test", Map.of()).status()).isEqualTo(403);
    }

    @Test
    void aForgedExpiredOrForeignJwtIsA401() throws Exception {
        Map<String, Object> claims = Map.of("sub", "x@postroom.test", "tenant", "postroom.test", "roles", "admin");
        for (String token : List.of(jwt("another-secret-another-secret-12345", claims, 300), jwt(SECRET, claims, -600),
                jwt(SECRET, Map.of("sub", "x@postroom.test", "tenant", "unknown.example", "roles", "admin"), 300))) {
            Api.Response r = new Api(port).withToken(token).get("/api/auth/tokens");
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.detail()).isEqualTo("Could not validate credentials");
        }
    }

    @Test
    void anotherOrganizationGets404ForOurIdsAndCannotSendFromOurDomain() {
        Api a = new Api(port).login("founder@postroom.test", "jwt-admin-password");
        Api.Response sent = a.post("/api/comms/send/email", Map.of("subject", "private",
                "recipients", List.of("patient@example.org"), "body_plain", "PHI"));
        String messageId = sent.body().at("/message/id").asString();
        String threadId = sent.body().at("/thread/id").asString();

        long other = organizations.byDomain("other.example").map(Organizations.Organization::id)
                .orElseGet(() -> organizations.create("Other", "other.example"));
        if (users.byEmail("admin@other.example").isEmpty()) {
            users.create(other, "admin@other.example", passwords.encode("other-password"), Set.of("admin", "founder"));
        }
        Api b = new Api(port).login("admin@other.example", "other-password");
        assertThat(b.get("/api/email/outbound/" + messageId).status()).isEqualTo(404);
        Api.Response reply = b.post("/api/comms/send/email", Map.of("thread_id", threadId, "subject", "x",
                "recipients", List.of("a@example.org"), "body_plain", "x"));
        assertThat(reply.status()).isEqualTo(404);
        Api.Response spoof = b.post("/api/email/send", Map.of("sender", "founder@postroom.test-fake",
                "recipients", List.of("a@example.org"), "subject", "x", "body_plain", "x"));
        assertThat(spoof.status()).isEqualTo(422);
        assertThat(b.get("/api/auth/tokens").raw()).doesNotContain("founder@postroom.test");
    }
}
