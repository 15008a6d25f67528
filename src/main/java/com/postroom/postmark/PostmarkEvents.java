package com.postroom.postmark;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import com.postroom.outbound.Suppressions;
import com.postroom.store.MessageStates;
import com.postroom.store.MessageStatus;

import tools.jackson.databind.JsonNode;

/**
 * Postmark's outbound events (bounce, delivery, spam complaint) applied to the outbound message they are about. The
 * message is found by the Postmark MessageID recorded when it was sent through Postmark ({@code meta.postmark_message_id}),
 * or by Postroom's own id in the event's Metadata ({@code postroom_message_id}). An event for a message Postroom does
 * not know is acknowledged and ignored, so Postmark does not retry it for hours.
 */
@Component
public class PostmarkEvents {

    private final JdbcClient jdbc;
    private final Suppressions suppressions;
    private final MessageStates states;

    PostmarkEvents(JdbcClient jdbc, Suppressions suppressions, MessageStates states) {
        this.jdbc = jdbc;
        this.suppressions = suppressions;
        this.states = states;
    }

    record Target(UUID id, long orgId) {
    }

    @Transactional
    public Map<String, Object> apply(JsonNode p) {
        String type = PostmarkInbound.text(p, "RecordType");
        Optional<Target> target = target(p);
        if (target.isEmpty()) {
            return Map.of("status", "ignored", "reason", "No outbound message matches this MessageID.");
        }
        Target t = target.get();
        String email = PostmarkInbound.text(p, "Email").toLowerCase(java.util.Locale.ROOT);
        switch (type) {
            case "Bounce" -> {
                String bounceType = PostmarkInbound.text(p, "Type");
                boolean hard = bounceType.equals("HardBounce") || bounceType.equals("BadEmailAddress")
                        || bounceType.equals("ManuallyDeactivated");
                String reason = PostmarkInbound.text(p, "Description") + " " + PostmarkInbound.text(p, "Details");
                jdbc.sql("INSERT INTO bounce (org_id, outbound_message, recipient, hard, status_code, diagnostic, "
                                + "source) VALUES (?, ?, ?, ?, ?, ?, 'postmark')")
                        .params(t.orgId(), t.id(), email, hard, bounceType, reason.strip()).update();
                states.bounced(t.orgId(), t.id(), bounce(Map.of("recipient", email, "type", hard ? "hard" : "soft",
                        "status", bounceType,
                        "reason", reason.strip())));
                if (hard && !email.isBlank()) {
                    suppressions.add(t.orgId(), email, "hard bounce (Postmark " + bounceType + ")", "postmark");
                }
            }
            case "Delivery" -> states.reported(t.orgId(), t.id(), MessageStatus.DELIVERED);
            case "SpamComplaint" -> {
                if (!email.isBlank()) {
                    suppressions.add(t.orgId(), email, "spam complaint", "postmark");
                }
                states.spamComplaint(t.orgId(), t.id(), email);
            }
            default -> {
                return Map.of("status", "ignored", "reason", "RecordType '" + type + "' is not handled.");
            }
        }
        return Map.of("status", "ok", "message_id", t.id());
    }

    private Optional<Target> target(JsonNode p) {
        String postmarkId = PostmarkInbound.text(p, "MessageID");
        Optional<Target> byPostmark = jdbc.sql("SELECT id, org_id FROM email_message WHERE direction = 'outbound' "
                        + "AND meta->>'postmark_message_id' = ? LIMIT 1").param(postmarkId)
                .query((rs, n) -> new Target(rs.getObject(1, UUID.class), rs.getLong(2))).optional();
        if (byPostmark.isPresent()) {
            return byPostmark;
        }
        JsonNode metadata = p.get("Metadata");
        String ours = metadata == null ? "" : PostmarkInbound.text(metadata, "postroom_message_id");
        try {
            UUID id = UUID.fromString(ours.isBlank() ? postmarkId : ours);
            return jdbc.sql("SELECT id, org_id FROM email_message WHERE id = ? AND direction = 'outbound'").param(id)
                    .query((rs, n) -> new Target(rs.getObject(1, UUID.class), rs.getLong(2))).optional();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Keys in a fixed order, as the UI and the API show them. */
    private static Map<String, Object> bounce(Map<String, Object> fields) {
        Map<String, Object> ordered = new LinkedHashMap<>();
        for (String key : List.of("recipient", "type", "status", "reason")) {
            ordered.put(key, fields.get(key));
        }
        return ordered;
    }
}
