package com.postroom.postmarkapi;

import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Postmark's sending endpoints: {@code POST /email} and {@code POST /email/batch}, at the root as Postmark has them
 * (a client's base URL is just Postroom's address). Postmark's Java client writes them with a trailing slash, so both
 * spellings are mapped.
 */
@RestController
class SendingApi {

    /** Postmark's limits on a request's size: 10 MB for one message, 50 MB for a batch. */
    static final int MAX_SINGLE = 10 * 1024 * 1024;
    static final int MAX_BATCH = 50 * 1024 * 1024;

    private final PostmarkSending sending;
    private final JsonMapper json;

    SendingApi(PostmarkSending sending, JsonMapper json) {
        this.sending = sending;
        this.json = json;
    }

    @PostMapping({"/email", "/email/"})
    ResponseEntity<Map<String, Object>> send(HttpServletRequest request, @RequestBody(required = false) byte[] body) {
        return ResponseEntity.ok(sending.send(PostmarkTokenFilter.server(request), read(body, MAX_SINGLE)));
    }

    @PostMapping({"/email/batch", "/email/batch/"})
    ResponseEntity<List<Map<String, Object>>> batch(HttpServletRequest request,
                                                    @RequestBody(required = false) byte[] body) {
        return ResponseEntity.ok(sending.sendBatch(PostmarkTokenFilter.server(request), read(body, MAX_BATCH)));
    }

    @PostMapping({"/email/withTemplate", "/email/withTemplate/"})
    ResponseEntity<Map<String, Object>> withTemplate(HttpServletRequest request,
                                                     @RequestBody(required = false) byte[] body) {
        return ResponseEntity.ok(sending.sendWithTemplate(PostmarkTokenFilter.server(request), read(body, MAX_SINGLE)));
    }

    @PostMapping({"/email/batchWithTemplates", "/email/batchWithTemplates/"})
    ResponseEntity<List<Map<String, Object>>> batchWithTemplates(HttpServletRequest request,
                                                                 @RequestBody(required = false) byte[] body) {
        return ResponseEntity.ok(sending.sendBatchWithTemplates(PostmarkTokenFilter.server(request),
                read(body, MAX_BATCH)));
    }

    private JsonNode read(byte[] body, int limit) {
        if (body != null && body.length > limit) {
            throw new PostmarkError(org.springframework.http.HttpStatus.CONTENT_TOO_LARGE,
                    PostmarkError.INVALID_REQUEST, "The request is " + body.length / 1048576 + " MB; Postmark's "
                    + "limit is " + limit / 1048576 + " MB for this call.");
        }
        return PostmarkJson.any(json, body);
    }
}
