package com.postroom.postmarkapi;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import tools.jackson.databind.JsonNode;

import com.postroom.mail.EmailAddress;
import com.postroom.mail.Identities;
import com.postroom.outbound.GroupedSends;
import com.postroom.outbound.OutboundDraft;
import com.postroom.outbound.SendingCore;
import com.postroom.outbound.Suppressions;
import com.postroom.problem.Problem;

/**
 * Postmark messages into Postroom's one sending core: the server's sender rules, Postmark's limits and codes, the
 * stream's suppressions, then {@link SendingCore#queueAll} like every other message (outbox, retries, never twice).
 * A batch is one transaction; a refused message is answered in its place and leaves the others queued.
 */
@Service
class PostmarkSending {

    /** Postmark's streams here: transactional mail, and broadcasts that carry one-click unsubscribe (RFC 8058). */
    static final String OUTBOUND = "outbound";
    static final String BROADCAST = "broadcast";
    static final Set<String> STREAMS = Set.of(OUTBOUND, BROADCAST);
    static final int MAX_BATCH = 500;

    private static final DateTimeFormatter SUBMITTED = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    private final SendingCore core;
    private final GroupedSends grouped;
    private final TransactionTemplate batch;
    private final PostmarkTemplates templates;
    private final TemplateRendering rendering;

    PostmarkSending(SendingCore core, GroupedSends grouped, PlatformTransactionManager transactions,
                    PostmarkTemplates templates, TemplateRendering rendering) {
        this.grouped = grouped;
        this.templates = templates;
        this.rendering = rendering;
        this.core = core;
        this.batch = new TransactionTemplate(transactions);
    }

    /** One message: its answer, or a {@link PostmarkError}. */
    Map<String, Object> send(PostmarkServers.Server server, JsonNode node) {
        return single(queueAll(server, List.of(() -> PostmarkMessage.parse(node))));
    }

    /** One message from a template ({@code TemplateId} or {@code TemplateAlias}, with {@code TemplateModel}). */
    Map<String, Object> sendWithTemplate(PostmarkServers.Server server, JsonNode node) {
        return single(queueAll(server, List.of(() -> PostmarkMessage.parse(fromTemplate(server, node)))));
    }

    /** {@code {"Messages": [...]}}, each from its template, answered like a batch. */
    List<Map<String, Object>> sendBatchWithTemplates(PostmarkServers.Server server, JsonNode node) {
        JsonNode messages = node == null ? null : PostmarkJson.get(node, "Messages");
        if (messages == null || !messages.isArray()) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "Send {\"Messages\": [...]}, each message with "
                    + "a TemplateId or TemplateAlias and a TemplateModel.");
        }
        if (messages.size() > MAX_BATCH) {
            throw PostmarkError.invalid(PostmarkError.TOO_MANY_BATCH_MESSAGES, "Too many batch messages: "
                    + messages.size() + "; send at most " + MAX_BATCH + " per call.");
        }
        List<Supplier<PostmarkMessage>> parts = new ArrayList<>();
        for (JsonNode one : messages.values()) {
            parts.add(() -> PostmarkMessage.parse(fromTemplate(server, one)));
        }
        return inPlace(queueAll(server, parts));
    }

    /** The message with Subject, HtmlBody and TextBody rendered from its template and model. */
    private JsonNode fromTemplate(PostmarkServers.Server server, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "Each message must be a JSON object.");
        }
        Map<String, JsonNode> fields = PostmarkJson.fields(node);
        // Postmark's PHP client sends both, the one not chosen as 0 or "" ({"TemplateId":0,"TemplateAlias":"welcome"}).
        String id = PostmarkJson.text(fields.get("templateid"));
        String alias = PostmarkJson.text(fields.get("templatealias"));
        String key = !id.isBlank() && !id.strip().equals("0") ? id : alias;
        if (key.isBlank()) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "Set 'TemplateId' or 'TemplateAlias'.");
        }
        PostmarkTemplates.Template template = templates.find(server, key)
                .filter(t -> t.templateType().equals("Standard"))
                .orElseThrow(() -> PostmarkError.invalid(TemplateRendering.TEMPLATE_NOT_FOUND, "The template '" + key
                        + "' was not found on this server."));
        TemplateRendering.Rendered r = rendering.render(server, template, fields.get("templatemodel"));
        tools.jackson.databind.node.ObjectNode message = (tools.jackson.databind.node.ObjectNode) node.deepCopy();
        for (String name : List.copyOf(message.propertyNames())) {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (List.of("subject", "htmlbody", "textbody", "templateid", "templatealias", "templatemodel", "inlinecss")
                    .contains(lower)) {
                message.remove(name);
            }
        }
        message.put("Subject", r.subject());
        message.put("HtmlBody", r.html());
        message.put("TextBody", r.text());
        return message;
    }

    /** Up to 500 messages, each answered in order; HTTP 200 even when some are refused, as Postmark does. */
    List<Map<String, Object>> sendBatch(PostmarkServers.Server server, JsonNode array) {
        if (array == null || !array.isArray()) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "A batch is a JSON array of messages.");
        }
        if (array.size() > MAX_BATCH) {
            throw PostmarkError.invalid(PostmarkError.TOO_MANY_BATCH_MESSAGES, "Too many batch messages: "
                    + array.size() + "; send at most " + MAX_BATCH + " per call.");
        }
        List<Supplier<PostmarkMessage>> parts = new ArrayList<>();
        for (JsonNode node : array.values()) {
            parts.add(() -> PostmarkMessage.parse(node));
        }
        return inPlace(queueAll(server, parts));
    }

    /**
     * Messages read one by one (a message Postmark would refuse is answered in its place), then every draft through
     * the sending core together: one transaction, one statement per table, the suppression list read once.
     */
    private List<Object> queueAll(PostmarkServers.Server server, List<Supplier<PostmarkMessage>> parts) {
        Object[] answers = new Object[parts.size()];
        List<Integer> positions = new ArrayList<>();
        List<PostmarkMessage> accepted = new ArrayList<>();
        List<OutboundDraft> drafts = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            try {
                PostmarkMessage message = parts.get(i).get();
                drafts.add(draft(server, message));
                accepted.add(message);
                positions.add(i);
            } catch (PostmarkError e) {
                answers[i] = e;
            }
        }
        // A single message joins the concurrent sends' group transaction; a batch is a group of its own.
        List<SendingCore.Outcome> outcomes = drafts.isEmpty() ? List.of() : parts.size() == 1
                ? List.of(grouped.submit(drafts.get(0))) : batch.execute(tx -> core.queueAll(drafts));
        String submitted = SUBMITTED.format(OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS));
        for (int k = 0; k < outcomes.size(); k++) {
            answers[positions.get(k)] = answer(accepted.get(k), outcomes.get(k), submitted);
        }
        return java.util.Arrays.asList(answers);
    }

    /** A batch answers each message in its place, refusals included (HTTP 200, as Postmark does). */
    private static List<Map<String, Object>> inPlace(List<Object> answers) {
        return answers.stream().map(a -> a instanceof PostmarkError e ? e.body() : Answer.class.cast(a).fields())
                .toList();
    }

    /** A single send answers its refusal as the error itself (its own HTTP status). */
    private static Map<String, Object> single(List<Object> answers) {
        if (answers.get(0) instanceof PostmarkError e) {
            throw e;
        }
        return ((Answer) answers.get(0)).fields();
    }

    /** An accepted message's answer. */
    private record Answer(Map<String, Object> fields) {
    }

    /** Postmark's wording, which clients such as django-anymail read the addresses back from. */
    private static final String INACTIVE_ARE = ". Inactive recipients are ones that have generated a hard bounce, "
            + "a spam complaint, or unsubscribed.";

    private static Object answer(PostmarkMessage m, SendingCore.Outcome outcome, String submitted) {
        String inactive = String.join(", ", outcome.suppressed().stream().map(Suppressions.Entry::address)
                .distinct().toList());
        if (outcome.queued() == null && !inactive.isEmpty()) {
            return PostmarkError.invalid(PostmarkError.INACTIVE_RECIPIENT, "You tried to send to recipient(s) that "
                    + "have been marked as inactive. Found inactive addresses: " + inactive + INACTIVE_ARE);
        }
        if (outcome.refusal() != null) {
            Problem e = outcome.refusal();
            if (e.kind() == Problem.Kind.TOO_LARGE) { // over MAIL_MAX_MESSAGE_BYTES: Postmark answers 413
                return new PostmarkError(org.springframework.http.HttpStatus.CONTENT_TOO_LARGE,
                        PostmarkError.INVALID_REQUEST, e.getMessage());
            }
            return PostmarkError.invalid(e.kind() == Problem.Kind.FORBIDDEN ? PostmarkError.SENDER_NOT_ALLOWED
                    : PostmarkError.INVALID_REQUEST, e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("To", m.toField());
        out.put("SubmittedAt", submitted);
        out.put("MessageID", outcome.messageId().toString());
        out.put("ErrorCode", 0);
        String ok = inactive.isEmpty() ? "OK"
                : "Message OK, but will not deliver to these inactive addresses: " + inactive + INACTIVE_ARE;
        out.put("Message", m.tracking() ? ok + " (open and link tracking are not enabled on this server: the message "
                + "was sent without them)" : ok);
        return new Answer(out);
    }

    /** The server's sender rules and Postmark's streams, then the draft the sending core checks further. */
    private static OutboundDraft draft(PostmarkServers.Server server, PostmarkMessage m) {
        EmailAddress from;
        try {
            from = EmailAddress.parse(m.from());
        } catch (EmailAddress.InvalidAddressException e) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "Invalid 'From' address: " + e.getMessage()
                    + ".");
        }
        if (!server.mayUse(from.address())) {
            throw PostmarkError.invalid(PostmarkError.SENDER_NOT_ALLOWED, "The 'From' address you supplied ("
                    + from.address() + ") is not a Sender Signature of this server; it may send from "
                    + String.join(", ", server.senders()) + ".");
        }
        if (!STREAMS.contains(m.stream())) {
            throw PostmarkError.invalid(PostmarkError.STREAM_NOT_FOUND, "The message stream '" + m.stream()
                    + "' was not found; use 'outbound' (transactional) or 'broadcast'.");
        }
        Map<String, Object> postmark = new LinkedHashMap<>();
        postmark.put("server_id", server.id());
        postmark.put("stream", m.stream());
        m.tag().ifPresent(t -> postmark.put("tag", t));
        if (!server.searchBodies()) {
            postmark.put("search_body", false); // read by the search document's trigger (R__search_document.sql)
        }
        if (!m.metadata().isEmpty()) {
            postmark.put("metadata", m.metadata());
        }
        OutboundDraft.Builder draft = OutboundDraft.builder(server.orgId(), Identities.Flow.GENERIC)
                .from(m.from()).to(m.to()).cc(m.cc()).bcc(m.bcc()).subject(m.subject()).text(m.textBody())
                .html(m.htmlBody()).metadata(Map.of("postmark", postmark))
                .sentCopy(false) // an application's mail: in Postroom's records, not in a person's Sent folder
                .skipInactiveRecipients();
        m.replyTo().ifPresent(draft::replyTo);
        m.headers().forEach(draft::header);
        m.attachments().forEach(draft::attach);
        if (m.stream().equals(BROADCAST)) {
            draft.stream(BROADCAST);
        } else {
            draft.transactionalStream(m.stream());
        }
        return draft.build();
    }
}
