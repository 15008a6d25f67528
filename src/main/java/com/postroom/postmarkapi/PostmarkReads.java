package com.postroom.postmarkapi;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;


import org.springframework.jdbc.core.simple.JdbcClient;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import com.postroom.outbound.Suppressions;

/**
 * The records behind {@link ReadingApi}, in Postmark's shapes: {@code GET /messages/outbound} (search), {@code GET
 * /messages/outbound/{id}/details} (with its events: queued, sent to the mail server, delivered, bounced), {@code GET
 * /bounces} and {@code PUT /bounces/{id}/activate}. A server sees only the messages it sent.
 */
@org.springframework.stereotype.Repository
class PostmarkReads {

    /** Milliseconds, as the clients' date parsers all take (Jackson 2's StdDateFormat among them). */
    static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Suppressions suppressions;

    PostmarkReads(JdbcClient jdbc, JsonMapper json, Suppressions suppressions) {
        this.jdbc = jdbc;
        this.json = json;
        this.suppressions = suppressions;
    }

    private record Row(UUID id, String sender, List<String> to, List<String> cc, List<String> bcc, String subject,
                       String status, String text, String html, JsonNode meta, OffsetDateTime createdAt) {
    }

    /** What {@link #bounce} reads: a bounce with the message it reports on. */
    private static final String BOUNCE_COLUMNS = "b.id, b.recipient, b.hard, b.status_code, b.diagnostic, "
            + "b.created_at, m.id AS message, m.sender, m.subject, m.meta::text AS meta";

    private static final String COLUMNS = "m.id, m.sender, m.recipients, m.cc, m.bcc, m.subject, m.status, "
            + "m.body_plain, m.body_html, m.meta::text, m.created_at";

    /** GET /messages/outbound's filters as Postmark names them; each may be null, metadata empty. */
    record MessageFilter(String recipient, String fromemail, String tag, String subject, String status,
                         String fromdate, String todate, String messagestream, Map<String, String> metadata) {
    }

    Map<String, Object> search(PostmarkServers.Server server, int count, int offset, MessageFilter filter) {
        if (count < 1 || count > 500 || offset < 0 || offset + count > 10_000) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "'count' must be 1 to 500 and 'offset' at "
                    + "least 0, with count + offset at most 10000.");
        }
        StringBuilder where = new StringBuilder(" FROM email_message m WHERE m.org_id = ? AND m.direction = 'outbound' "
                + "AND (m.meta -> 'postmark' ->> 'server_id') = ?");
        List<Object> params = new ArrayList<>(List.of(server.orgId(), Long.toString(server.id())));
        String recipient = filter.recipient();
        if (given(recipient)) {
            where.append(" AND (lower(?) = ANY(m.recipients) OR lower(?) = ANY(m.cc) OR lower(?) = ANY(m.bcc))");
            params.addAll(List.of(recipient.strip(), recipient.strip(), recipient.strip()));
        }
        if (given(filter.fromemail())) {
            where.append(" AND lower(m.sender) = lower(?)");
            params.add(filter.fromemail().strip());
        }
        if (given(filter.subject())) {
            where.append(" AND m.subject ILIKE ?");
            params.add(contains(filter.subject()));
        }
        filter.metadata().forEach((key, value) -> {
            where.append(" AND (m.meta -> 'postmark' -> 'metadata' ->> ?) = ?");
            params.add(key);
            params.add(value);
        });
        String status = filter.status();
        if (given(status)) {
            List<String> statuses = switch (status.toLowerCase(java.util.Locale.ROOT)) {
                case "queued" -> List.of("queued");
                case "sent", "processed" -> List.of("sent", "delivered", "bounced", "failed");
                default -> throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "'status' is 'queued' or "
                        + "'sent'.");
            };
            where.append(" AND m.status = ANY(?)");
            params.add(statuses.toArray(String[]::new));
        }
        tagStreamAndDates(where, params, filter.tag(), filter.messagestream(), filter.fromdate(), filter.todate(),
                "m.created_at");
        long total = jdbc.sql("SELECT count(*)" + where).params(params).query(Long.class).single();
        List<Object> page = new ArrayList<>(params);
        page.add(count);
        page.add(offset);
        List<Map<String, Object>> messages = jdbc.sql("SELECT " + COLUMNS + where
                        + " ORDER BY m.created_at DESC, m.id LIMIT ? OFFSET ?")
                .params(page).query((rs, n) -> summary(row(rs))).list();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("TotalCount", total);
        out.put("Messages", messages);
        return out;
    }

    Map<String, Object> details(PostmarkServers.Server server, String id) {
        UUID messageId = uuid(id);
        Row row = jdbc.sql("SELECT " + COLUMNS + " FROM email_message m WHERE m.id = ? AND m.org_id = ? "
                        + "AND (m.meta -> 'postmark' ->> 'server_id') = ?")
                .params(messageId, server.orgId(), Long.toString(server.id())).query((rs, n) -> row(rs)).optional()
                .orElseThrow(() -> PostmarkError.invalid(701, "This message was not found."));
        Map<String, Object> out = summary(row);
        out.put("TextBody", row.text());
        out.put("HtmlBody", row.html());
        out.put("Body", "");
        out.put("MessageEvents", events(row));
        return out;
    }

    /** GET /bounces's filters as Postmark names them; each may be null. */
    record BounceFilter(String emailFilter, String messageID, String type, String inactive, String tag,
                        String fromdate, String todate, String messagestream) {
    }

    Map<String, Object> bounces(PostmarkServers.Server server, int count, int offset, BounceFilter filter) {
        if (count < 1 || count > 500 || offset < 0) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "'count' must be 1 to 500, 'offset' at least 0.");
        }
        StringBuilder where = new StringBuilder(" FROM bounce b JOIN email_message m ON m.id = b.outbound_message "
                + "WHERE b.org_id = ? AND (m.meta -> 'postmark' ->> 'server_id') = ?");
        List<Object> params = new ArrayList<>(List.of(server.orgId(), Long.toString(server.id())));
        if (given(filter.emailFilter())) {
            where.append(" AND b.recipient ILIKE ?");
            params.add(contains(filter.emailFilter()));
        }
        if (given(filter.messageID())) {
            where.append(" AND b.outbound_message = ?");
            params.add(uuid(filter.messageID()));
        }
        if (given(filter.type())) {
            // Postroom tells hard from soft bounces; Postmark's finer types (Transient, DnsError, ...) match none.
            where.append(" AND b.hard = ? AND ? IN ('HardBounce', 'SoftBounce')");
            params.add(filter.type().strip().equals("HardBounce"));
            params.add(filter.type().strip());
        }
        if (given(filter.inactive())) {
            where.append(" AND EXISTS (SELECT 1 FROM suppression s WHERE s.org_id = b.org_id "
                    + "AND s.address = lower(b.recipient)) = ?");
            params.add(bool(filter.inactive(), "inactive"));
        }
        tagStreamAndDates(where, params, filter.tag(), filter.messagestream(), filter.fromdate(), filter.todate(),
                "b.created_at");
        long total = jdbc.sql("SELECT count(*)" + where).params(params).query(Long.class).single();
        List<Object> page = new ArrayList<>(params);
        page.add(count);
        page.add(offset);
        List<Map<String, Object>> bounces = jdbc.sql("SELECT " + BOUNCE_COLUMNS + where
                        + " ORDER BY b.created_at DESC, b.id LIMIT ? OFFSET ?")
                .params(page).query((rs, n) -> bounce(rs, server)).list();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("TotalCount", total);
        out.put("Bounces", bounces);
        return out;
    }

    /** GET /deliverystats: the organization's inactive addresses, and this server's bounces by type. */
    Map<String, Object> deliveryStats(PostmarkServers.Server server) {
        long inactive = jdbc.sql("SELECT count(DISTINCT address) FROM suppression WHERE org_id = ?")
                .param(server.orgId()).query(Long.class).single();
        Map<String, Long> byType = new LinkedHashMap<>();
        jdbc.sql("SELECT b.hard, count(*) FROM bounce b JOIN email_message m ON m.id = b.outbound_message "
                        + "WHERE b.org_id = ? AND (m.meta -> 'postmark' ->> 'server_id') = ? GROUP BY b.hard")
                .params(server.orgId(), Long.toString(server.id()))
                .query((rs, n) -> byType.put(rs.getBoolean(1) ? "HardBounce" : "SoftBounce", rs.getLong(2)))
                .list();
        List<Map<String, Object>> bounces = new ArrayList<>();
        bounces.add(Map.of("Name", "All", "Count", byType.values().stream().mapToLong(Long::longValue).sum()));
        byType.forEach((type, count) -> bounces.add(Map.of("Type", type, "Name",
                type.equals("HardBounce") ? "Hard bounce" : "Soft bounce", "Count", count)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("InactiveMails", inactive);
        out.put("Bounces", bounces);
        return out;
    }

    /** When the server was made (its streams' CreatedAt). */
    OffsetDateTime createdAt(PostmarkServers.Server server) {
        return jdbc.sql("SELECT created_at FROM postmark_server WHERE id = ?").param(server.id())
                .query(OffsetDateTime.class).single();
    }

    /** One bounce of this server's messages. */
    Map<String, Object> bounce(PostmarkServers.Server server, long id) {
        return jdbc.sql("SELECT " + BOUNCE_COLUMNS + " FROM bounce b "
                        + "JOIN email_message m ON m.id = b.outbound_message WHERE b.id = ? AND b.org_id = ? "
                        + "AND (m.meta -> 'postmark' ->> 'server_id') = ?")
                .params(id, server.orgId(), Long.toString(server.id())).query((rs, n) -> bounce(rs, server))
                .optional().orElseThrow(() -> PostmarkError.invalid(PostmarkError.INVALID_REQUEST,
                        "No bounce " + id + " of this server."));
    }

    /** The MIME of one of this server's messages as it went out, or "" once the outbox no longer holds it. */
    String dump(PostmarkServers.Server server, String id) {
        UUID messageId = uuid(id);
        return jdbc.sql("SELECT o.mime FROM email_message m LEFT JOIN outbox o ON o.message_id = m.id "
                        + "WHERE m.id = ? AND m.org_id = ? AND (m.meta -> 'postmark' ->> 'server_id') = ?")
                .params(messageId, server.orgId(), Long.toString(server.id()))
                .query((rs, n) -> rs.getBytes(1) == null ? "" : new String(rs.getBytes(1),
                        java.nio.charset.StandardCharsets.UTF_8)).optional()
                .orElseThrow(() -> PostmarkError.invalid(701, "This message was not found."));
    }

    /** Reactivates the bounced address: it leaves the suppression list, so mail to it goes again. */
    Map<String, Object> activate(PostmarkServers.Server server, long id) {
        Map<String, Object> bounce = bounce(server, id);
        suppressions.remove(server.orgId(), (String) bounce.get("Email"));
        bounce.put("Inactive", false);
        bounce.put("CanActivate", false);
        return Map.of("Message", "OK", "Bounce", bounce);
    }

    private Map<String, Object> bounce(ResultSet rs, PostmarkServers.Server server) throws SQLException {
        boolean hard = rs.getBoolean("hard");
        String email = rs.getString("recipient");
        boolean inactive = !suppressions.find(server.orgId(), email).isEmpty();
        JsonNode postmark = json.readTree(rs.getString("meta")).path("postmark");
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("ID", rs.getLong("id"));
        b.put("Type", hard ? "HardBounce" : "SoftBounce");
        b.put("TypeCode", hard ? 1 : 4096);
        b.put("Name", hard ? "Hard bounce" : "Soft bounce");
        b.put("Tag", postmark.path("tag").asString(""));
        b.put("MessageID", rs.getObject("message", UUID.class).toString());
        b.put("ServerID", server.id());
        b.put("MessageStream", postmark.path("stream").asString("outbound"));
        b.put("Description", hard ? "The server was unable to deliver your message (ex: unknown user, mailbox not "
                + "found)." : "The server could not temporarily deliver your message (ex: Message is delayed due to "
                + "network troubles).");
        b.put("Details", (rs.getString("status_code") == null ? "" : rs.getString("status_code") + " ")
                + (rs.getString("diagnostic") == null ? "" : rs.getString("diagnostic")));
        b.put("Email", email);
        b.put("From", rs.getString("sender"));
        b.put("BouncedAt", ISO.format(rs.getObject("created_at", OffsetDateTime.class)));
        b.put("DumpAvailable", false);
        b.put("Inactive", inactive);
        b.put("CanActivate", inactive);
        b.put("Subject", rs.getString("subject"));
        return b;
    }

    private Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getObject(1, UUID.class), rs.getString(2), list(rs.getArray(3)), list(rs.getArray(4)),
                list(rs.getArray(5)), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                json.readTree(rs.getString(10)), rs.getObject(11, OffsetDateTime.class));
    }

    private static List<String> list(Array array) throws SQLException {
        return array == null ? List.of() : List.of((String[]) array.getArray());
    }

    private Map<String, Object> summary(Row r) {
        JsonNode postmark = r.meta().path("postmark");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Tag", postmark.path("tag").asString(""));
        out.put("MessageID", r.id().toString());
        out.put("MessageStream", postmark.path("stream").asString("outbound"));
        out.put("To", people(r.to()));
        out.put("Cc", people(r.cc()));
        out.put("Bcc", people(r.bcc()));
        List<String> all = new ArrayList<>(r.to());
        all.addAll(r.cc());
        all.addAll(r.bcc());
        out.put("Recipients", all);
        out.put("ReceivedAt", ISO.format(r.createdAt()));
        out.put("From", r.sender());
        out.put("Subject", r.subject());
        List<String> files = new ArrayList<>();
        r.meta().path("attachments").values().forEach(a -> files.add(a.path("filename").asString("")));
        out.put("Attachments", files);
        out.put("Status", r.status().equals("queued") ? "Queued" : "Sent");
        out.put("TrackOpens", false);
        out.put("TrackLinks", "None");
        Map<String, Object> metadata = new LinkedHashMap<>();
        JsonNode m = postmark.path("metadata");
        m.propertyNames().forEach(k -> metadata.put(k, m.get(k).asString("")));
        out.put("Metadata", metadata);
        out.put("Sandboxed", false);
        return out;
    }

    private static List<Map<String, String>> people(List<String> addresses) {
        return addresses.stream().map(a -> Map.of("Email", a, "Name", "")).toList();
    }

    /**
     * Postmark's events from Postroom's records: Queued when accepted; Delivered when the mail server Postroom hands
     * mail to answered 250 (the last hop Postroom sees); Transient for a deferral; Bounced for a failure or a bounce.
     */
    private List<Map<String, Object>> events(Row r) {
        List<Map<String, Object>> events = new ArrayList<>();
        for (String recipient : r.to().isEmpty() ? List.of("") : r.to()) {
            Map<String, Object> queued = new LinkedHashMap<>();
            queued.put("Recipient", recipient);
            queued.put("Type", "Queued");
            queued.put("ReceivedAt", ISO.format(r.createdAt()));
            queued.put("Details", Map.of());
            events.add(queued);
        }
        jdbc.sql("SELECT outcome, smtp_code, smtp_reply, finished_at, recipients::text FROM delivery_attempt "
                        + "WHERE message_id = ? ORDER BY attempt_no")
                .param(r.id()).query((rs, n) -> {
                    String outcome = rs.getString(1);
                    Map<String, Object> details = new LinkedHashMap<>();
                    details.put("DeliveryMessage", (rs.getObject(2) == null ? "" : rs.getInt(2) + " ")
                            + (rs.getString(3) == null ? "" : rs.getString(3)));
                    details.put("DestinationServer", "");
                    details.put("DestinationIP", "");
                    for (String recipient : r.to().isEmpty() ? List.of("") : r.to()) {
                        Map<String, Object> e = new LinkedHashMap<>();
                        e.put("Recipient", recipient);
                        e.put("Type", switch (outcome) {
                            case "sent", "partial" -> "Delivered";
                            case "deferred" -> "Transient";
                            default -> "Bounced";
                        });
                        e.put("ReceivedAt", ISO.format(rs.getObject(4, OffsetDateTime.class)));
                        e.put("Details", details);
                        events.add(e);
                    }
                    return null;
                }).list();
        jdbc.sql("SELECT recipient, hard, status_code, diagnostic, created_at FROM bounce WHERE outbound_message = ? "
                        + "ORDER BY created_at")
                .param(r.id()).query((rs, n) -> {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("Recipient", rs.getString(1));
                    e.put("Type", "Bounced");
                    e.put("ReceivedAt", ISO.format(rs.getObject(5, OffsetDateTime.class)));
                    e.put("Details", Map.of("Summary", (rs.getString(3) == null ? "" : rs.getString(3) + " ")
                            + (rs.getString(4) == null ? "" : rs.getString(4)), "BounceID", "",
                            "Type", rs.getBoolean(2) ? "HardBounce" : "SoftBounce"));
                    events.add(e);
                    return null;
                }).list();
        return events;
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw PostmarkError.invalid(701, "This message was not found ('" + id + "' is not a MessageID).");
        }
    }

    /**
     * The filters both lists share: the message's tag and stream (its Postmark metadata, alias m), and a day range
     * on {@code dateColumn}, todate included whole.
     */
    private static void tagStreamAndDates(StringBuilder where, List<Object> params, String tag, String stream,
                                          String fromdate, String todate, String dateColumn) {
        if (given(tag)) {
            where.append(" AND (m.meta -> 'postmark' ->> 'tag') = ?");
            params.add(tag);
        }
        if (given(stream)) {
            where.append(" AND (m.meta -> 'postmark' ->> 'stream') = ?");
            params.add(stream);
        }
        if (given(fromdate)) {
            where.append(" AND ").append(dateColumn).append(" >= ?::timestamptz");
            params.add(date(fromdate, "fromdate"));
        }
        if (given(todate)) {
            where.append(" AND ").append(dateColumn).append(" < ?::timestamptz + interval '1 day'");
            params.add(date(todate, "todate"));
        }
    }

    /** An ILIKE pattern for text containing this, its own % and _ taken literally. */
    private static String contains(String text) {
        return "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    private static boolean given(String value) {
        return value != null && !value.isBlank();
    }

    /** true or false; 1 and 0 as PHP's http_build_query writes booleans (Postmark's PHP client). */
    private static boolean bool(String value, String name) {
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "'" + name + "' must be true or "
                    + "false.");
        };
    }

    private static String date(String value, String name) {
        if (!value.matches("\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)?")) {
            throw PostmarkError.invalid(PostmarkError.INVALID_REQUEST, "'" + name + "' must be a date such as "
                    + "2026-12-04.");
        }
        return value;
    }
}
