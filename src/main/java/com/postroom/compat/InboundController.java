package com.postroom.compat;

import java.io.IOException;
import java.io.OutputStream;

import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.inbound.FolderSync;
import com.postroom.inbound.InboundSync;
import com.postroom.inbound.Mailboxes;
import com.postroom.org.Caller;
import com.postroom.problem.Problem;
import com.postroom.store.Messages;
import com.postroom.api.ApiException;

/** Sync on demand, the quarantine, and a stored message's raw bytes. */
@RestController
class InboundController {

    private final InboundSync sync;
    private final Mailboxes mailboxes;
    private final Messages messages;

    InboundController(InboundSync sync, Mailboxes mailboxes, Messages messages) {
        this.sync = sync;
        this.mailboxes = mailboxes;
        this.messages = messages;
    }

    @PostMapping("/api/email/poll-inbound")
    ResponseEntity<Object> pollInbound() {
        Caller caller = Caller.current().require(Caller.ADMIN, Caller.FOUNDER);
        if (mailboxes.enabled(caller.orgId()).isEmpty()) {
            throw new ApiException(HttpStatus.PRECONDITION_FAILED, "No IMAP mailbox is configured for this "
                    + "organization: set IMAP_HOST, IMAP_USERNAME and IMAP_PASSWORD, or add one with POST "
                    + "/api/email/mailboxes.");
        }
        List<InboundSync.MailboxCounts> results = sync.syncNow(caller.orgId());
        if (results.stream().allMatch(r -> r.error() != null)) {
            throw new ApiException(HttpStatus.BAD_GATEWAY, "IMAP poll failed: " + results.get(0).error());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ok");
        body.put("message", "IMAP poll completed");
        body.put("fetched", results.stream().mapToLong(r -> r.total(FolderSync.Counts::fetched)).sum());
        body.put("new", results.stream().mapToLong(r -> r.total(FolderSync.Counts::stored)).sum());
        body.put("duplicates", results.stream().mapToLong(r -> r.total(FolderSync.Counts::duplicates)).sum());
        body.put("quarantined", results.stream().mapToLong(r -> r.total(FolderSync.Counts::quarantined)).sum());
        body.put("mailboxes", results.stream().map(InboundController::mailbox).toList());
        return ResponseEntity.ok(body);
    }

    private static Map<String, Object> mailbox(InboundSync.MailboxCounts r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.mailboxId());
        m.put("mailbox", r.mailbox());
        m.put("fetched", r.total(FolderSync.Counts::fetched));
        m.put("new", r.total(FolderSync.Counts::stored));
        m.put("duplicates", r.total(FolderSync.Counts::duplicates));
        m.put("quarantined", r.total(FolderSync.Counts::quarantined));
        m.put("folders", r.folders());
        m.put("error", r.error());
        return m;
    }

    /** Messages that could not be parsed: stored raw, with the reason. */
    @GetMapping("/api/email/quarantine")
    List<Map<String, Object>> quarantine(@RequestParam(defaultValue = "100") int limit,
                                         @RequestParam(defaultValue = "0") int offset) {
        Caller caller = Caller.current().require(Caller.ADMIN, Caller.FOUNDER);
        if (limit < 1 || limit > 500 || offset < 0) {
            throw Problem.badInput("limit must be 1 to 500 and offset 0 or more.");
        }
        return messages.quarantined(caller.orgId(), limit, offset);
    }
}
