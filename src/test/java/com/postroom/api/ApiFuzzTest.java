package com.postroom.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.postroom.support.Api;
import com.postroom.support.SandboxTest;

import tools.jackson.databind.JsonNode;

/**
 * Every route the OpenAPI document lists, called with what a confused or hostile client sends: ids that are not ids
 * or belong to nothing, negative limits, broken cursors and queries, bodies of the wrong type and malformed JSON.
 * Whatever the route, the answer is never a 500, and an error is always the one JSON shape without internals.
 */
@SandboxTest
class ApiFuzzTest {

    /** Routes that do slow real work (DNS, a round trip, a sync) or answer 501 by contract while unconfigured. */
    private static final List<String> SKIPPED = List.of("deliverability", "doctor", "poll-inbound", "send-test",
            "postmark", "webhook", "/api/founder/email/draft", "suggest-improvements", "/api/auth/logout");
    /** Postmark's own routes (the postmarkapi module): they answer in Postmark's shape, fuzzed on their own below. */
    private static final List<String> POSTMARK = List.of("/email", "/templates", "/bounces", "/messages/",
            "/message-streams", "/webhooks", "/server", "/deliverystats", "/deliveryStats");
    private static final List<String> IDS = List.of("not-a-uuid", UUID.randomUUID().toString(), "0");
    private static final String QUERY = "?limit=-1&offset=-5&cursor=%7B%7D&q=%28%28%28&page=x";
    /**
     * Text with a NUL character (\\u0000: valid JSON, but PostgreSQL's text and jsonb refuse it) in the fields the
     * routes read, the platform's and Postmark's names both.
     */
    private static final String NUL = "a\u0000b";
    private static final Map<String, Object> WITH_NUL = Map.ofEntries(Map.entry("name", NUL),
            Map.entry("subject", NUL), Map.entry("text", NUL), Map.entry("body", NUL), Map.entry("html", NUL),
            Map.entry("to", List.of("nul@example.com")), Map.entry("slug", NUL), Map.entry("label", NUL),
            Map.entry("note", NUL), Map.entry("reason", NUL), Map.entry("email", "nul@example.com"),
            Map.entry("display_name", NUL), Map.entry("color", NUL), Map.entry("metadata", Map.of("k", NUL)),
            Map.entry("From", "billing@postroom.test"), Map.entry("To", "nul@example.com"),
            Map.entry("Subject", NUL), Map.entry("TextBody", NUL), Map.entry("HtmlBody", NUL),
            Map.entry("Name", NUL), Map.entry("Alias", "nul-alias"), Map.entry("Metadata", Map.of("k", NUL)),
            Map.entry("Url", "https://example.com/" + NUL), Map.entry("Suppressions",
                    List.of(Map.of("EmailAddress", NUL + "@example.com"))));
    private static final List<Object> BODIES = List.of("{", "[]", "{}", "\"x\"", Map.of("message_ids", List.of("x")),
            WITH_NUL);

    @LocalServerPort
    int port;

    @Test
    void noRouteAnswersBadInputWithA500OrAnErrorOutsideTheOneShape() {
        Api api = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        JsonNode paths = api.get("/v3/api-docs").body().get("paths");
        List<String> problems = new ArrayList<>();
        int requests = 0;
        for (String path : paths.propertyNames()) {
            if (SKIPPED.stream().anyMatch(path::contains) || POSTMARK.stream().anyMatch(path::startsWith)) {
                continue;
            }
            for (String method : paths.get(path).propertyNames()) {
                for (String id : path.contains("{") ? IDS : List.of("")) {
                    String url = path.replaceAll("\\{[^}]+}", id) + QUERY;
                    List<Object> bodies = List.of("post", "put", "patch").contains(method) ? BODIES : List.of("");
                    for (Object body : bodies) {
                        Api.Response r = call(api, method, url, body);
                        if (r == null) {
                            continue;
                        }
                        requests++;
                        String problem = problem(r);
                        if (problem != null) {
                            problems.add(method.toUpperCase() + " " + url + " " + body + ": " + r.status() + " "
                                    + problem);
                        }
                    }
                }
            }
        }
        assertThat(requests).as("requests made").isGreaterThan(200);
        assertThat(problems).isEmpty();
    }

    /** The same bad input to Postmark's routes, with a server token: never a 500, every error in Postmark's shape. */
    @Test
    void postmarksRoutesAnswerBadInputInPostmarksShape() {
        Api admin = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        String token = admin.post("/api/postmark/servers", Map.of("name", "fuzz")).body().get("token").asString();
        JsonNode paths = admin.get("/v3/api-docs").body().get("paths");
        Api api = new Api(port);
        Map<String, String> headers = Map.of("X-Postmark-Server-Token", token);
        List<String> problems = new ArrayList<>();
        int requests = 0;
        for (String path : paths.propertyNames()) {
            if (POSTMARK.stream().noneMatch(path::startsWith)) {
                continue;
            }
            for (String method : paths.get(path).propertyNames()) {
                for (String id : path.contains("{") ? IDS : List.of("")) {
                    String url = path.replaceAll("\\{[^}]+}", id) + QUERY;
                    List<Object> bodies = List.of("post", "put", "patch").contains(method) ? BODIES : List.of("");
                    for (Object body : bodies) {
                        String raw = body instanceof String s ? s : body.equals("") ? null : Api.JSON
                                .writeValueAsString(body);
                        Api.Response r = api.exchange(method.toUpperCase(java.util.Locale.ROOT), url,
                                method.equals("get") || method.equals("delete") ? null : raw, headers);
                        requests++;
                        if (r.status() >= 500 || r.raw().contains("Exception") || r.raw().contains("\tat ")) {
                            problems.add(method + " " + url + " " + body + ": " + r.status() + " " + r.raw());
                        } else if (r.status() >= 400 && (!r.body().isObject() || !r.body().has("ErrorCode")
                                || !r.body().has("Message"))) {
                            problems.add(method + " " + url + " " + body + ": " + r.status() + " not Postmark's "
                                    + "shape: " + r.raw());
                        }
                    }
                }
            }
        }
        assertThat(requests).as("requests made").isGreaterThan(40);
        assertThat(problems).isEmpty();
    }

    private static Api.Response call(Api api, String method, String url, Object body) {
        return switch (method) {
            case "get" -> api.get(url);
            case "delete" -> api.delete(url);
            case "post" -> api.post(url, body);
            case "put" -> api.put(url, body);
            case "patch" -> api.patch(url, body);
            default -> null;
        };
    }

    private static String problem(Api.Response r) {
        if (r.status() >= 500) {
            return "server error " + r.raw();
        }
        if (r.raw().contains("Exception") || r.raw().contains("\tat ") || r.raw().contains("<html")) {
            return "internals in " + r.raw();
        }
        if (r.status() >= 400 && (!r.body().isObject() || r.detail().isBlank())) {
            return "not the one error shape: " + r.raw();
        }
        return null;
    }
}
