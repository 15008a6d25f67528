package com.postroom.compat;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.audit.AuditLog;
import com.postroom.mailbox.MailApiController;
import com.postroom.mailbox.MailChanges;
import com.postroom.search.MailSearch;
import com.postroom.mailbox.MessageDeletion;
import com.postroom.search.SearchQuery;
import com.postroom.mime.Attachments;
import com.postroom.org.Caller;
import com.postroom.problem.Problem;
import com.postroom.store.Labels;
import com.postroom.store.StoredMessage;
import com.postroom.store.Messages;
import com.postroom.store.StoredThread;
import com.postroom.store.Threads;

/**
 * ORIGINAL-API.md's mailbox routes under {@code /api/email}, with their field names and status codes: threads,
 * messages, attachments, labels, archive, delete (legal hold and retention) and search.
 */
@RestController
class MessageController {

    private final Messages messages;
    private final Threads threads;
    private final Attachments attachments;
    private final Labels labels;
    private final MailChanges changes;
    private final MailSearch search;
    private final MessageDeletion deletion;
    private final AuditLog audit;

    MessageController(Messages messages, Threads threads, Attachments attachments, Labels labels,
                      MailChanges changes, MailSearch search, MessageDeletion deletion, AuditLog audit) {
        this.messages = messages;
        this.threads = threads;
        this.attachments = attachments;
        this.labels = labels;
        this.changes = changes;
        this.search = search;
        this.deletion = deletion;
        this.audit = audit;
    }

    @GetMapping("/api/email/threads")
    List<OriginalShapes.Thread> threads(@RequestParam(name = "status_filter") Optional<String> statusFilter,
                                        @RequestParam(defaultValue = "100") int limit, @RequestParam(defaultValue = "0") int offset,
                             HttpServletRequest request, HttpServletResponse response) {
        Caller caller = Caller.current();
        page(limit, offset);
        return paged(threads.list(caller.orgId(), statusFilter.filter(s -> !s.isBlank()), limit, offset).stream()
                .map(OriginalShapes::thread).toList(), limit, offset, request, response);
    }

    /**
     * The original routes answer a bare list, capped at {@code limit} (100 unless asked). A full page may have more
     * behind it: then a {@code Link: <...offset=N>; rel="next"} header (RFC 8288) and {@code X-Has-More: true} say
     * so, and where to ask, without changing the body the platform's callers read.
     */
    static <T> List<T> paged(List<T> page, int limit, int offset, HttpServletRequest request,
                             HttpServletResponse response) {
        boolean more = page.size() >= limit;
        response.setHeader("X-Has-More", String.valueOf(more));
        if (more) {
            String next = org.springframework.web.servlet.support.ServletUriComponentsBuilder.fromRequest(request)
                    .replaceQueryParam("offset", offset + limit).replaceQueryParam("limit", limit)
                    .build().toUriString();
            response.setHeader("Link", "<" + next + ">; rel=\"next\"");
        }
        return page;
    }

    @GetMapping("/api/email/threads/{id}")
    @Transactional
    Map<String, Object> thread(@PathVariable UUID id) {
        Caller caller = Caller.current();
        StoredThread thread = threads.find(caller.orgId(), id).orElseThrow(() -> Problem.notFound("Thread not found"));
        List<StoredMessage> list = messages.ofThread(caller.orgId(), id);
        audit.record(caller, AuditLog.THREAD_READ, "email_thread", id, AuditLog.details("messages", list.size()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("thread", OriginalShapes.thread(thread));
        out.put("messages", OriginalShapes.messages(list));
        return out;
    }

    @GetMapping("/api/email/messages")
    List<OriginalShapes.Message> list(@RequestParam(name = "thread_id", required = false) UUID threadId,
                                      @RequestParam(defaultValue = "100") int limit, @RequestParam(defaultValue = "0") int offset,
                           HttpServletRequest request, HttpServletResponse response) {
        Caller caller = Caller.current();
        page(limit, offset);
        return paged(OriginalShapes.messages(messages.list(caller.orgId(), Optional.ofNullable(threadId), limit,
                offset)), limit, offset, request, response);
    }

    @GetMapping("/api/email/messages/{id}/attachments")
    List<Map<String, Object>> attachments(@PathVariable UUID id) {
        Caller caller = Caller.current();
        existing(caller, id);
        return attachments.of(caller.orgId(), id);
    }

    @GetMapping("/api/email/labels")
    List<Labels.Label> labels() {
        return labels.list(Caller.current().orgId());
    }

    record LabelRequest(String label) {
    }

    @PostMapping("/api/email/messages/{id}/labels")
    Map<String, Object> addLabel(@PathVariable UUID id, @RequestBody(required = false) LabelRequest body) {
        Caller caller = Caller.current();
        String slug = Labels.slugOf(body == null ? null : body.label())
                .orElseThrow(() -> Problem.refused("Label required"));
        existing(caller, id);
        changes.apply(caller, MailChanges.Action.ADD_LABEL, List.of(id), List.of(), slug);
        return Map.of("status", "ok", "label", slug);
    }

    @PostMapping("/api/email/messages/{id}/archive")
    Map<String, Object> archive(@PathVariable UUID id) {
        Caller caller = Caller.current();
        existing(caller, id);
        changes.apply(caller, MailChanges.Action.ARCHIVE, id);
        return Map.of("status", "archived");
    }

    /**
     * A soft delete: the message leaves every list at once (status {@code deleted_pending}); its content stays until
     * it is purged. Refused with 423 and the decision while a legal hold or the retention period covers it.
     */
    @DeleteMapping({"/api/email/messages/{id}", "/api/mail/messages/{id}"})
    Map<String, Object> delete(@PathVariable UUID id) {
        Caller caller = Caller.current().require(Caller.ADMIN, Caller.FOUNDER, Caller.MEDICAL_DIRECTOR);
        return Map.of("status", "queued", "decision", OriginalShapes.decision(deletion.delete(caller, id)));
    }

    @GetMapping("/api/email/search")
    List<OriginalShapes.Message> search(@RequestParam Optional<String> q, @RequestParam Optional<String> label,
                             @RequestParam Optional<String> sender, @RequestParam Optional<String> recipient,
                             @RequestParam Optional<String> start, @RequestParam Optional<String> end,
                             @RequestParam(name = "has_attachments") Optional<Boolean> hasAttachments,
                             @RequestParam(defaultValue = "100") int limit, @RequestParam(defaultValue = "0") int offset,
                             HttpServletRequest request, HttpServletResponse response) {
        Caller caller = Caller.current();
        page(limit, offset);
        if (q.isEmpty() || q.get().isBlank()) {
            throw Problem.refused("q is required: the words or Gmail-style query to search for.");
        }
        List<SearchQuery> terms = new ArrayList<>();
        terms.add(MailApiController.parse(q.get()));
        label.filter(s -> !s.isBlank()).ifPresent(l -> terms.add(new SearchQuery.Operator("label", l.strip())));
        sender.filter(s -> !s.isBlank()).ifPresent(s -> terms.add(new SearchQuery.Operator("from", s.strip())));
        recipient.filter(s -> !s.isBlank()).ifPresent(r -> terms.add(new SearchQuery.Operator("to", r.strip())));
        start.filter(s -> !s.isBlank()).ifPresent(s -> terms.add(new SearchQuery.Operator("after",
                date("start", s).toString())));
        end.filter(s -> !s.isBlank()).ifPresent(s -> terms.add(new SearchQuery.Operator("before",
                date("end", s).plusDays(1).toString())));
        hasAttachments.ifPresent(h -> terms.add(h ? new SearchQuery.Operator("has", "attachment")
                : new SearchQuery.Not(new SearchQuery.Operator("has", "attachment"))));
        SearchQuery query = terms.size() == 1 ? terms.get(0) : new SearchQuery.And(terms);
        return paged(OriginalShapes.messages(messages.byIds(caller.orgId(), search.ids(caller.orgId(), query, limit,
                offset))), limit, offset, request, response);
    }

    private void existing(Caller caller, UUID id) {
        if (!messages.exists(caller.orgId(), id)) {
            throw Problem.notFound("Message not found");
        }
    }

    private static LocalDate date(String name, String value) {
        try {
            return value.length() > 10 ? OffsetDateTime.parse(value).toLocalDate() : LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw Problem.refused(name + " must be an ISO date such as 2026-01-31.");
        }
    }

    private static void page(int limit, int offset) {
        if (limit < 1 || limit > 500 || offset < 0) {
            throw Problem.badInput("limit must be 1 to 500 and offset 0 or more.");
        }
    }
}
