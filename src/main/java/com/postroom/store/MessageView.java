package com.postroom.store;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A message as ORIGINAL-API.md shows it; field names become snake_case in JSON. */
public record MessageView(UUID id, UUID threadId, String direction, String status, String classification,
                          String sender, List<String> recipients, List<String> cc, List<String> bcc, String subject,
                          String bodyPlain, String bodyHtml, String messageId, String inReplyTo,
                          List<String> references, Map<String, Object> meta, OffsetDateTime createdAt) {
}
