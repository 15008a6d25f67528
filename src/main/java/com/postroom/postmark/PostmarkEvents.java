package com.postroom.postmark;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import com.postroom.store.MessageStatus;
import com.postroom.outbound.Suppressions;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

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
    private final JsonMapper json;

    PostmarkEvents(JdbcClient jdbc, Suppressions suppressions, JsonMapper json) {
        this.jdbc = jdbc;
        this.suppressions = suppressions;
        this.json = json;
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
                update(t, MessageStatus.BOUNCED, Map.of("recipient", email, "type", hard ? "hard" : "soft", "status", bounceType,
                        "reason", reason.strip()));
                if (hard && !email.isBlank()) {
                    suppressions.add(t.orgId(), email, "hard bounce (Postmark " + bounceType + ")", "postmark");
                }
            }
            case "Delivery" -> update(t, MessageStatus.DELIVERED, null);
            case "SpamComplaint" -> {
                if (!email.isBlank()) {
                    suppressions.add(t.orgId(), email, "spam complaint", "postmark");
                }
                jdbc.sql("UPDATE email_message SET meta = meta || jsonb_build_object('spam_complaint', ?::text), "
                        + "updated_at = now() WHERE id = ?").params(email, t.id()).update();
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

    private void update(Target t, MessageStatus status, Map<String, Object> bounce) {
        if (bounce == null) {
            jdbc.sql("UPDATE email_message SET status = ?, updated_at = now() WHERE id = ? AND status <> 'bounced'")
                    .params(status.db(), t.id()).update();
            return;
        }
        jdbc.sql("UPDATE email_message SET status = ?, updated_at = now(), meta = jsonb_set(meta, '{bounces}', "
                        + "COALESCE(meta->'bounces', '[]'::jsonb) || ?::jsonb) WHERE id = ?")
                .params(status.db(), json.writeValueAsString(List.of(new LinkedHashMap<>(bounce))), t.id()).update();
    }
}
