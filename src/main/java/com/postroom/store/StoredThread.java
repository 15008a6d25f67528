package com.postroom.store;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A stored thread as the store reads it (the original API renders it through compat.OriginalShapes). */
public record StoredThread(UUID id, String subject, String normalizedSubject, String status,
                           OffsetDateTime lastMessageAt, OffsetDateTime createdAt) {
}
