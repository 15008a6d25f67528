package com.postroom.store;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A thread as ORIGINAL-API.md shows it. */
public record ThreadView(UUID id, String subject, String normalizedSubject, String status,
                         OffsetDateTime lastMessageAt, OffsetDateTime createdAt) {
}
