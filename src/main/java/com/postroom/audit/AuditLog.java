package com.postroom.audit;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import com.postroom.org.Caller;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who did what to which mail, and when: reads of a conversation, sends, deletes, label and folder changes, downloads
 * and exports. Written in the caller's transaction where there is one, so a change and its record commit together.
 */
@Repository
public class AuditLog {

    public static final String THREAD_READ = "email.thread.read";
    public static final String MESSAGE_READ = "email.message.read";
    public static final String MESSAGE_SENT = "email.message.sent";
    public static final String MESSAGE_DELETED = "email.message.deleted";
    public static final String MESSAGE_CHANGED = "email.message.changed";
    public static final String LABEL_CHANGED = "email.label.changed";
    public static final String RAW_DOWNLOADED = "email.raw.downloaded";
    public static final String ATTACHMENT_DOWNLOADED = "email.attachment.downloaded";
    public static final String EXPORTED = "email.exported";
    public static final String LEGAL_HOLD_PLACED = "legal_hold.placed";
    public static final String LEGAL_HOLD_RELEASED = "legal_hold.released";
    public static final String RETENTION_CHANGED = "retention.changed";

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final JdbcClient jdbc;
    private final org.springframework.jdbc.core.JdbcTemplate template;
    private final JsonMapper json;

    AuditLog(JdbcClient jdbc, org.springframework.jdbc.core.JdbcTemplate template, JsonMapper json) {
        this.template = template;
        this.jdbc = jdbc;
        this.json = json;
    }

    public void record(Caller caller, String action, String targetType, Object targetId, Map<String, ?> details) {
        jdbc.sql("INSERT INTO audit_event (org_id, actor_id, actor_email, action, target_type, target_id, details) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)")
                .params(caller.orgId(), caller.userId() > 0 ? caller.userId() : null, caller.email(), action,
                        targetType, String.valueOf(targetId), json.writeValueAsString(details))
                .update();
    }

    /** The same event for many targets, in one statement (bulk changes touch up to a thousand messages). */
    public void recordEach(Caller caller, String action, String targetType, java.util.Collection<?> targetIds,
                           Map<String, ?> details) {
        jdbc.sql("INSERT INTO audit_event (org_id, actor_id, actor_email, action, target_type, target_id, details) "
                        + "SELECT ?, ?, ?, ?, ?, t, ?::jsonb FROM unnest(?::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n")
                .params(caller.orgId(), caller.userId() > 0 ? caller.userId() : null, caller.email(), action,
                        targetType, json.writeValueAsString(details),
                        targetIds.stream().map(String::valueOf).toArray(String[]::new))
                .update();
    }

    /** One event of {@link #recordAll}: its target, who acted (a user id, or null) and what happened. */
    public record Target(Object id, Long actorId, Map<String, ?> details) {
    }

    /**
     * One event per target, each with its own actor and details, in one statement (the sending core's groups). The
     * targets travel as arrays, so the statement's text is the same for any number of them and PostgreSQL plans it
     * once: as a multi-row INSERT with a lookup of the actor's email per row, each group of up to 128 rows was planned
     * afresh, and planning it cost more than running it (pg_stat_statements during bench/outbound's phase (e)).
     */
    public void recordAll(long orgId, String action, String targetType, List<Target> targets) {
        if (targets.isEmpty()) {
            return;
        }
        Long[] actors = new Long[targets.size()];
        String[] ids = new String[targets.size()];
        String[] details = new String[targets.size()];
        for (int i = 0; i < actors.length; i++) {
            Target t = targets.get(i);
            actors[i] = t.actorId();
            ids[i] = String.valueOf(t.id());
            details[i] = json.writeValueAsString(t.details());
        }
        jdbc.sql("INSERT INTO audit_event (org_id, actor_id, actor_email, action, target_type, target_id, details) "
                        + "SELECT ?, u.actor, a.email, ?, ?, u.target, u.details::jsonb FROM unnest(?::bigint[], "
                        + "?::text[], ?::text[]) WITH ORDINALITY AS u(actor, target, details, n) "
                        + "LEFT JOIN app_user a ON a.id = u.actor ORDER BY u.n")
                .params(orgId, action, targetType, actors, ids, details)
                .update();
    }

    /** For work done on a user's behalf where only their id is at hand (the sending core); email looked up. */
    public void record(long orgId, Long actorId, String action, String targetType, Object targetId,
                       Map<String, ?> details) {
        jdbc.sql("INSERT INTO audit_event (org_id, actor_id, actor_email, action, target_type, target_id, details) "
                        + "VALUES (?, ?, (SELECT email FROM app_user WHERE id = ?), ?, ?, ?, ?::jsonb)")
                .params(orgId, actorId, actorId, action, targetType, String.valueOf(targetId),
                        json.writeValueAsString(details))
                .update();
    }

    public record Event(long id, String action, String actorEmail, String targetType, String targetId,
                        Map<String, Object> details, OffsetDateTime createdAt) {
    }

    /** Filters of GET /api/audit; each one optional. {@code beforeId} pages backwards (newest first). */
    public record Filter(Optional<String> action, Optional<String> actor, Optional<String> targetId,
                         Optional<OffsetDateTime> since, Optional<OffsetDateTime> until, Optional<Long> beforeId,
                         int limit) {
    }

    public List<Event> search(long orgId, Filter f) {
        StringBuilder sql = new StringBuilder("SELECT id, action, actor_email, target_type, target_id, details, "
                + "created_at FROM audit_event WHERE org_id = ?");
        List<Object> params = new ArrayList<>(List.of(orgId));
        f.action().ifPresent(a -> {
            sql.append(a.endsWith("*") ? " AND action LIKE ?" : " AND action = ?");
            params.add(a.endsWith("*") ? a.substring(0, a.length() - 1).replace("%", "") + "%" : a);
        });
        f.actor().ifPresent(a -> {
            sql.append(" AND actor_email = ?");
            params.add(a.toLowerCase(java.util.Locale.ROOT));
        });
        f.targetId().ifPresent(t -> {
            sql.append(" AND target_id = ?");
            params.add(t);
        });
        f.since().ifPresent(t -> {
            sql.append(" AND created_at >= ?");
            params.add(t);
        });
        f.until().ifPresent(t -> {
            sql.append(" AND created_at < ?");
            params.add(t);
        });
        f.beforeId().ifPresent(id -> {
            sql.append(" AND id < ?");
            params.add(id);
        });
        sql.append(" ORDER BY id DESC LIMIT ?");
        params.add(f.limit());
        return jdbc.sql(sql.toString()).params(params).query((rs, i) -> new Event(rs.getLong(1), rs.getString(2),
                rs.getString(3), rs.getString(4), rs.getString(5), json.readValue(rs.getString(6), MAP),
                rs.getObject(7, OffsetDateTime.class))).list();
    }

    /** A small details map, keeping insertion order and skipping nulls. */
    public static Map<String, Object> details(Object... pairs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                out.put(String.valueOf(pairs[i]), pairs[i + 1]);
            }
        }
        return out;
    }
}
