package com.postroom.outbound;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import com.postroom.audit.AuditLog;
import com.postroom.config.PostroomSettings;
import com.postroom.mail.EmailAddress;
import com.postroom.mail.Identities;
import com.postroom.mail.MailEndpoints;
import com.postroom.mime.MailParser;
import com.postroom.mime.RawMail;
import com.postroom.mime.UnparseableMail;
import com.postroom.org.Organizations;
import com.postroom.policy.Decision;
import com.postroom.problem.Problem;
import com.postroom.store.MessageStatus;
import com.postroom.store.Messages;
import com.postroom.store.StoredMessage;
import com.postroom.store.StoredThread;
import com.postroom.store.Threads;

/**
 * The one way mail leaves Postroom. It validates drafts, picks the sender for each flow, builds the MIME and writes
 * messages and outbox rows in the caller's transaction, a group at a time (one statement per table): when the route
 * answers, the mail is durable, and when the transaction rolls back, nothing is sent. The delivery worker does the
 * SMTP part; {@link GroupedSends} lets concurrent requests share one group.
 */
@Service
public class SendingCore {

    public static final Set<String> CLASSIFICATIONS = Set.of("ops", "billing", "legal", "founder_comm");

    private final MailEndpoints endpoints;
    private final PostroomSettings.Outbound limits;
    private final Threads threads;
    private final Messages messages;
    private final Outbox outbox;
    private final MessageIds messageIds;
    private final Organizations organizations;
    private final DeliveryWorker worker;
    private final Suppressions suppressions;
    private final AuditLog audit;
    private final MailParser parser;
    private final Unsubscribes unsubscribes;
    private final java.util.Optional<String> publicUrl;

    SendingCore(MailEndpoints endpoints, PostroomSettings settings, Threads threads, Messages messages, Outbox outbox,
                MessageIds messageIds, Organizations organizations, DeliveryWorker worker,
                Suppressions suppressions, AuditLog audit, MailParser parser, Unsubscribes unsubscribes) {
        this.parser = parser;
        this.unsubscribes = unsubscribes;
        this.publicUrl = settings.http().publicUrl();
        this.suppressions = suppressions;
        this.audit = audit;
        this.endpoints = endpoints;
        this.limits = settings.outbound();
        this.threads = threads;
        this.messages = messages;
        this.outbox = outbox;
        this.messageIds = messageIds;
        this.organizations = organizations;
        this.worker = worker;
    }

    /** What was queued: the stored message, its thread and the policy decision. */
    public record Queued(StoredMessage message, StoredThread thread, Decision decision) {
    }

    /** The sender a flow would use, if any is configured. */
    public Optional<EmailAddress> senderFor(Identities.Flow flow) {
        return endpoints.identities().sender(flow);
    }

    /** FOUNDER_EMAIL, the address Postroom's own alerts go to. */
    public Optional<EmailAddress> founder() {
        return endpoints.identities().founder();
    }

    /**
     * One draft: queued, or refused with a {@link Problem} that says why. The same steps as a group of one (see
     * {@link #queueAll}), with the stored row read back for the caller's answer.
     */
    @Transactional
    public Queued queue(OutboundDraft draft) {
        Outcome outcome = queueAll(List.of(draft)).get(0);
        if (outcome.refusal() != null) {
            throw outcome.refusal();
        }
        return outcome.queued();
    }

    /**
     * One draft of a group: queued, or why it was refused; {@code suppressed} names who on the suppression list
     * refused it, or was left out of a queued draft that skips inactive recipients.
     */
    public record Outcome(Queued queued, Problem refusal, List<Suppressions.Entry> suppressed) {
        static Outcome refused(Problem why) {
            return new Outcome(null, why, List.of());
        }

        public UUID messageId() {
            return queued.message().id();
        }
    }

    /**
     * Drafts of one organization accepted together, as a batch call or a group of concurrent requests is: each
     * checked on its own (a refused draft does not stop the others), then one statement per table for all of them
     * (threads, messages, outbox, files, audit) in the caller's transaction, and the suppression list read once.
     * Answers an outcome per draft, in order.
     */
    @Transactional
    public List<Outcome> queueAll(List<OutboundDraft> drafts) {
        Outcome[] outcomes = new Outcome[drafts.size()];
        if (drafts.isEmpty()) {
            return List.of();
        }
        long orgId = drafts.get(0).orgId();
        if (drafts.stream().anyMatch(d -> d.orgId() != orgId)) {
            throw new IllegalArgumentException("A group of drafts belongs to one organization");
        }
        String domain = organizations.byId(orgId).map(o -> o.emailDomain()).orElse("");
        List<Checked> checked = new ArrayList<>();
        for (int i = 0; i < drafts.size(); i++) {
            try {
                checked.add(check(i, drafts.get(i), domain));
            } catch (Problem e) {
                outcomes[i] = Outcome.refused(e);
            }
        }
        Map<String, List<Suppressions.Entry>> suppressed = suppressions.anyStream(orgId,
                checked.stream().flatMap(c -> c.envelope().stream()).collect(java.util.stream.Collectors.toSet()));
        Group group = new Group(orgId);
        for (Checked c : checked) {
            String stream = c.draft().suppressionStream();
            List<Suppressions.Entry> hits = c.envelope().stream()
                    .flatMap(a -> suppressed.getOrDefault(a.toLowerCase(java.util.Locale.ROOT), List.of()).stream())
                    .filter(e -> e.stream().equals(Suppressions.ALL) || e.stream().equals(stream)).toList();
            Checked going = hits.isEmpty() ? c : c.draft().skipInactive() ? c.without(hits) : null;
            if (going == null) {
                Suppressions.Entry first = hits.get(0);
                outcomes[c.index()] = new Outcome(null, Problem.refused("Recipient " + first.address()
                        + " is on the suppression list (" + first.reason() + "); remove the address, or after fixing "
                        + "it call DELETE /api/email/suppressions/" + first.address() + "."), hits);
                continue;
            }
            try {
                outcomes[c.index()] = new Outcome(group.add(going), null, hits);
            } catch (Problem e) {
                outcomes[c.index()] = Outcome.refused(e);
            }
        }
        group.write();
        return List.of(outcomes);
    }

    /** A draft whose fields, recipients and sender passed every check. */
    private record Checked(int index, OutboundDraft draft, List<EmailAddress> to, List<EmailAddress> cc,
                           List<EmailAddress> bcc, Set<String> envelope, EmailAddress from,
                           List<EmailAddress> replyTo) {

        /**
         * The same message for its recipients that are not on the suppression list (the headers still name them all,
         * as written), or null when none is left.
         */
        Checked without(List<Suppressions.Entry> inactive) {
            Set<String> gone = inactive.stream().map(e -> e.address().toLowerCase(java.util.Locale.ROOT))
                    .collect(java.util.stream.Collectors.toSet());
            Set<String> left = new LinkedHashSet<>(envelope);
            left.removeIf(a -> gone.contains(a.toLowerCase(java.util.Locale.ROOT)));
            return left.isEmpty() ? null : new Checked(index, draft, to, cc, bcc, left, from, replyTo);
        }
    }

    private Checked check(int index, OutboundDraft draft, String domain) {
        checkHeaderValue("subject", draft.subject());
        checkNoNul("text body", draft.text());
        checkNoNul("HTML body", draft.html());
        draft.metadata().forEach((key, value) -> checkNoNul("metadata", key + "=" + value));
        draft.headers().forEach((name, value) -> {
            checkHeaderName(name);
            checkHeaderValue("header " + name, value);
        });
        for (Attachment a : draft.attachments()) {
            checkHeaderValue("attachment file name", a.filename());
            checkHeaderValue("attachment content type", a.contentType());
            if (!Attachment.isMimeType(a.contentType())) {
                throw Problem.refused("The content type '" + a.contentType() + "' of attachment '" + a.filename()
                        + "' is not a MIME type: write it as type/subtype with any parameters well formed, for "
                        + "example application/pdf or text/plain; charset=utf-8.");
            }
            if (a.shownIn(draft.html()) && !a.contentId().get().chars()
                    .allMatch(c -> c > ' ' && c < 127 && c != '<' && c != '>' && c != '"' && c != '\\')) {
                throw Problem.refused("The content ID '" + a.contentId().get() + "' of attachment '" + a.filename()
                        + "' is not usable: write it without spaces, quotes or angle brackets (logo.png, or "
                        + "part1.abc@example.com), and refer to it in the HTML as cid: followed by it.");
            }
        }
        if (!CLASSIFICATIONS.contains(draft.classification())) {
            throw Problem.refused("classification must be one of ops, billing, legal, founder_comm; got '"
                    + draft.classification() + "'.");
        }
        List<EmailAddress> to = parseAll("recipient", draft.to());
        List<EmailAddress> cc = parseAll("cc address", draft.cc());
        List<EmailAddress> bcc = parseAll("bcc address", draft.bcc());
        if (to.isEmpty() && cc.isEmpty() && bcc.isEmpty()) {
            throw Problem.refused("Recipients required");
        }
        Set<String> envelope = new LinkedHashSet<>();
        for (List<EmailAddress> list : List.of(to, cc, bcc)) {
            list.forEach(a -> envelope.add(a.address()));
        }
        if (envelope.size() > limits.maxRecipients()) {
            throw Problem.refused("A message can have at most " + limits.maxRecipients()
                    + " recipients (To, Cc and Bcc together); this one has " + envelope.size() + ".");
        }
        if (draft.stream().isPresent() && envelope.size() > 1) {
            throw Problem.refused("Bulk mail of the '" + draft.stream().get() + "' stream goes to one recipient per "
                    + "message, so each gets their own unsubscribe link; send one message per recipient.");
        }
        EmailAddress from = sender(draft, domain);
        List<EmailAddress> replyTo = draft.replyTo().map(SendingCore::replyTo).orElse(List.of());
        return new Checked(index, draft, to, cc, bcc, envelope, from, replyTo);
    }

    /**
     * The rows of a group of accepted drafts, composed one by one and written together: one statement per table
     * (the driver turns each batch into multi-row INSERTs), so a batch of 500 costs a handful of round trips.
     */
    private final class Group {
        private final long orgId;
        private final Map<UUID, String> newThreads = new LinkedHashMap<>();
        private final List<UUID> replies = new ArrayList<>();
        private final List<Messages.OutboundRow> rows = new ArrayList<>();
        private final List<Outbox.Entry> outboxEntries = new ArrayList<>();
        private final Map<UUID, RawMail> raws = new LinkedHashMap<>();
        private final Map<UUID, com.postroom.mime.ParsedMail> files = new LinkedHashMap<>();
        private final List<AuditLog.Target> audits = new ArrayList<>();

        Group(long orgId) {
            this.orgId = orgId;
        }

        Queued add(Checked c) {
            OutboundDraft draft = c.draft();
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
            StoredThread thread;
            UUID threadId;
            String inReplyTo = null;
            List<String> references = new ArrayList<>();
            if (draft.threadId().isPresent()) {
                thread = threads.find(orgId, draft.threadId().get())
                        .orElseThrow(() -> Problem.notFound("Thread not found"));
                threadId = thread.id();
                Optional<StoredMessage> parent = messages.latestInThread(orgId, threadId);
                if (parent.isPresent() && parent.get().messageId() != null) {
                    inReplyTo = parent.get().messageId();
                    references.addAll(parent.get().references());
                    references.add(inReplyTo);
                }
            } else {
                threadId = UUID.randomUUID();
                thread = new StoredThread(threadId, draft.subject() == null ? "" : draft.subject(),
                        com.postroom.store.Subjects.normalize(draft.subject()), "open", now, now);
            }
            Map<String, String> headers = new LinkedHashMap<>(draft.headers());
            if (draft.stream().isPresent() && publicUrl.isPresent()) {
                // RFC 2369 + RFC 8058: the receiver's own Unsubscribe button posts to this link (Gmail and Yahoo
                // require it of bulk senders); the mail server's DKIM signature must cover both fields (Mailu's does).
                String token = unsubscribes.tokenFor(orgId, c.envelope().iterator().next(), draft.stream().get());
                headers.put("List-Unsubscribe", "<" + publicUrl.get() + "/unsubscribe/" + token + ">");
                headers.put("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            }
            String messageId = messageIds.create(c.from().domain());
            byte[] mime = MimeComposer.compose(new MimeComposer.Composition(c.from(), c.replyTo(), c.to(), c.cc(),
                    draft.subject(), draft.text(), draft.html(), draft.attachments(), messageId, inReplyTo,
                    references, headers));
            if (mime.length > limits.maxMessageBytes()) {
                throw new Problem(Problem.Kind.TOO_LARGE, String.format(
                        "The message is %.1f MB with its attachments encoded for mail; this server sends at most "
                                + "%.1f MB. Leave out some attachments, or share large files another way.",
                        mime.length / 1048576.0, limits.maxMessageBytes() / 1048576.0));
            }
            UUID id = UUID.randomUUID();
            Map<String, Object> meta = new LinkedHashMap<>(draft.metadata());
            com.postroom.mime.ParsedMail parsed = draft.attachments().isEmpty() ? null : filesOf(id, mime);
            if (!draft.attachments().isEmpty()) {
                meta.put("attachments", draft.attachments().stream().map(a -> Map.of("filename", a.filename(),
                        "content_type", a.contentType(), "size_bytes", a.content().length)).toList());
            }
            if (draft.threadId().isPresent()) {
                replies.add(threadId);
            } else {
                newThreads.put(threadId, draft.subject());
            }
            Messages.OutboundRow row = new Messages.OutboundRow(id, new Messages.NewOutbound(orgId, threadId,
                    MessageStatus.QUEUED.db(), draft.classification(), c.from().address(), addresses(c.to()),
                    addresses(c.cc()), addresses(c.bcc()),
                    c.replyTo().isEmpty() ? null : String.join(", ", addresses(c.replyTo())),
                    draft.subject(), draft.text(), draft.html(), messageId, inReplyTo, references, meta,
                    draft.createdBy(), scheduled(draft)), parsed != null && parsed.hasAttachments(),
                    parsed == null ? "" : Messages.attachmentNames(parsed), now);
            rows.add(row);
            outboxEntries.add(new Outbox.Entry(id, orgId, c.from().address(), List.copyOf(c.envelope()), mime,
                    draft.notBefore(), draft.sentCopy()));
            audits.add(new AuditLog.Target(id, draft.createdBy(), AuditLog.details("from", c.from().address(),
                    "recipients", c.envelope().size(), "classification", draft.classification(),
                    "flow", draft.flow().name().toLowerCase())));
            return new Queued(row.stored(), thread, Decision.allow());
        }

        /** Mail with files keeps its bytes like received mail, so Sent shows, downloads and forwards the files. */
        private com.postroom.mime.ParsedMail filesOf(UUID id, byte[] mime) {
            RawMail raw = RawMail.of(mime);
            try {
                com.postroom.mime.ParsedMail parsed = parser.parse(raw);
                raws.put(id, raw);
                files.put(id, parsed);
                return parsed;
            } catch (UnparseableMail e) {
                // Postroom's own composition always parses; if it ever did not, the mail still goes, without the copy.
                org.slf4j.LoggerFactory.getLogger(SendingCore.class).warn("Message {}: its files are not listed in "
                        + "Sent ({})", id, e.getMessage());
                return null;
            }
        }

        void write() {
            if (rows.isEmpty()) {
                return;
            }
            threads.createAll(orgId, newThreads);
            messages.insertOutboundAll(rows);
            outbox.insertAll(outboxEntries, limits.retryFor());
            if (!raws.isEmpty()) {
                messages.keepFilesOf(orgId, raws, files);
            }
            audit.recordAll(orgId, AuditLog.MESSAGE_SENT, "email_message", audits);
            replies.forEach(threads::touch);
            wakeWorkerAfterCommit();
        }
    }
    /** Sent later than an undo window allows (five minutes at most): in Scheduled until it goes. */
    public static final java.time.Duration SCHEDULED_AFTER = java.time.Duration.ofMinutes(5);

    private static boolean scheduled(OutboundDraft draft) {
        return draft.notBefore().map(SendingCore::isScheduled).orElse(false);
    }

    /** Whether mail held until this time waits in Scheduled rather than in Sent. */
    public static boolean isScheduled(java.time.Instant notBefore) {
        return notBefore.isAfter(java.time.Instant.now().plus(SCHEDULED_AFTER));
    }

    /**
     * Undo send: takes a queued message back before any delivery attempt; it becomes a draft (folder Drafts) that can
     * be edited and sent again. False when it is too late (a worker already took it).
     */
    @Transactional
    public boolean cancel(long orgId, Long userId, java.util.UUID messageId) {
        if (!outbox.cancel(orgId, messageId)) {
            return false;
        }
        messages.toDrafts(orgId, messageId);
        audit.record(orgId, userId, "email.send.cancelled", "email_message", messageId, java.util.Map.of());
        return true;
    }

    /**
     * Stores a message that policy refused (no sender, no recipients) with status {@code blocked}, as the original
     * API did: the caller still gets a 201 and can see why.
     */
    @Transactional
    public Queued block(OutboundDraft draft, Decision decision) {
        checkHeaderValue("subject", draft.subject());
        StoredThread thread = draft.threadId()
                .map(id -> threads.find(draft.orgId(), id).orElseThrow(() -> Problem.notFound("Thread not found")))
                .orElseGet(() -> threads.create(draft.orgId(), draft.subject()));
        StoredMessage message = messages.insertOutbound(new Messages.NewOutbound(draft.orgId(), thread.id(), MessageStatus.BLOCKED.db(),
                draft.classification(), draft.from().orElse(null), draft.to(), draft.cc(), draft.bcc(), null,
                draft.subject(), draft.text(), draft.html(), null, null, List.of(), draft.metadata(),
                draft.createdBy()));
        return new Queued(message, thread, decision);
    }

    private EmailAddress sender(OutboundDraft draft, String domain) {
        Identities ids = endpoints.identities();
        if (draft.senderRoles().isPresent()) {
            Set<String> roles = draft.senderRoles().get();
            if (draft.from().isEmpty()) {
                return SenderPolicy.defaultFor(roles, ids, domain).orElseThrow(() -> Problem.refused(
                        "No sender given, and no sending address is configured that your role may use; set "
                                + "'sender' or configure FOUNDER_EMAIL, SUPPORT_EMAIL or NOREPLY_EMAIL."));
            }
            EmailAddress from = parse("sender", draft.from().get());
            if (!mayUse(ids, from, domain)) {
                throw Problem.refused("The sender " + from.address() + " is not an address of this "
                        + "organization; use a configured identity or an address at the organization's domain.");
            }
            if (!SenderPolicy.mayUse(roles, ids, from, domain)) {
                List<String> allowed = SenderPolicy.choices(roles, ids).stream().map(EmailAddress::address).toList();
                throw Problem.forbidden("Your role may not send as " + from.address() + (allowed.isEmpty()
                        ? "; it may not send mail." : "; it may send as " + String.join(", ", allowed) + "."));
            }
            return from;
        }
        if (draft.from().isPresent()) {
            EmailAddress from = parse("sender", draft.from().get());
            if (!mayUse(ids, from, domain)) {
                throw Problem.refused("The sender " + from.address() + " is not an address of this "
                        + "organization; use a configured identity or an address at the organization's domain.");
            }
            return from;
        }
        return senderFor(draft.flow()).orElseThrow(() ->
                Problem.refused("Email not configured for this organization"));
    }

    private static boolean mayUse(Identities ids, EmailAddress from, String domain) {
        for (Identities.Flow flow : Identities.Flow.values()) {
            if (ids.sender(flow).map(a -> a.address().equals(from.address())).orElse(false)) {
                return true;
            }
        }
        return from.domain().equals(domain);
    }

    private static List<EmailAddress> parseAll(String what, List<String> raw) {
        List<EmailAddress> out = new ArrayList<>();
        for (String r : raw) {
            out.add(parse(what, r));
        }
        return out;
    }

    /**
     * A Reply-To of one address or several, comma-separated (RFC 5322 allows a list; Postmark takes one, and
     * django-anymail sends a message's several reply_to addresses so), a comma inside a quoted name kept.
     */
    private static List<EmailAddress> replyTo(String raw) {
        jakarta.mail.internet.InternetAddress[] list;
        try {
            list = jakarta.mail.internet.InternetAddress.parse(raw, false);
        } catch (jakarta.mail.internet.AddressException e) {
            return List.of(parse("Reply-To address", raw));
        }
        List<EmailAddress> out = new ArrayList<>();
        for (jakarta.mail.internet.InternetAddress a : list) {
            out.add(parse("Reply-To address", a.toUnicodeString()));
        }
        return out.isEmpty() ? List.of(parse("Reply-To address", raw)) : out;
    }

    private static EmailAddress parse(String what, String raw) {
        try {
            return EmailAddress.parse(raw);
        } catch (EmailAddress.InvalidAddressException e) {
            throw Problem.refused("The " + what + " is not usable: " + e.getMessage() + ".");
        }
    }

    /**
     * Of {@link #OWN_HEADERS}, those that describe the message's structure and its sending rather than who it is from
     * and to. Mail libraries that hand every header of their message to Postmark's API send these (Swift Mailer's
     * transport sends Message-ID and Content-Transfer-Encoding, the Ruby gem's MIME-Version, Symfony's a Date or
     * Return-Path that was set), and Postmark writes its own in their place; so does Postroom's Postmark API, where
     * refusing them would refuse every message those libraries send.
     */
    private static final Set<String> STRUCTURE_HEADERS = Set.of("date", "message-id", "mime-version",
            "content-type", "content-transfer-encoding", "content-disposition", "content-id", "return-path",
            "received");

    /**
     * Headers Postroom writes itself, from the message's own fields and its MIME structure. A custom one would
     * replace them in the composed message: a From the sender rules never saw (a server token limited to billing@
     * could have sent as anyone), a To that is not where the mail goes, a Content-Type that no longer describes the
     * body, a Message-ID that bounces and replies are not matched by (MessageIds).
     */
    static final Set<String> OWN_HEADERS = java.util.stream.Stream.concat(Set.of("from", "sender", "to", "cc", "bcc",
            "reply-to", "subject").stream(), STRUCTURE_HEADERS.stream()).collect(java.util.stream.Collectors.toSet());

    public static boolean isStructureHeader(String name) {
        return STRUCTURE_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** RFC 5322 §2.2: a field name is printable ASCII without spaces or ':'; and not one of {@link #OWN_HEADERS}. */
    static void checkHeaderName(String name) {
        if (name.isEmpty() || name.length() > 76 || !name.chars().allMatch(c -> c > ' ' && c < 127 && c != ':')) {
            throw Problem.refused("The header name '" + name + "' is not usable: a header name is letters, digits "
                    + "and punctuation, at most 76 of them, without spaces or ':'.");
        }
        if (OWN_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            throw Problem.refused("The header '" + name + "' is written by Postroom from the message itself; leave "
                    + "it out of the custom headers and use the message's own field (From, To, Cc, Bcc, ReplyTo, "
                    + "Subject) where there is one.");
        }
    }

    /** RFC 5322 §2.2: a CR or LF would end the header and let the value inject new ones. */
    static void checkHeaderValue(String what, String value) {
        if (value != null && (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0)) {
            throw Problem.refused("The " + what + " contains a line break (CR or LF), which is not "
                    + "allowed in a mail header; remove it.");
        }
        checkNoNul(what, value);
    }

    /**
     * RFC 5322 has no NUL character in a message, and PostgreSQL's text and jsonb cannot hold one: a NUL in one
     * message's body failed the INSERT of its whole group (every message of a Postmark batch refused with an error).
     */
    static void checkNoNul(String what, String value) {
        if (value != null && value.indexOf('\0') >= 0) {
            throw Problem.refused("The " + what + " contains a NUL character (\\u0000), which mail cannot carry; "
                    + "remove it.");
        }
    }

    private static List<String> addresses(List<EmailAddress> list) {
        return list.stream().map(EmailAddress::address).toList();
    }

    private void wakeWorkerAfterCommit() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    worker.wake();
                }
            });
        } else {
            worker.wake();
        }
    }
}
