package com.postroom.mailbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.audit.AuditLog;
import com.postroom.org.Caller;
import com.postroom.problem.Problem;
import com.postroom.search.MailSearch;
import com.postroom.search.SearchQuery;
import com.postroom.store.Labels;
import com.postroom.store.StoredThread;
import com.postroom.store.Threads;
import com.postroom.store.View;

/**
 * The native mailbox API under {@code /api/mail}: what a Gmail-like client needs. Folders and labels with counts,
 * conversations per view or label with cursor paging, a message or conversation with safe HTML, changes one at a time
 * or in bulk (written back to IMAP), search with Gmail's operators. Every id is looked up within the caller's
 * organization; another organization's id is a 404, like an id that does not exist.
 */
@RestController
public class MailApiController {

    private final Conversations conversations;
    private final MessageDetails details;
    private final MailChanges changes;
    private final MailSearch search;
    private final Labels labels;
    private final LabelScope labelScope;
    private final Threads threads;
    private final AuditLog audit;
    private final MailboxCounts mailboxCounts;
    private final LabelEdits labelEdits;
    private final com.postroom.postmarkapi.PostmarkServers postmarkServers;

    MailApiController(Conversations conversations, MessageDetails details, MailChanges changes,
                      MailSearch search, Labels labels, LabelScope labelScope, Threads threads, AuditLog audit,
                      MailboxCounts mailboxCounts, LabelEdits labelEdits,
                      com.postroom.postmarkapi.PostmarkServers postmarkServers) {
        this.postmarkServers = postmarkServers;
        this.labelEdits = labelEdits;
        this.labelScope = labelScope;
        this.conversations = conversations;
        this.details = details;
        this.changes = changes;
        this.search = search;
        this.labels = labels;
        this.threads = threads;
        this.audit = audit;
        this.mailboxCounts = mailboxCounts;
    }

    @GetMapping("/api/mail/folders")
    Map<String, Object> folders() {
        MailboxCounts.Counts counts = mailboxCounts.of(Caller.current().orgId());
        return Map.of("folders", counts.folders(), "labels", counts.labels());
    }

    @GetMapping("/api/mail/conversations")
    Conversations.Page conversations(@RequestParam(defaultValue = "inbox") String view,
                                     @RequestParam Optional<String> label, @RequestParam Optional<String> cursor,
                                     @RequestParam(defaultValue = "50") int limit) {
        Caller caller = Caller.current();
        checkLimit(limit, 200);
        LabelScope.Scope scope = scope(caller, view, label);
        return conversations.list(caller.orgId(), scope.view(), scope.label(), cursor, limit);
    }

    @GetMapping("/api/mail/messages")
    Conversations.MessagePage messages(@RequestParam(defaultValue = "inbox") String view,
                                       @RequestParam Optional<String> label, @RequestParam Optional<String> cursor,
                                       @RequestParam(defaultValue = "50") int limit) {
        Caller caller = Caller.current();
        checkLimit(limit, 200);
        LabelScope.Scope scope = scope(caller, view, label);
        return conversations.messages(caller.orgId(), scope.view(), scope.label(), cursor, limit);
    }

    /** A list's view and label from the request; 400 for an unknown view or an empty label, 404 for no such label. */
    private LabelScope.Scope scope(Caller caller, String view, Optional<String> label) {
        View v = View.of(view).orElseThrow(() -> Problem.badInput("view must be one of "
                + String.join(", ", View.SEARCHABLE) + "."));
        return labelScope.of(caller.orgId(), v, label);
    }

    @GetMapping("/api/mail/conversations/{id}")
    @Transactional
    Map<String, Object> conversation(@PathVariable UUID id, @RequestParam(defaultValue = "false") boolean images) {
        Caller caller = Caller.current();
        StoredThread thread = threads.find(caller.orgId(), id).orElseThrow(() -> Problem.notFound("Thread not found"));
        List<MessageDetails.Detail> messages = details.ofThread(caller.orgId(), id, images);
        audit.record(caller, AuditLog.THREAD_READ, "email_thread", id, AuditLog.details("messages", messages.size()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("thread", thread);
        out.put("messages", messages);
        return out;
    }

    @GetMapping("/api/mail/messages/{id}")
    @Transactional
    MessageDetails.Detail message(@PathVariable UUID id, @RequestParam(defaultValue = "false") boolean images) {
        Caller caller = Caller.current();
        MessageDetails.Detail d = details.find(caller.orgId(), id, images)
                .orElseThrow(() -> Problem.notFound("Message not found"));
        audit.record(caller, AuditLog.MESSAGE_READ, "email_message", id, Map.of());
        return d;
    }

    record ChangeRequest(String action, List<UUID> messageIds, List<UUID> threadIds, String label) {
    }

    @PostMapping("/api/mail/changes")
    Map<String, Object> change(@RequestBody ChangeRequest body) {
        Caller caller = Caller.current();
        MailChanges.Action action = MailChanges.Action.of(body.action() == null ? "" : body.action())
                .orElseThrow(() -> Problem.refused("action must be one of read, unread, star, unstar, "
                        + "archive, inbox, trash, restore, spam, not_spam, add_label, remove_label."));
        List<UUID> changed = changes.apply(caller, action, body.messageIds(), body.threadIds(), body.label());
        return Map.of("action", action.id(), "changed", changed.size(), "message_ids", changed);
    }

    @GetMapping("/api/mail/search")
    Map<String, Object> search(@RequestParam(defaultValue = "") String q, @RequestParam Optional<String> cursor,
                               @RequestParam(defaultValue = "50") int limit) {
        Caller caller = Caller.current();
        checkLimit(limit, 200);
        SearchQuery query = parse(q);
        int offset = cursor.map(MailApiController::offsetOf).orElse(0);
        MailSearch.Page page = search.search(caller.orgId(), query, limit, offset);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("query", q);
        out.put("results", page.hits());
        // Messages stored a moment ago without their search documents yet (a large batch): a search may miss them.
        out.put("indexing", search.pendingIndexing(caller.orgId()));
        if (!SearchQuery.positiveTexts(query).isEmpty()) {
            // Postmark servers whose mail is found by subject, people and attachment names, not by its words.
            out.put("text_unsearched", postmarkServers.withoutTextSearch(caller.orgId()));
        }
        if (page.more()) {
            out.put("next_cursor", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(("o:" + (offset + limit)).getBytes(StandardCharsets.US_ASCII)));
        }
        return out;
    }

    @GetMapping("/api/mail/labels")
    List<Labels.Label> labels() {
        return labels.list(Caller.current().orgId());
    }

    record LabelBody(String name, String color) {
    }

    @PostMapping("/api/mail/labels")
    ResponseEntity<Labels.Label> createLabel(@RequestBody LabelBody body) {
        return ResponseEntity.status(HttpStatus.CREATED).body(labelEdits.create(Caller.current(), body.name(),
                body.color()));
    }

    @PatchMapping("/api/mail/labels/{id}")
    Labels.Label updateLabel(@PathVariable long id, @RequestBody LabelBody body) {
        return labelEdits.update(Caller.current(), id, body.name(), body.color());
    }

    @DeleteMapping("/api/mail/labels/{id}")
    ResponseEntity<Void> deleteLabel(@PathVariable long id) {
        labelEdits.delete(Caller.current(), id);
        return ResponseEntity.noContent().build();
    }

    public static SearchQuery parse(String q) {
        try {
            return SearchQuery.parse(q);
        } catch (SearchQuery.Malformed e) {
            throw Problem.badInput(e.getMessage());
        }
    }

    private static int offsetOf(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (s.startsWith("o:")) {
                int offset = Integer.parseInt(s.substring(2));
                if (offset >= 0 && offset <= 100_000) {
                    return offset;
                }
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw Problem.badInput("cursor is not valid: pass next_cursor from the previous page as is.");
    }

    static void checkLimit(int limit, int max) {
        if (limit < 1 || limit > max) {
            throw Problem.badInput("limit must be between 1 and " + max + ".");
        }
    }
}
