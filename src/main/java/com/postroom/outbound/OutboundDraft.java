package com.postroom.outbound;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.postroom.mail.Identities;

/**
 * One message a route wants sent, before validation: raw strings from the request, the flow whose identity it is
 * sent from, and where it belongs. {@link SendingCore} turns it into MIME in the outbox or refuses it with a 4xx.
 */
public record OutboundDraft(long orgId, Long createdBy, Identities.Flow flow, Optional<String> from,
                            Optional<String> replyTo, List<String> to, List<String> cc, List<String> bcc,
                            String subject, String text, String html, List<Attachment> attachments,
                            Optional<UUID> threadId, String classification, Map<String, Object> metadata,
                            Map<String, String> headers, Optional<java.time.Instant> notBefore,
                            Optional<java.util.Set<String>> senderRoles, Optional<String> stream, boolean sentCopy,
                            String suppressionStream, boolean skipInactive) {

    public static Builder builder(long orgId, Identities.Flow flow) {
        return new Builder(orgId, flow);
    }

    /** Collects a draft's parts; unset lists are empty and unset strings are "". */
    public static final class Builder {
        private final long orgId;
        private final Identities.Flow flow;
        private Long createdBy;
        private String from;
        private String replyTo;
        private List<String> to = List.of();
        private List<String> cc = List.of();
        private List<String> bcc = List.of();
        private String subject = "";
        private String text = "";
        private String html = "";
        private final List<Attachment> attachments = new ArrayList<>();
        private UUID threadId;
        private String classification = "ops";
        private Map<String, Object> metadata = Map.of();
        private final Map<String, String> headers = new LinkedHashMap<>();
        private java.time.Instant notBefore;
        private String stream;
        private boolean sentCopy = true;
        private boolean skipInactive;
        private String transactionalStream;
        private java.util.Set<String> senderRoles;

        private Builder(long orgId, Identities.Flow flow) {
            this.orgId = orgId;
            this.flow = flow;
        }

        public Builder createdBy(Long userId) { this.createdBy = userId; return this; }
        /**
         * Sent by this person, who chooses the From (or leaves it to the default): the sending core holds it to what
         * their roles allow ({@link SenderPolicy}).
         */
        public Builder sentBy(com.postroom.org.Caller caller) {
            this.createdBy = caller.userId();
            this.senderRoles = caller.roles();
            return this;
        }
        public Builder from(String from) { this.from = from; return this; }
        public Builder replyTo(String replyTo) { this.replyTo = replyTo; return this; }
        public Builder to(List<String> to) { this.to = nonNull(to); return this; }
        public Builder cc(List<String> cc) { this.cc = nonNull(cc); return this; }
        public Builder bcc(List<String> bcc) { this.bcc = nonNull(bcc); return this; }
        public Builder subject(String subject) { this.subject = subject == null ? "" : subject; return this; }
        public Builder text(String text) { this.text = text == null ? "" : text; return this; }
        public Builder html(String html) { this.html = html == null ? "" : html; return this; }
        public Builder attach(Attachment attachment) { this.attachments.add(attachment); return this; }
        public Builder threadId(UUID threadId) { this.threadId = threadId; return this; }
        public Builder metadata(Map<String, Object> metadata) { this.metadata = metadata == null ? Map.of() : metadata; return this; }
        public Builder header(String name, String value) { this.headers.put(name, value); return this; }
        /** Not sent before this time: the undo window of the web UI, or a scheduled send. */
        public Builder notBefore(java.time.Instant at) { this.notBefore = at; return this; }
        /**
         * Bulk mail of one stream (such as "statements"): each recipient gets an unsubscribe link for that stream
         * (List-Unsubscribe with One-Click, RFC 8058) and an address that left it is refused.
         */
        public Builder stream(String stream) { this.stream = stream; return this; }
        /**
         * A transactional stream of its own (Postmark's "outbound"): an address suppressed for that stream is refused,
         * but the mail is not bulk (no unsubscribe link, any number of recipients).
         */
        public Builder transactionalStream(String stream) { this.transactionalStream = stream; return this; }
        /** False: no copy in the IMAP Sent folder (an application's mail, such as the Postmark API's). */
        public Builder sentCopy(boolean sentCopy) { this.sentCopy = sentCopy; return this; }
        /**
         * As Postmark sends: a recipient on the suppression list is left out and the message goes to the others
         * (refused only when every recipient is suppressed). Without it, one suppressed recipient refuses the message.
         */
        public Builder skipInactiveRecipients() { this.skipInactive = true; return this; }

        public Builder classification(String classification) {
            this.classification = classification == null || classification.isBlank() ? "ops" : classification;
            return this;
        }

        public OutboundDraft build() {
            return new OutboundDraft(orgId, createdBy, flow, Optional.ofNullable(from).filter(s -> !s.isBlank()),
                    Optional.ofNullable(replyTo).filter(s -> !s.isBlank()), to, cc, bcc, subject, text, html,
                    List.copyOf(attachments), Optional.ofNullable(threadId), classification, metadata,
                    Map.copyOf(headers), Optional.ofNullable(notBefore), Optional.ofNullable(senderRoles),
                    Optional.ofNullable(stream).filter(s -> !s.isBlank()), sentCopy,
                    stream != null && !stream.isBlank() ? stream
                            : transactionalStream == null ? Suppressions.ALL : transactionalStream, skipInactive);
        }

        private static List<String> nonNull(List<String> list) {
            return list == null ? List.of() : list.stream().filter(s -> s != null && !s.isBlank()).toList();
        }
    }
}
