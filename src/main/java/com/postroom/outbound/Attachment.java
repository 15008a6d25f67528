package com.postroom.outbound;

import java.util.Optional;

/**
 * A file to attach. With a content id that the HTML body refers to as {@code cid:...} (RFC 2392) it is an inline part
 * ({@code Content-Disposition: inline}); otherwise it is an ordinary attachment.
 */
public record Attachment(String filename, String contentType, byte[] content, Optional<String> contentId) {

    static final String OCTET_STREAM = "application/octet-stream";

    /**
     * A file whose type came from somewhere the sender does not control (a browser's upload, a received message being
     * forwarded, a stored draft): a type that is not a MIME type becomes {@code application/octet-stream}, so that the
     * file still goes. The API's own attachments are refused instead (SendingCore), where the caller can fix them.
     */
    public static Attachment file(String filename, String contentType, byte[] content) {
        return new Attachment(filename, isMimeType(contentType) ? contentType : OCTET_STREAM, content,
                Optional.empty());
    }

    /**
     * Whether Jakarta Mail can write this as a part's Content-Type: type/subtype and well-formed parameters (RFC
     * 2045 §5.1). "pdf", an unclosed quote or "name=" without a value made composing the message fail.
     */
    static boolean isMimeType(String type) {
        if (type == null || type.isBlank() || type.indexOf('\r') >= 0 || type.indexOf('\n') >= 0) {
            return false;
        }
        try {
            jakarta.mail.internet.ContentType parsed = new jakarta.mail.internet.ContentType(type);
            return parsed.getPrimaryType() != null && !parsed.getPrimaryType().isEmpty()
                    && parsed.getSubType() != null && !parsed.getSubType().isEmpty();
        } catch (jakarta.mail.internet.ParseException e) {
            return false;
        }
    }

    /**
     * Whether this file is shown inside the HTML: it has a content ID and the HTML refers to it as {@code cid:}
     * (any case). A content ID that nothing refers to makes an ordinary attachment: Postmark's PHP client gives
     * every file one (its name), and a part marked inline but shown nowhere is hidden or misplaced by some mail
     * clients (Apple Mail).
     */
    public boolean shownIn(String html) {
        if (contentId.isEmpty() || html == null || html.isEmpty()) {
            return false;
        }
        String ref = "cid:" + contentId.get();
        for (int i = html.indexOf(':'); i >= 3; i = html.indexOf(':', i + 1)) {
            if (html.regionMatches(true, i - 3, ref, 0, ref.length())) {
                return true;
            }
        }
        return false;
    }
}
