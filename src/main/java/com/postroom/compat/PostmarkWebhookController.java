package com.postroom.compat;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.config.PostroomSettings;
import com.postroom.mail.Secret;
import com.postroom.api.ApiException;
import com.postroom.postmark.PostmarkEvents;
import com.postroom.postmark.PostmarkInbound;
import com.postroom.problem.Problem;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Postmark's webhooks. Postmark is optional: without POSTMARK_SERVER_TOKEN they answer 501 before any authentication
 * (ORIGINAL-API.md, a fix over the old code, which asked for a user token first). With it, each call must carry the
 * configured Basic credentials (compared in constant time) and, when POSTMARK_REQUIRE_SIGNATURE is true, an
 * {@code X-Postmark-Signature} that is the base64 HMAC-SHA256 of the body keyed by the server token.
 */
@RestController
class PostmarkWebhookController {

    static final String NOT_CONFIGURED = "Postmark not configured. Use SMTP/IMAP and call POST "
            + "/api/email/poll-inbound to fetch inbound mail.";

    private final Optional<Secret> serverToken;
    private final PostroomSettings.PostmarkWebhook auth;
    private final PostmarkInbound inbound;
    private final PostmarkEvents events;
    private final JsonMapper json;

    PostmarkWebhookController(PostroomSettings settings, PostmarkInbound inbound, PostmarkEvents events,
                              JsonMapper json) {
        this.serverToken = settings.postmarkServerToken();
        this.auth = settings.postmarkWebhook();
        this.inbound = inbound;
        this.events = events;
        this.json = json;
    }

    @PostMapping({"/api/email/inbound/postmark", "/api/founder/email/webhook/inbound"})
    Map<String, Object> inbound(@RequestBody(required = false) byte[] body,
                                @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
                                @RequestHeader(name = "X-Postmark-Signature", required = false) String signature) {
        JsonNode payload = authenticate(body, authorization, signature);
        if (payload.hasNonNull("RecordType") && !"Inbound".equals(payload.get("RecordType").asString())) {
            return Map.of("status", "ignored");
        }
        return inbound.ingest(payload);
    }

    @PostMapping({"/api/email/webhooks/postmark/bounce", "/api/email/webhooks/postmark/delivery",
            "/api/email/webhooks/postmark/spam-complaint"})
    Map<String, Object> event(@RequestBody(required = false) byte[] body,
                              @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
                              @RequestHeader(name = "X-Postmark-Signature", required = false) String signature) {
        return events.apply(authenticate(body, authorization, signature));
    }

    private JsonNode authenticate(byte[] body, String authorization, String signature) {
        if (serverToken.isEmpty()) {
            throw new ApiException(HttpStatus.NOT_IMPLEMENTED, NOT_CONFIGURED);
        }
        if (auth.username().isPresent() && !basicMatches(authorization)) {
            throw new ApiException(HttpStatus.UNAUTHORIZED, "Webhook credentials missing or wrong: put "
                    + "POSTMARK_WEBHOOK_USERNAME and POSTMARK_WEBHOOK_PASSWORD in the webhook URL "
                    + "(https://user:password@host/...).");
        }
        byte[] bytes = body == null ? new byte[0] : body;
        if (auth.requireSignature() && !signatureMatches(bytes, signature)) {
            throw new ApiException(HttpStatus.UNAUTHORIZED, "X-Postmark-Signature is missing or does not match the body.");
        }
        try {
            JsonNode node = json.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw Problem.badInput("The body must be one JSON object (Postmark's webhook payload).");
            }
            return node;
        } catch (JacksonException e) {
            throw Problem.badInput("The body is not valid JSON.");
        }
    }

    private boolean basicMatches(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(authorization.substring(6).strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] expected = (auth.username().get() + ":" + auth.password().get().reveal())
                .getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given);
    }

    private boolean signatureMatches(byte[] body, String signature) {
        if (signature == null) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(serverToken.get().reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] expected = Base64.getEncoder().encode(mac.doFinal(body));
            return MessageDigest.isEqual(expected, signature.strip().getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
