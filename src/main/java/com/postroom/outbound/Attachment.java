package com.postroom.outbound;

import java.util.Optional;

/**
 * A file to attach. With a content id it is an inline part ({@code Content-Disposition: inline}) that the HTML body
 * references as {@code cid:...} (RFC 2392); without one it is an ordinary attachment.
 */
public record Attachment(String filename, String contentType, byte[] content, Optional<String> contentId) {

    public static Attachment file(String filename, String contentType, byte[] content) {
        return new Attachment(filename, contentType, content, Optional.empty());
    }

    public boolean inline() {
        return contentId.isPresent();
    }
}
