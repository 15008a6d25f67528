package com.postroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;

import com.postroom.org.Organizations;
import com.postroom.org.Users;
import com.postroom.support.SandboxTest;
import com.postroom.support.WebClient;

/**
 * The web UI's security as a client without a browser sees it: sign-in required, CSRF required, the headers on every
 * page, sign-in attempts limited, a session that is no API credential, pages refused by role, and hostile text from
 * DNS or mail escaped on the page.
 */
@SandboxTest
class WebSecurityTest {

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    Organizations organizations;
    @Autowired
    Users users;
    @Autowired
    PasswordEncoder passwords;

    private WebClient client(String host) {
        return new WebClient(host, port);
    }

    @Test
    void pagesNeedASignInAndCarryTheSecurityHeaders() {
        WebClient client = client("localhost");
        HttpResponse<String> page = client.get("/settings/deliverability");
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
        HttpResponse<String> login = client.get("/login");
        String csp = login.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("script-src 'self'", "frame-ancestors 'none'", "object-src 'none'",
                "base-uri 'none'").doesNotContain("unsafe-inline", "unsafe-eval");
        assertThat(login.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(login.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(login.headers().firstValue("Referrer-Policy")).hasValue("same-origin");
        assertThat(page.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c)
                .contains("HttpOnly", "SameSite=Lax"));
        assertThat(login.body()).doesNotContain("<script>").contains("<script src=\"/js/postroom.js\"");
        // Only the composer may be framed, and only by Postroom itself (its window over the mailbox).
        HttpResponse<String> compose = client.get("/mail/compose");
        assertThat(compose.headers().firstValue("X-Frame-Options")).hasValue("SAMEORIGIN");
        assertThat(compose.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("frame-ancestors 'self'").doesNotContain("frame-ancestors 'none'");
        HttpResponse<String> inbox = client.get("/mail/inbox");
        assertThat(inbox.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    }

    @Test
    void signingInWithoutTheCsrfTokenIsRefused() {
        WebClient client = client("localhost");
        client.get("/login");
        HttpResponse<String> forged = client.post("/login", Map.of("email", SandboxTest.ADMIN, "password",
                SandboxTest.ADMIN_PASSWORD));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(client.get("/dashboard").statusCode()).as("still signed out").isEqualTo(302);
    }

    @Test
    void theSessionIsNoApiCredentialAndTheSessionIdChangesAtSignIn() {
        WebClient client = client("localhost");
        client.get("/login");
        String before = client.http.cookieHandler().map(h -> ((CookieManager) h).getCookieStore().getCookies()
                .toString()).orElse("");
        HttpResponse<String> signedIn = client.signIn(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        assertThat(signedIn.statusCode()).isEqualTo(302);
        String after = ((CookieManager) client.http.cookieHandler().orElseThrow()).getCookieStore().getCookies()
                .toString();
        assertThat(after).as("session fixation: a new id after sign-in").isNotEqualTo(before);
        assertThat(client.get("/dashboard").statusCode()).isEqualTo(200);
        HttpResponse<String> api = client.send(HttpRequest.newBuilder(URI.create(client.base + "/api/email/messages"))
                .GET());
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(api.body()).isEqualTo("{\"detail\":\"Could not validate credentials\"}");
    }

    /** A form sent from a page whose session expired says so and offers a reload, not "Insufficient permissions". */
    @Test
    void aRefusedCsrfTokenSaysThePageExpired() {
        WebClient client = client("localhost");
        client.signIn(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        HttpResponse<String> stale = client.post("/mail/changes", Map.of("action", "archive",
                "_csrf", "an-expired-token"));
        assertThat(stale.statusCode()).isEqualTo(403);
        assertThat(stale.body()).contains("This page expired").contains("Reload").doesNotContain("Insufficient");
    }

    @Test
    void aFailedSignInKeepsTheEmailTyped() {
        WebClient client = client("127.0.0.3");
        String email = "typo-" + System.nanoTime() + "@postroom.test";
        HttpResponse<String> failed = client.signIn(email, "wrong");
        assertThat(failed.headers().firstValue("Location").orElse("")).contains("/login?error");
        String page = client.get(failed.headers().firstValue("Location").orElseThrow().replaceFirst("^https?://[^/]+", ""))
                .body();
        assertThat(page).contains("value=\"" + email + "\"");
    }

    @Test
    void signInAttemptsAreLimited() {
        // From 127.0.0.2, so the limit per address does not reach the other tests' sign-ins from 127.0.0.1.
        WebClient client = client("127.0.0.2");
        String email = "throttled-" + System.nanoTime() + "@postroom.test";
        for (int i = 0; i < 5; i++) {
            client.signIn(email, "wrong");
        }
        client.signIn(email, "wrong");
        String page = client.get("/login?error").body();
        assertThat(page).contains("Too many failed sign-in attempts; try again in");
    }

    @Test
    void aPageForAnotherRoleIsARefusalPageAndUnknownPagesAreNotFound() {
        long org = organizations.primary().orElseThrow().id();
        String clerk = "web-clerk-" + System.nanoTime() + "@postroom.test";
        users.create(org, clerk, passwords.encode("a-clerk-password"), Set.of("billing"));
        WebClient client = client("localhost");
        client.signIn(clerk, "a-clerk-password");
        HttpResponse<String> refused = client.get("/settings/deliverability");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("text/html"));
        assertThat(refused.body()).contains("Deliverability is for founders and admins.");
        HttpResponse<String> settings = client.get("/settings");
        assertThat(settings.statusCode()).isEqualTo(403);
        assertThat(settings.body()).contains("Settings are for admins.").doesNotContain("reference");
        HttpResponse<String> missing = client.get("/no-such-page");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("404 Not Found").doesNotContain("Exception");
    }

    @Test
    void hostileTextInAReportIsEscaped() {
        long org = organizations.primary().orElseThrow().id();
        String hostile = "<script>window.pwned=1</script><img src=x onerror=alert(1)>";
        String report = "{\"domain\":\"postroom.test\",\"mail_host\":\"<b>mail</b>\",\"mail_host_source\":\"MX\","
                + "\"status\":\"INVALID\",\"checked_at\":\"2026-11-24T10:00:00Z\",\"duration_ms\":5,\"records\":[\""
                + hostile.replace("\"", "\\\"") + "\"],\"checks\":[{\"id\":\"spf\",\"title\":\"SPF\",\"status\":"
                + "\"INVALID\",\"message\":\"" + hostile + "\",\"record\":\"" + hostile + "\",\"details\":{},"
                + "\"checked_at\":\"2026-11-24T10:00:00Z\",\"informational\":false}]}";
        long id = jdbc.sql("INSERT INTO deliverability_run (org_id, domain, status, trigger, checked_at, report) "
                + "VALUES (?, 'postroom.test', 'INVALID', 'api', now(), ?::jsonb) RETURNING id").params(org, report)
                .query(Long.class).single();
        WebClient client = client("localhost");
        client.signIn(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        String page = client.get("/settings/deliverability?run=" + id).body();
        assertThat(page).doesNotContain("<script>window", "<img src=x", "<b>mail</b>")
                .contains("&lt;script&gt;window.pwned=1&lt;/script&gt;");
    }
}
