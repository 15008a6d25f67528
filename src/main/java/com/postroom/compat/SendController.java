package com.postroom.compat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.mail.Identities;
import com.postroom.mail.MailEndpoints;
import com.postroom.org.Caller;
import com.postroom.api.ApiException;
import com.postroom.api.Idempotency;
import com.postroom.outbound.GroupedSends;
import com.postroom.outbound.OutboundDraft;
import com.postroom.outbound.Outbox;
import com.postroom.outbound.SendingCore;
import com.postroom.problem.Problem;

/** POST /api/email/send, /api/email/send-test and GET /api/email/outbound/{id} (ORIGINAL-API.md). */
@RestController
class SendController {

    /** send-test is a diagnostic: it waits for the server's answer so the caller learns whether SMTP works. */
    static final Duration SEND_TEST_WAIT = Duration.ofSeconds(20);

    private final SendingCore core;
    private final Idempotency idempotency;
    private final Outbox outbox;
    private final GroupedSends grouped;
    private final MailEndpoints endpoints;
    private final com.postroom.store.Messages messages;

    SendController(SendingCore core, GroupedSends grouped, Idempotency idempotency, Outbox outbox,
                   MailEndpoints endpoints, com.postroom.store.Messages messages) {
        this.grouped = grouped;
        this.messages = messages;
        this.core = core;
        this.idempotency = idempotency;
        this.outbox = outbox;
        this.endpoints = endpoints;
    }

    record SendRequest(String sender, List<String> recipients, List<String> cc, List<String> bcc, String subject,
                       String bodyPlain, String bodyHtml, String classification, Map<String, Object> metadata,
                       UUID threadId) {
    }

    /** The longest a caller may ask a send to wait for its first attempt ({@code ?wait=} or {@code Prefer: wait=}). */
    static final Duration MAX_SEND_WAIT = Duration.ofSeconds(30);

    @PostMapping("/api/email/send")
    ResponseEntity<Object> send(@RequestBody SendRequest body,
                                @RequestHeader(name = Idempotency.HEADER, required = false) String key,
                                @org.springframework.web.bind.annotation.RequestParam(name = "wait", required = false)
                                String waitParam,
                                @RequestHeader(name = "Prefer", required = false) String prefer) {
        Optional<Duration> wait = requestedWait(waitParam, prefer);
        Caller caller = Caller.current().require(Caller.ADMIN, Caller.DISPATCHER, Caller.BILLING, Caller.FOUNDER);
        OutboundDraft draft = OutboundDraft.builder(caller.orgId(), Identities.Flow.GENERIC)
                .sentBy(caller).from(body.sender()).to(body.recipients()).cc(body.cc()).bcc(body.bcc())
                .subject(body.subject()).text(body.bodyPlain()).html(body.bodyHtml())
                .classification(body.classification()).metadata(body.metadata()).threadId(body.threadId()).build();
        // Mail that will not go is refused, not stored as "blocked" with a 201 (the original did that, and its
        // callers took the 201 for a sent message).
        if (draft.to().isEmpty() && draft.cc().isEmpty() && draft.bcc().isEmpty()) {
            throw Problem.refused("Recipients required");
        }
        // Without an Idempotency-Key the send is the request's only write: it joins the concurrent sends' group
        // transaction (GroupedSends). With a key, the key's record and the message are written in one transaction.
        ResponseEntity<Object> created = key == null ? created(grouped.queue(draft))
                : idempotency.run(caller.orgId(), "email.send", key, body, () -> created(core.queue(draft)));
        if (wait.isEmpty() || !(created.getBody() instanceof Map<?, ?> out)
                || !(out.get("message") instanceof OriginalShapes.Message queued)) {
            return created;
        }
        // The caller asked to learn the first attempt's outcome (the original answered "sent" synchronously).
        Outbox.Status status = waitForOutcome(caller.orgId(), queued.id(), wait.get());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("message", messages.find(caller.orgId(), queued.id()).map(OriginalShapes::message).orElse(queued));
        answer.put("decision", out.get("decision"));
        Map<String, Object> delivery = new LinkedHashMap<>();
        delivery.put("status", status.status());
        delivery.put("attempt_count", status.attempts());
        delivery.put("last_error", status.lastError());
        answer.put("delivery", delivery);
        return ResponseEntity.status(HttpStatus.CREATED).header("Preference-Applied", "wait=" + wait.get().toSeconds())
                .body(answer);
    }

    private static ResponseEntity<Object> created(SendingCore.Queued queued) {
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("message",
                OriginalShapes.message(queued.message()), "decision", OriginalShapes.decision(queued.decision())));
    }

    /**
     * {@code ?wait=5s} (or {@code 5}) or RFC 7240's {@code Prefer: wait=5}: how long the caller will wait for the
     * first attempt. At most {@link #MAX_SEND_WAIT}.
     */
    static Optional<Duration> requestedWait(String param, String prefer) {
        String raw = param;
        if ((raw == null || raw.isBlank()) && prefer != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)(?:^|[,;\\s])wait\\s*=\\s*(\\d+)")
                    .matcher(prefer);
            raw = m.find() ? m.group(1) : null;
        }
        if (raw == null || raw.isBlank()) {
            return Optional.empty();
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,6})\\s*(ms|s)?").matcher(raw.strip());
        if (!m.matches()) {
            throw Problem.refused("wait must be a number of seconds, such as wait=5s; got '" + raw + "'.");
        }
        Duration d = "ms".equals(m.group(2)) ? Duration.ofMillis(Long.parseLong(m.group(1)))
                : Duration.ofSeconds(Long.parseLong(m.group(1)));
        return Optional.of(d.compareTo(MAX_SEND_WAIT) > 0 ? MAX_SEND_WAIT : d);
    }

    @PostMapping("/api/email/send-test")
    ResponseEntity<Object> sendTest() {
        Caller caller = Caller.current().require(Caller.ADMIN, Caller.FOUNDER);
        Identities ids = endpoints.identities();
        var to = ids.founder().or(ids::smtpUsername);
        if (!endpoints.smtpConfigured() || to.isEmpty()) {
            throw new ApiException(HttpStatus.PRECONDITION_FAILED, !endpoints.smtpConfigured()
                    ? "SMTP is not configured; set SMTP_HOST, SMTP_USERNAME and SMTP_PASSWORD."
                    : "No recipient for the test email; set FOUNDER_EMAIL.");
        }
        OutboundDraft draft = OutboundDraft.builder(caller.orgId(), Identities.Flow.NOREPLY)
                .createdBy(caller.userId()).to(List.of(to.get().address())).subject("FusionEMS – test email")
                .text("This is a test email from Postroom. If you can read it, outbound mail works.\n\nSent at "
                        + Instant.now() + ".")
                .header("Auto-Submitted", "auto-generated").build();
        UUID id = core.queue(draft).message().id();
        Outbox.Status status = waitForOutcome(caller.orgId(), id, SEND_TEST_WAIT);
        if ("sent".equals(status.status())) {
            return ResponseEntity.ok(Map.of("status", "ok", "message", "Test email sent to " + to.get().address()));
        }
        String reason = status.lastError() == null ? "no answer from the SMTP server within "
                + SEND_TEST_WAIT.toSeconds() + " s" : status.lastError();
        throw new ApiException(HttpStatus.BAD_GATEWAY, "Send failed: " + reason
                + ("failed".equals(status.status()) ? "" : " (the message stays queued and will be retried)"));
    }

    private Outbox.Status waitForOutcome(long orgId, UUID id, Duration wait) {
        Instant deadline = Instant.now().plus(wait);
        while (true) {
            Outbox.Status status = outbox.status(orgId, id).orElseThrow();
            boolean triedOnce = status.attempts() > 0 && !"sending".equals(status.status());
            if ("sent".equals(status.status()) || "failed".equals(status.status()) || triedOnce
                    || Instant.now().isAfter(deadline)) {
                return status;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return status;
            }
        }
    }

    @GetMapping("/api/email/outbound/{id}")
    Map<String, Object> status(@PathVariable UUID id) {
        Caller caller = Caller.current();
        Outbox.Status status = outbox.status(caller.orgId(), id)
                .orElseThrow(() -> Problem.notFound("Outbound message not found"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", status.messageId());
        out.put("status", status.status());
        out.put("attempt_count", status.attempts());
        out.put("created_at", status.createdAt());
        out.put("next_attempt_at", "queued".equals(status.status()) ? status.nextAttemptAt() : null);
        out.put("sent_at", status.sentAt());
        out.put("last_error", status.lastError());
        out.put("accepted_recipients", status.acceptedRecipients());
        out.put("failed_recipients", status.failedRecipients());
        out.put("pending_recipients", status.pendingRecipients());
        List<Outbox.Attempt> attempts = outbox.attempts(id);
        out.put("refusals", refusals(status, attempts));
        out.put("attempts", attempts);
        return out;
    }

    /**
     * For each recipient not (yet) accepted, the server's last answer to it: code and reply as the server gave
     * them, so a caller sees "550 5.1.1 User unknown" where the mail went wrong.
     */
    static List<Map<String, Object>> refusals(Outbox.Status status, List<Outbox.Attempt> attempts) {
        java.util.Set<String> open = new java.util.LinkedHashSet<>(status.failedRecipients());
        open.addAll(status.pendingRecipients());
        Map<String, Map<String, Object>> latest = new LinkedHashMap<>();
        for (Outbox.Attempt a : attempts) {
            for (var r : a.recipients()) {
                String address = r.path("address").asString();
                if (open.contains(address) && !r.path("accepted").asBoolean()) {
                    Map<String, Object> refusal = new LinkedHashMap<>();
                    refusal.put("recipient", address);
                    refusal.put("smtp_code", r.path("code").asInt() == 0 ? null : r.path("code").asInt());
                    refusal.put("reply", r.path("reply").asString());
                    refusal.put("attempt", a.attemptNo());
                    latest.put(address, refusal);
                }
            }
        }
        return List.copyOf(latest.values());
    }
}
