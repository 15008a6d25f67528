package com.postroom.mime;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** What the parser read from one message. Addresses are lower-case {@code local@domain}; names are kept apart. */
public record ParsedMail(
        HeaderBlock headers,
        Optional<String> messageId, Optional<String> inReplyTo, List<String> references,
        Optional<String> from, Optional<String> fromName, List<String> to, List<String> cc,
        Optional<String> replyTo, String subject, Optional<OffsetDateTime> date,
        String text, String html, boolean bodyTruncated,
        List<Part> attachments,
        Optional<String> deliveryStatus, Optional<String> returnedMessageId,
        List<String> warnings) {

    /** An attachment or inline part; {@code path} locates it in the raw message ("1.2" = 2nd part of the 1st). */
    public record Part(String path, String filename, String contentType, long size, String sha256,
                       String contentId, boolean inline) {

        /** The same part listed as an attachment rather than shown in the HTML. */
        public Part attached() {
            return new Part(path, filename, contentType, size, sha256, contentId, false);
        }
    }

    public boolean hasAttachments() {
        return attachments.stream().anyMatch(p -> !p.inline());
    }
}
