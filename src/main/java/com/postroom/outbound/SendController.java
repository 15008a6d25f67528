package com.postroom.outbound;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.config.Identities;
import com.postroom.mail.MailEndpoints;
import com.postroom.org.Caller;
import com.postroom.web.ApiException;

/** POST /api/email/send, /api/email/send-test and GET /api/email/outbound/{id} (ORIGINAL-API.md). */
@RestController
class SendController {

    /** send-test is a diagnostic: it waits for the server's answer so the caller learns whether SMTP works. */
    static final Duration SEND_TEST_WAIT = Duration.ofSeconds(20);

    private final SendingCore core;
    private final Idempotency idempotency;
    private final Outbox outbox;
    private final MailEndpoints endpoints;

    SendController(SendingCore core, Idempotency idempotency, Outbox outbox, MailEndpoints endpoints) {
        this.core = core;
        this.idempotency = idempotency;
        this.outbox = outbox;
        this.endpoints = endpoints;
    }

    record SendRequest(String sender, List<String> recipients, List<String> cc, List<String> bcc, String subject,
                       String bodyPlain, String bodyHtml, String classification, Map<String, Object> metadata,
                       UUID threadId) {
    }

    @PostMapping("/api/email/send")
    ResponseEntity<Object> send(@RequestBody SendRequest body,
                                @RequestHeader(name = Idempotency.HEADER, required = false) String key) {
        Caller caller = Caller.current().require(Caller.ADMIN, Caller.DISPATCHER, Caller.BILLING, Caller.FOUNDER);
        OutboundDraft draft = OutboundDraft.builder(caller.orgId(), Identities.Flow.GENERIC)
                .createdBy(caller.userId()).from(body.sender()).to(body.recipients()).cc(body.cc()).bcc(body.bcc())
                .subject(body.subject()).text(body.bodyPlain()).html(body.bodyHtml())
                .classification(body.classification()).metadata(body.metadata()).threadId(body.threadId()).build();
        return idempotency.run(caller.orgId(), "email.send", key, body, () -> {
            List<Decision.Reason> blocked = new ArrayList<>();
            if (draft.from().isEmpty()) {
                blocked.add(new Decision.Reason(Decision.SENDER_MISSING, "No sender given", "error"));
            }
            if (draft.to().isEmpty()) {
                blocked.add(new Decision.Reason(Decision.RECIPIENTS_MISSING, "No recipients given", "error"));
            }
            SendingCore.Queued queued = blocked.isEmpty() ? core.queue(draft)
                    : core.block(draft, Decision.block(blocked));
            return ResponseEntity.status(HttpStatus.CREATED)
                    .body(Map.of("message", queued.message(), "decision", queued.decision()));
        });
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
        Outbox.Status status = waitForOutcome(caller.orgId(), id);
        if ("sent".equals(status.status())) {
            return ResponseEntity.ok(Map.of("status", "ok", "message", "Test email sent to " + to.get().address()));
        }
        String reason = status.lastError() == null ? "no answer from the SMTP server within "
                + SEND_TEST_WAIT.toSeconds() + " s" : status.lastError();
        throw new ApiException(HttpStatus.BAD_GATEWAY, "Send failed: " + reason
                + ("failed".equals(status.status()) ? "" : " (the message stays queued and will be retried)"));
    }

    private Outbox.Status waitForOutcome(long orgId, UUID id) {
        Instant deadline = Instant.now().plus(SEND_TEST_WAIT);
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
                .orElseThrow(() -> ApiException.notFound("Outbound message not found"));
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
