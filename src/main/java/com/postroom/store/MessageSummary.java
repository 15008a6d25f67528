package com.postroom.store;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** A message as lists show it: who, what, when, a snippet of the text, its flags and labels. */
public record MessageSummary(UUID id, UUID threadId, String direction, String folder, String status, String sender,
                             String fromName, List<String> recipients, String subject, String snippet,
                             OffsetDateTime createdAt, boolean seen, boolean flagged, boolean hasAttachments,
                             List<LabelChip> labels) {

    /** A label as a chip: its slug, name and colour. */
    public record LabelChip(String slug, String name, String color) {
    }
}
