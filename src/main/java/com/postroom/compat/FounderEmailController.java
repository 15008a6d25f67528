package com.postroom.compat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.mail.Identities;
import com.postroom.mail.MailEndpoints;
import com.postroom.org.Caller;
import com.postroom.api.ApiException;
import com.postroom.api.Idempotency;
import com.postroom.outbound.MimeComposer;
import com.postroom.outbound.OutboundDraft;
import com.postroom.outbound.SendingCore;
import com.postroom.problem.Problem;

/**
 * The founder dashboard's compose ({@code POST /api/founder/email/send}), system notifications
 * ({@code POST /api/founder/notify/email}) and the comms module's send ({@code POST /api/comms/send/email}).
 */
@RestController
class FounderEmailController {

    static final String FOUNDER_ACCESS_REQUIRED = "FOUNDER_ACCESS_REQUIRED";

    private final SendingCore core;
    private final Idempotency idempotency;
    private final MailEndpoints endpoints;

    FounderEmailController(SendingCore core, Idempotency idempotency, MailEndpoints endpoints) {
        this.core = core;
        this.idempotency = idempotency;
        this.endpoints = endpoints;
    }

    record FounderSend(Object to, String subject, String bodyText, String bodyHtml, List<String> cc,
                       List<String> bcc, String replyTo, Boolean urgent) {
    }

    record Notify(Object to, String subject, String body, Object context) {
    }

    private static final java.util.regex.Pattern HTML = java.util.regex.Pattern.compile(
            "<(html|body|p|div|br|table|tr|td|span|a|b|i|u|em|strong|h[1-6]|ul|ol|li|img|hr)\\b[^>]*>",
            java.util.regex.Pattern.CASE_INSENSITIVE);

    /**
     * {@code thread_id} is the platform's comms thread: an integer there, a UUID when a caller continues one of
     * Postroom's own conversations. A UUID continues that conversation; anything else is kept as the platform's
     * reference ({@code metadata.platform_thread_id}) and the mail starts or joins a conversation by its subject.
     */
    record CommsSend(Object threadId, String subject, List<String> recipients, String bodyPlain,
                     String bodyHtml, Map<String, Object> metadata) {

        java.util.Optional<java.util.UUID> postroomThread() {
            if (threadId instanceof String s) {
                try {
                    return java.util.Optional.of(java.util.UUID.fromString(s.strip()));
                } catch (IllegalArgumentException notAUuid) {
                    return java.util.Optional.empty();
                }
            }
            return java.util.Optional.empty();
        }

        Map<String, Object> metadataWithReference() {
            Map<String, Object> out = new LinkedHashMap<>(metadata == null ? Map.of() : metadata);
            if (threadId != null && postroomThread().isEmpty()) {
                if (!(threadId instanceof Number || threadId instanceof String)) {
                    throw Problem.refused("'thread_id' must be the platform's thread number or a "
                            + "Postroom conversation id.");
                }
                out.put("platform_thread_id", threadId);
            }
            return out;
        }
    }

    @PostMapping("/api/founder/email/send")
    ResponseEntity<Object> founderSend(@RequestBody FounderSend body,
                                       @RequestHeader(name = Idempotency.HEADER, required = false) String key) {
        Caller caller = Caller.current().requireOr(FOUNDER_ACCESS_REQUIRED, Caller.FOUNDER, Caller.ADMIN);
        var founder = core.senderFor(Identities.Flow.FOUNDER)
                .orElseThrow(() -> Problem.refused("Email not configured for this organization"));
        requireContent(body.subject(), body.bodyText(), body.bodyHtml(), "'body_text' or 'body_html'");
        OutboundDraft.Builder draft = OutboundDraft.builder(caller.orgId(), Identities.Flow.FOUNDER)
                .createdBy(caller.userId()).to(addressList("to", body.to())).cc(body.cc()).bcc(body.bcc())
                .replyTo(body.replyTo() != null && !body.replyTo().isBlank() ? body.replyTo() : founder.address())
                .subject(body.subject()).text(body.bodyText()).html(body.bodyHtml()).classification("founder_comm");
        if (Boolean.TRUE.equals(body.urgent())) {
            // The headers Outlook, Thunderbird and Apple Mail read for a high-priority mark.
            draft.header("Importance", "high").header("X-Priority", "1 (Highest)");
        }
        return idempotency.run(caller.orgId(), "founder.email.send", key, body, () -> {
            SendingCore.Queued queued = core.queue(draft.build());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("success", true);
            out.put("message_id", queued.message().id());
            out.put("postmark_id", "");
            out.put("thread_id", queued.thread().id());
            return ResponseEntity.ok(out);
        });
    }

    @PostMapping("/api/founder/notify/email")
    ResponseEntity<Object> notify(@RequestBody Notify body,
                                  @RequestHeader(name = Idempotency.HEADER, required = false) String key) {
        Caller caller = Caller.current().require(Caller.FOUNDER, Caller.OPS_ADMIN, Caller.ADMIN);
        if (!endpoints.smtpConfigured()) {
            throw new ApiException(HttpStatus.NOT_IMPLEMENTED, "Email transport (SMTP) is not configured. Please "
                    + "configure SMTP_HOST, SMTP_USERNAME, and SMTP_PASSWORD.");
        }
        requireContent(body.subject(), body.body(), null, "'body'");
        // The platform's callers put HTML in 'body'; like the original, it goes out as HTML with a text part made
        // from it. A body without markup is plain text.
        boolean html = HTML.matcher(body.body()).find();
        OutboundDraft.Builder draft = OutboundDraft.builder(caller.orgId(), Identities.Flow.NOREPLY)
                .createdBy(caller.userId()).to(addressList("to", body.to())).subject(body.subject())
                .text(html ? MimeComposer.textOf(body.body()) : body.body()).html(html ? body.body() : "")
                .classification("ops")
                // RFC 3834: marks the mail as automatic, so auto-responders do not answer it.
                .header("Auto-Submitted", "auto-generated");
        endpoints.identities().supportReplyTo().ifPresent(r -> draft.replyTo(r.address()));
        if (body.context() != null) {
            draft.metadata(Map.of("context", body.context()));
        }
        return idempotency.run(caller.orgId(), "founder.notify.email", key, body, () -> {
            SendingCore.Queued queued = core.queue(draft.build());
            return ResponseEntity.ok(Map.of("success", true, "status", "queued", "message_id",
                    queued.message().id()));
        });
    }

    @PostMapping("/api/comms/send/email")
    ResponseEntity<Object> comms(@RequestBody CommsSend body,
                                 @RequestHeader(name = Idempotency.HEADER, required = false) String key) {
        Caller caller = Caller.current().require(Caller.ADMIN, Caller.BILLING, Caller.COMPLIANCE, Caller.FOUNDER);
        if (body.recipients() == null || body.recipients().stream().allMatch(r -> r == null || r.isBlank())) {
            throw Problem.refused("Recipients required");
        }
        OutboundDraft draft = OutboundDraft.builder(caller.orgId(), Identities.Flow.GENERIC)
                .sentBy(caller).threadId(body.postroomThread().orElse(null)).to(body.recipients())
                .subject(body.subject()).text(body.bodyPlain()).html(body.bodyHtml())
                .metadata(body.metadataWithReference()).build();
        return idempotency.run(caller.orgId(), "comms.send.email", key, body, () -> {
            SendingCore.Queued queued = core.queue(draft);
            return ResponseEntity.status(HttpStatus.CREATED)
                    .body(Map.of("thread", OriginalShapes.thread(queued.thread()), "message",
                            OriginalShapes.message(queued.message())));
        });
    }

    /** {@code to} as one address, a comma-separated list, or a JSON array. */
    static List<String> addressList(String field, Object value) {
        if (value instanceof String s && !s.isBlank()) {
            return List.of(s.split(",")).stream().map(String::strip).filter(v -> !v.isEmpty()).toList();
        }
        if (value instanceof List<?> list && !list.isEmpty()) {
            return list.stream().map(String::valueOf).toList();
        }
        throw Problem.refused("'" + field + "' is required: one address, or a list of addresses.");
    }

    private static void requireContent(String subject, String text, String html, String bodyFields) {
        if (subject == null || subject.isBlank()) {
            throw Problem.refused("'subject' is required.");
        }
        if ((text == null || text.isBlank()) && (html == null || html.isBlank())) {
            throw Problem.refused("Give the message a body: " + bodyFields + ".");
        }
    }
}
