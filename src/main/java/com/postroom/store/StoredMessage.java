package com.postroom.store;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A stored message as the store reads it. The original API renders it through compat.OriginalShapes, so this record
 * may change without changing that contract.
 */
public record StoredMessage(UUID id, UUID threadId, String direction, String status, String classification,
                            String sender, List<String> recipients, List<String> cc, List<String> bcc, String subject,
                            String bodyPlain, String bodyHtml, String messageId, String inReplyTo,
                            List<String> references, Map<String, Object> meta, OffsetDateTime createdAt) {
}
