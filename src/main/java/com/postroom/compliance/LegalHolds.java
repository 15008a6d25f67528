package com.postroom.compliance;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Legal holds on a message or a whole thread. A message is held while any active hold covers it or its thread. */
@Repository
public class LegalHolds {

    public static final String MESSAGE = "email_message";
    public static final String THREAD = "email_thread";
    private static final String COLUMNS = "h.id, h.scope_type AS scopeType, h.scope_id AS scopeId, h.reason, "
            + "u.email AS createdBy, h.created_at AS createdAt, h.released_at AS releasedAt, r.email AS releasedBy";
    private static final String FROM = " FROM legal_hold h LEFT JOIN app_user u ON u.id = h.created_by "
            + "LEFT JOIN app_user r ON r.id = h.released_by";

    private final JdbcClient jdbc;

    LegalHolds(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public record Hold(long id, String scopeType, UUID scopeId, String reason, String createdBy,
                       OffsetDateTime createdAt, OffsetDateTime releasedAt, String releasedBy) {
        public boolean active() {
            return releasedAt == null;
        }
    }

    public Hold place(long orgId, String scopeType, UUID scopeId, String reason, Long userId) {
        long id = jdbc.sql("INSERT INTO legal_hold (org_id, scope_type, scope_id, reason, created_by) "
                        + "VALUES (?, ?, ?, ?, ?) RETURNING id")
                .params(orgId, scopeType, scopeId, reason, userId).query(Long.class).single();
        return find(orgId, id).orElseThrow();
    }

    public Optional<Hold> find(long orgId, long id) {
        return jdbc.sql("SELECT " + COLUMNS + FROM + " WHERE h.org_id = ? AND h.id = ?").params(orgId, id)
                .query(Hold.class).optional();
    }

    public List<Hold> list(long orgId, boolean activeOnly) {
        return jdbc.sql("SELECT " + COLUMNS + FROM + " WHERE h.org_id = ?"
                        + (activeOnly ? " AND h.released_at IS NULL" : "") + " ORDER BY h.id DESC")
                .param(orgId).query(Hold.class).list();
    }

    /** Releases an active hold; false when it was already released. */
    public boolean release(long orgId, long id, Long userId) {
        return jdbc.sql("UPDATE legal_hold SET released_at = now(), released_by = ? "
                        + "WHERE org_id = ? AND id = ? AND released_at IS NULL")
                .params(userId, orgId, id).update() == 1;
    }

    /** The active holds that cover this message, directly or through its thread. */
    public List<Hold> covering(long orgId, UUID messageId, UUID threadId) {
        return jdbc.sql("SELECT " + COLUMNS + FROM + " WHERE h.org_id = ? AND h.released_at IS NULL AND "
                        + "((h.scope_type = 'email_message' AND h.scope_id = ?) OR "
                        + "(h.scope_type = 'email_thread' AND h.scope_id = ?)) ORDER BY h.id")
                .params(orgId, messageId, threadId).query(Hold.class).list();
    }

    /** Whether the message or thread a hold would cover is the organization's. */
    public boolean scopeExists(long orgId, String scopeType, java.util.UUID scopeId) {
        String sql = scopeType.equals(MESSAGE) ? "SELECT count(*) FROM email_message WHERE id = ? AND org_id = ?"
                : "SELECT count(*) FROM email_thread WHERE id = ? AND org_id = ?";
        return jdbc.sql(sql).params(scopeId, orgId).query(Long.class).single() > 0;
    }
}
