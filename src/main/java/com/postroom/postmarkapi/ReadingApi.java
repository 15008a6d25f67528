package com.postroom.postmarkapi;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reading back what a server sent, in Postmark's shapes: {@code GET /messages/outbound} (search), {@code GET
 * /messages/outbound/{id}/details} (with its events: queued, delivered to the mail server, deferred, bounced),
 * {@code GET /bounces} and {@code PUT /bounces/{id}/activate}. A server sees only the messages it sent.
 */
@RestController
class ReadingApi {

    private final PostmarkReads reads;

    ReadingApi(PostmarkReads reads) {
        this.reads = reads;
    }

    @GetMapping({"/messages/outbound", "/messages/outbound/"})
    Map<String, Object> search(HttpServletRequest request, @RequestParam(defaultValue = "50") int count,
                               @RequestParam(defaultValue = "0") int offset,
                               @RequestParam(required = false) String recipient,
                               @RequestParam(required = false) String fromemail,
                               @RequestParam(required = false) String tag,
                               @RequestParam(required = false) String subject,
                               @RequestParam(required = false) String status,
                               @RequestParam(required = false) String fromdate,
                               @RequestParam(required = false) String todate,
                               @RequestParam(required = false) String messagestream) {
        // metadata_{key}=value, as many as given (Postmark's filter by a metadata field).
        Map<String, String> metadata = new java.util.LinkedHashMap<>();
        request.getParameterMap().forEach((name, values) -> {
            if (name.regionMatches(true, 0, "metadata_", 0, 9) && name.length() > 9 && values.length > 0) {
                metadata.put(name.substring(9), values[0]);
            }
        });
        if (metadata.size() > 10) { // Postmark's own limit on a message's metadata fields
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "Filter by at most 10 metadata fields; got "
                    + metadata.size() + ".");
        }
        return reads.search(PostmarkTokenFilter.server(request), count, offset, new PostmarkReads.MessageFilter(
                recipient, fromemail, tag, subject, status, fromdate, todate, messagestream, metadata));
    }

    @GetMapping({"/messages/outbound/{id}/details", "/messages/outbound/{id}/details/"})
    Map<String, Object> details(HttpServletRequest request, @PathVariable String id) {
        return reads.details(PostmarkTokenFilter.server(request), id);
    }

    @GetMapping({"/bounces", "/bounces/"})
    Map<String, Object> bounces(HttpServletRequest request, @RequestParam(defaultValue = "50") int count,
                                @RequestParam(defaultValue = "0") int offset,
                                @RequestParam(required = false) String emailFilter,
                                @RequestParam(required = false) String messageID,
                                @RequestParam(required = false) String type,
                                @RequestParam(required = false) String inactive,
                                @RequestParam(required = false) String tag,
                                @RequestParam(required = false) String fromdate,
                                @RequestParam(required = false) String todate,
                                @RequestParam(required = false) String messagestream) {
        return reads.bounces(PostmarkTokenFilter.server(request), count, offset, new PostmarkReads.BounceFilter(
                emailFilter, messageID, type, inactive, tag, fromdate, todate, messagestream));
    }

    @GetMapping({"/bounces/{id}", "/bounces/{id}/"})
    Map<String, Object> bounce(HttpServletRequest request, @PathVariable long id) {
        return reads.bounce(PostmarkTokenFilter.server(request), id);
    }

    /** The bounce's raw message is not kept apart from the received DSN: an empty dump, as Postmark's expired ones. */
    @GetMapping({"/bounces/{id}/dump", "/bounces/{id}/dump/"})
    Map<String, Object> bounceDump(HttpServletRequest request, @PathVariable long id) {
        reads.bounce(PostmarkTokenFilter.server(request), id);
        return Map.of("Body", "");
    }

    /** The message as it went out (its MIME), while Postroom keeps it in the outbox. */
    @GetMapping({"/messages/outbound/{id}/dump", "/messages/outbound/{id}/dump/"})
    Map<String, Object> dump(HttpServletRequest request, @PathVariable String id) {
        return Map.of("Body", reads.dump(PostmarkTokenFilter.server(request), id));
    }

    /** Reactivates the bounced address: it leaves the suppression list, so mail to it goes again. */
    @PutMapping({"/bounces/{id}/activate", "/bounces/{id}/activate/"})
    Map<String, Object> activate(HttpServletRequest request, @PathVariable long id) {
        return reads.activate(PostmarkTokenFilter.server(request), id);
    }
}
