package com.postroom.postmarkapi;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns what happened to a Postmark server's mail into webhook events, in Postmark's payloads: Delivery (the mail
 * server's 250 for a recipient, from the delivery attempts), Bounce (from bounce reports), SpamComplaint and
 * SubscriptionChange (from the suppression list: a complaint, an unsubscribe, a suppression through the API). It reads
 * each source after a cursor and writes the events and the new cursor in one transaction, so a fact becomes an event
 * once (the unique source key makes a repeat a no-op), and nothing on the sending path waits for it.
 */
@Repository
class WebhookEvents {

    private static final int BATCH = 500;

    private final JdbcClient jdbc;
    private final JsonMapper json;

    WebhookEvents(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Collects what is new; the number of events written. */
    @Transactional
    int collect() {
        if (!jdbc.sql("SELECT EXISTS (SELECT 1 FROM postmark_webhook)").query(Boolean.class).single()) {
            return 0; // nobody listens; what happens meanwhile is read later, and each webhook only sees its time
        }
        return deliveries() + bounces() + suppressions();
    }

    /**
     * The cursor of a source, locked for this transaction (the migration made it at the records' end). A webhook gets
     * only facts from after it was made (each query compares with its created_at), so a cursor left behind while no
     * webhook existed costs a few reads and never a flood of old events.
     */
    private long cursor(String source, String table, String column) {
        jdbc.sql("INSERT INTO webhook_cursor (source, last_id) VALUES (?, 0) ON CONFLICT (source) DO NOTHING")
                .param(source).update();
        return jdbc.sql("SELECT last_id FROM webhook_cursor WHERE source = ? FOR UPDATE").param(source)
                .query(Long.class).single();
    }

    private void advance(String source, long to) {
        jdbc.sql("UPDATE webhook_cursor SET last_id = ? WHERE source = ?").params(to, source).update();
    }

    private long upTo(String table, String column, long after) {
        return jdbc.sql("SELECT coalesce(max(" + column + "), ?) FROM (SELECT " + column + " FROM " + table
                        + " WHERE " + column + " > ? ORDER BY " + column + " LIMIT " + BATCH + ") s")
                .params(after, after).query(Long.class).single();
    }

    private int deliveries() {
        long after = cursor("delivery", "delivery_attempt", "id");
        long to = upTo("delivery_attempt", "id", after);
        if (to == after) {
            return 0;
        }
        int[] written = {0};
        jdbc.sql("SELECT a.id, a.finished_at, a.smtp_reply, a.recipients::text, m.id AS message, m.org_id, "
                        + "m.meta::text AS meta, w.id AS webhook FROM delivery_attempt a "
                        + "JOIN email_message m ON m.id = a.message_id "
                        + "JOIN postmark_webhook w ON w.server_id::text = (m.meta -> 'postmark' ->> 'server_id') "
                        + "AND w.stream = coalesce(m.meta -> 'postmark' ->> 'stream', 'outbound') AND w.delivery "
                        + "AND a.finished_at >= w.created_at WHERE a.id > ? AND a.id <= ? "
                        + "AND a.outcome IN ('sent', 'partial') ORDER BY a.id")
                .params(after, to).query((rs, n) -> {
                    JsonNode meta = json.readTree(rs.getString("meta")).path("postmark");
                    for (JsonNode r : json.readTree(rs.getString("recipients")).values()) {
                        if (!r.path("accepted").asBoolean(false)) {
                            continue;
                        }
                        Map<String, Object> p = new LinkedHashMap<>();
                        p.put("RecordType", "Delivery");
                        p.put("ServerID", meta.path("server_id").asLong());
                        p.put("MessageStream", meta.path("stream").asString("outbound"));
                        p.put("MessageID", rs.getObject("message").toString());
                        p.put("Recipient", r.path("address").asString(""));
                        p.put("Tag", meta.path("tag").asString(""));
                        p.put("DeliveredAt", PostmarkReads.ISO.format(rs.getObject("finished_at",
                                OffsetDateTime.class)));
                        p.put("Details", r.path("code").asInt() + " " + r.path("reply").asString(""));
                        p.put("Metadata", metadata(meta));
                        written[0] += enqueue(rs.getLong("webhook"), rs.getLong("org_id"), "Delivery",
                                "delivery:" + rs.getLong("id") + ":" + r.path("address").asString(""), p);
                    }
                    return null;
                }).list();
        advance("delivery", to);
        return written[0];
    }

    private int bounces() {
        long after = cursor("bounce", "bounce", "id");
        long to = upTo("bounce", "id", after);
        if (to == after) {
            return 0;
        }
        int[] written = {0};
        jdbc.sql("SELECT b.id, b.recipient, b.hard, b.status_code, b.diagnostic, b.created_at, m.id AS message, "
                        + "m.org_id, m.sender, m.subject, m.meta::text AS meta, w.id AS webhook, "
                        + "EXISTS (SELECT 1 FROM suppression s WHERE s.org_id = b.org_id AND s.address = b.recipient) "
                        + "AS inactive FROM bounce b JOIN email_message m ON m.id = b.outbound_message "
                        + "JOIN postmark_webhook w ON w.server_id::text = (m.meta -> 'postmark' ->> 'server_id') "
                        + "AND w.stream = coalesce(m.meta -> 'postmark' ->> 'stream', 'outbound') AND w.bounce "
                        + "AND b.created_at >= w.created_at WHERE b.id > ? AND b.id <= ? ORDER BY b.id")
                .params(after, to).query((rs, n) -> {
                    JsonNode meta = json.readTree(rs.getString("meta")).path("postmark");
                    boolean hard = rs.getBoolean("hard");
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("RecordType", "Bounce");
                    p.put("ID", rs.getLong("id"));
                    p.put("Type", hard ? "HardBounce" : "SoftBounce");
                    p.put("TypeCode", hard ? 1 : 4096);
                    p.put("Name", hard ? "Hard bounce" : "Soft bounce");
                    p.put("Tag", meta.path("tag").asString(""));
                    p.put("MessageID", rs.getObject("message").toString());
                    p.put("Metadata", metadata(meta));
                    p.put("ServerID", meta.path("server_id").asLong());
                    p.put("MessageStream", meta.path("stream").asString("outbound"));
                    p.put("Description", hard ? "The server was unable to deliver your message (ex: unknown user, "
                            + "mailbox not found)." : "The server could not temporarily deliver your message.");
                    p.put("Details", ((rs.getString("status_code") == null ? "" : rs.getString("status_code") + " ")
                            + (rs.getString("diagnostic") == null ? "" : rs.getString("diagnostic"))).strip());
                    p.put("Email", rs.getString("recipient"));
                    p.put("From", rs.getString("sender"));
                    p.put("BouncedAt", PostmarkReads.ISO.format(rs.getObject("created_at", OffsetDateTime.class)));
                    p.put("DumpAvailable", false);
                    p.put("Inactive", rs.getBoolean("inactive"));
                    p.put("CanActivate", rs.getBoolean("inactive"));
                    p.put("Subject", rs.getString("subject"));
                    p.put("Content", "");
                    written[0] += enqueue(rs.getLong("webhook"), rs.getLong("org_id"), "Bounce",
                            "bounce:" + rs.getLong("id"), p);
                    return null;
                }).list();
        advance("bounce", to);
        return written[0];
    }

    /**
     * New suppressions: a complaint is a SpamComplaint event, an unsubscribe or a suppression through the API a
     * SubscriptionChange, each for the webhooks of the organization's servers on the stream it concerns (a complaint
     * concerns every stream), about the last message that server sent to the address.
     */
    private int suppressions() {
        long after = cursor("suppression", "suppression", "seq");
        long to = upTo("suppression", "seq", after);
        if (to == after) {
            return 0;
        }
        int[] written = {0};
        jdbc.sql("SELECT s.seq, s.org_id, s.address, s.reason, s.source, s.stream, s.created_at, w.id AS webhook, "
                        + "w.server_id, w.stream AS webhook_stream, w.spam_complaint, w.subscription, "
                        + "(SELECT m.id::text || ' ' || m.meta::text FROM email_message m WHERE m.org_id = s.org_id "
                        + "AND m.direction = 'outbound' AND (m.meta -> 'postmark' ->> 'server_id') = w.server_id::text "
                        + "AND s.address = ANY(m.recipients) ORDER BY m.created_at DESC LIMIT 1) AS last_message "
                        + "FROM suppression s JOIN postmark_webhook w ON w.org_id = s.org_id "
                        + "AND (s.stream = '' OR s.stream = w.stream) AND (w.spam_complaint OR w.subscription) "
                        + "AND s.created_at >= w.created_at "
                        + "WHERE s.seq > ? AND s.seq <= ? ORDER BY s.seq")
                .params(after, to).query((rs, n) -> {
                    boolean complaint = rs.getString("reason").toLowerCase(java.util.Locale.ROOT).contains("complaint");
                    boolean change = List.of("unsubscribe", "postmark-api").contains(rs.getString("source"));
                    if (!(complaint && rs.getBoolean("spam_complaint")) && !(change && rs.getBoolean("subscription"))) {
                        return null;
                    }
                    String last = rs.getString("last_message");
                    String messageId = last == null ? "" : last.substring(0, last.indexOf(' '));
                    JsonNode meta = last == null ? json.createObjectNode()
                            : json.readTree(last.substring(last.indexOf(' ') + 1)).path("postmark");
                    String at = PostmarkReads.ISO.format(rs.getObject("created_at", OffsetDateTime.class));
                    Map<String, Object> p = new LinkedHashMap<>();
                    if (complaint) {
                        p.put("RecordType", "SpamComplaint");
                        p.put("ID", rs.getLong("seq"));
                        p.put("Type", "SpamComplaint");
                        p.put("TypeCode", 512);
                        p.put("Name", "Spam complaint");
                        p.put("Tag", meta.path("tag").asString(""));
                        p.put("MessageID", messageId);
                        p.put("Metadata", metadata(meta));
                        p.put("ServerID", rs.getLong("server_id"));
                        p.put("MessageStream", rs.getString("webhook_stream"));
                        p.put("Description", "The subscriber explicitly marked this message as spam.");
                        p.put("Details", rs.getString("reason"));
                        p.put("Email", rs.getString("address"));
                        p.put("BouncedAt", at);
                        p.put("DumpAvailable", false);
                        p.put("Inactive", true);
                        p.put("CanActivate", false);
                    } else {
                        p.put("RecordType", "SubscriptionChange");
                        p.put("MessageID", messageId);
                        p.put("ServerID", rs.getLong("server_id"));
                        p.put("MessageStream", rs.getString("webhook_stream"));
                        p.put("ChangedAt", at);
                        p.put("Recipient", rs.getString("address"));
                        p.put("Origin", rs.getString("source").equals("unsubscribe") ? "Recipient" : "Customer");
                        p.put("SuppressSending", true);
                        p.put("SuppressionReason", "ManualSuppression");
                        p.put("Tag", meta.path("tag").asString(""));
                        p.put("Metadata", metadata(meta));
                    }
                    written[0] += enqueue(rs.getLong("webhook"), rs.getLong("org_id"), (String) p.get("RecordType"),
                            "suppression:" + rs.getLong("seq"), p);
                    return null;
                }).list();
        advance("suppression", to);
        return written[0];
    }

    private static Map<String, Object> metadata(JsonNode postmark) {
        Map<String, Object> out = new LinkedHashMap<>();
        JsonNode m = postmark.path("metadata");
        m.propertyNames().forEach(k -> out.put(k, m.get(k).asString("")));
        return out;
    }

    private int enqueue(long webhook, long orgId, String type, String key, Map<String, Object> payload) {
        return jdbc.sql("INSERT INTO webhook_delivery (webhook_id, org_id, record_type, source_key, payload) "
                        + "VALUES (?, ?, ?, ?, ?::jsonb) ON CONFLICT (webhook_id, source_key) DO NOTHING")
                .params(webhook, orgId, type, key, json.writeValueAsString(payload)).update();
    }
}
