package com.postroom.postmarkapi;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import com.postroom.mail.Secret;

/**
 * Postmark's webhook settings: {@code GET/POST /webhooks}, {@code GET/PUT/DELETE /webhooks/{id}}, with
 * {@code Url}, {@code MessageStream}, {@code HttpAuth}, {@code HttpHeaders} and {@code Triggers} (Delivery, Bounce,
 * SpamComplaint, SubscriptionChange; Open and Click are accepted and never fire: Postroom does not track). The
 * password is never answered back.
 */
@RestController
class WebhookApi {

    private final PostmarkWebhooks webhooks;
    private final JsonMapper json;

    WebhookApi(PostmarkWebhooks webhooks, JsonMapper json) {
        this.webhooks = webhooks;
        this.json = json;
    }

    @GetMapping({"/webhooks", "/webhooks/"})
    Map<String, Object> list(HttpServletRequest request, @RequestParam(name = "MessageStream", required = false)
            String stream) {
        PostmarkServers.Server server = PostmarkTokenFilter.server(request);
        return Map.of("Webhooks", webhooks.list(server, Optional.ofNullable(stream)).stream().map(WebhookApi::shape)
                .toList());
    }

    @GetMapping({"/webhooks/{id}", "/webhooks/{id}/"})
    Map<String, Object> get(HttpServletRequest request, @PathVariable long id) {
        return shape(found(PostmarkTokenFilter.server(request), id));
    }

    @PostMapping({"/webhooks", "/webhooks/"})
    Map<String, Object> create(HttpServletRequest request, @RequestBody(required = false) byte[] body) {
        PostmarkServers.Server server = PostmarkTokenFilter.server(request);
        PostmarkWebhooks.Webhook w = read(body, null, server);
        long id = webhooks.create(server, w);
        return shape(webhooks.find(id).orElseThrow());
    }

    @PutMapping({"/webhooks/{id}", "/webhooks/{id}/"})
    Map<String, Object> update(HttpServletRequest request, @PathVariable long id,
                               @RequestBody(required = false) byte[] body) {
        PostmarkServers.Server server = PostmarkTokenFilter.server(request);
        PostmarkWebhooks.Webhook w = read(body, found(server, id), server);
        webhooks.update(w);
        return shape(webhooks.find(id).orElseThrow());
    }

    @DeleteMapping({"/webhooks/{id}", "/webhooks/{id}/"})
    Map<String, Object> delete(HttpServletRequest request, @PathVariable long id) {
        if (!webhooks.delete(PostmarkTokenFilter.server(request), id)) {
            throw PostmarkError.invalid(1400, "The webhook " + id + " was not found on this server.");
        }
        return PostmarkError.body(0, "Webhook " + id + " removed.");
    }

    private PostmarkWebhooks.Webhook found(PostmarkServers.Server server, long id) {
        return webhooks.find(server, id).orElseThrow(() -> PostmarkError.invalid(1400, "The webhook " + id
                + " was not found on this server."));
    }

    /** The request's fields over {@code old} (null: a new webhook). */
    private PostmarkWebhooks.Webhook read(byte[] body, PostmarkWebhooks.Webhook old, PostmarkServers.Server server) {
        JsonNode node = PostmarkJson.object(json, body);
        String url = PostmarkJson.get(node, "Url").asString(old == null ? "" : old.url()).strip();
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !List.of("http", "https").contains(String.valueOf(uri.getScheme()))) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "'Url' must be an http or https URL; got '"
                    + url + "'.");
        }
        String stream = old != null ? old.stream() : PostmarkJson.get(node, "MessageStream").asString("outbound");
        if (!PostmarkSending.STREAMS.contains(stream)) {
            throw PostmarkError.invalid(PostmarkError.STREAM_NOT_FOUND, "The message stream '" + stream
                    + "' was not found; use 'outbound' or 'broadcast'.");
        }
        Optional<String> username = old == null ? Optional.empty() : old.username();
        Optional<Secret> password = old == null ? Optional.empty() : old.password();
        JsonNode auth = PostmarkJson.get(node, "HttpAuth");
        if (auth != null && auth.isObject()) {
            String u = PostmarkJson.get(auth, "Username").asString("");
            username = u.isBlank() ? Optional.empty() : Optional.of(u);
            String p = PostmarkJson.get(auth, "Password").asString("");
            password = p.isEmpty() ? Optional.empty() : Optional.of(Secret.of(p));
        }
        List<PostmarkWebhooks.Header> headers = old == null ? List.of() : old.headers();
        JsonNode h = PostmarkJson.get(node, "HttpHeaders");
        if (h != null && h.isArray()) {
            List<PostmarkWebhooks.Header> list = new ArrayList<>();
            for (JsonNode one : h.values()) {
                String name = PostmarkJson.get(one, "Name").asString("");
                String value = PostmarkJson.get(one, "Value").asString("");
                if (!name.matches("[A-Za-z0-9-]{1,100}") || value.chars().anyMatch(c -> c < 0x20)) {
                    throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "'HttpHeaders' holds {Name, Value} "
                            + "pairs with a header name and a one-line value.");
                }
                list.add(new PostmarkWebhooks.Header(name, value));
            }
            headers = list;
        }
        JsonNode t = PostmarkJson.get(node, "Triggers");
        boolean delivery = enabled(t, "Delivery", old != null && old.delivery());
        boolean bounce = enabled(t, "Bounce", old != null && old.bounce());
        boolean complaint = enabled(t, "SpamComplaint", old != null && old.spamComplaint());
        boolean subscription = enabled(t, "SubscriptionChange", old != null && old.subscription());
        return new PostmarkWebhooks.Webhook(old == null ? 0 : old.id(), server.orgId(), server.id(), stream, url,
                username, password, headers, delivery, bounce, complaint, subscription);
    }

    private static boolean enabled(JsonNode triggers, String name, boolean fallback) {
        JsonNode on = PostmarkJson.get(PostmarkJson.get(triggers, name), "Enabled");
        return on.isMissingNode() || on.isNull() ? fallback : on.asBoolean(false);
    }

    private static Map<String, Object> shape(PostmarkWebhooks.Webhook w) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ID", w.id());
        out.put("Url", w.url());
        out.put("MessageStream", w.stream());
        out.put("HttpAuth", Map.of("Username", w.username().orElse(""), "Password", ""));
        out.put("HttpHeaders", w.headers().stream().map(h -> Map.of("Name", h.name(), "Value", h.value())).toList());
        Map<String, Object> triggers = new LinkedHashMap<>();
        triggers.put("Open", Map.of("Enabled", false, "PostFirstOpenOnly", false));
        triggers.put("Click", Map.of("Enabled", false));
        triggers.put("Delivery", Map.of("Enabled", w.delivery()));
        triggers.put("Bounce", Map.of("Enabled", w.bounce(), "IncludeContent", false));
        triggers.put("SpamComplaint", Map.of("Enabled", w.spamComplaint(), "IncludeContent", false));
        triggers.put("SubscriptionChange", Map.of("Enabled", w.subscription()));
        out.put("Triggers", triggers);
        return out;
    }
}
