package com.postroom.store;

import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Threads, always read and written within one organization. */
@Repository
public class Threads {

    private static final String COLUMNS = "id, subject, normalized_subject AS normalizedSubject, status, "
            + "last_message_at AS lastMessageAt, created_at AS createdAt";
    private final JdbcClient jdbc;
    private final JdbcTemplate template;

    Threads(JdbcClient jdbc, JdbcTemplate template) {
        this.jdbc = jdbc;
        this.template = template;
    }

    /** A thread that received mail starts, with the id ingest gave it and its newest message's time. */
    public record NewThread(UUID id, long orgId, String subject, OffsetDateTime lastMessageAt) {
    }

    /** Threads started by a batch of received mail. */
    public void insertAll(List<NewThread> threads) {
        template.batchUpdate("INSERT INTO email_thread (id, org_id, subject, normalized_subject, last_message_at) "
                + "VALUES (?, ?, ?, ?, ?)", threads.stream().map(t -> new Object[] {t.id(), t.orgId(),
                t.subject().replace("\0", ""), Subjects.normalize(t.subject()).replace("\0", ""),
                Timestamp.from(t.lastMessageAt().toInstant())}).toList());
    }

    /** Existing threads that gained messages move up to the newest one's time (never back). */
    public void touchAll(Map<UUID, OffsetDateTime> latest) {
        template.batchUpdate("UPDATE email_thread SET last_message_at = GREATEST(last_message_at, ?) WHERE id = ?",
                latest.entrySet().stream().map(e -> new Object[] {Timestamp.from(e.getValue().toInstant()),
                        e.getKey()}).toList());
    }

    public StoredThread create(long orgId, String subject) {
        return jdbc.sql("INSERT INTO email_thread (org_id, subject, normalized_subject) VALUES (?, ?, ?) RETURNING "
                        + COLUMNS)
                .params(orgId, subject == null ? "" : subject, Subjects.normalize(subject))
                .query(StoredThread.class).single();
    }

    /** New threads with ids the caller chose, one per subject (the sending core's group, in one statement). */
    public void createAll(long orgId, Map<UUID, String> subjects) {
        template.batchUpdate("INSERT INTO email_thread (id, org_id, subject, normalized_subject) VALUES (?, ?, ?, ?)",
                List.copyOf(subjects.entrySet()), 200, (ps, e) -> {
                    ps.setObject(1, e.getKey());
                    ps.setLong(2, orgId);
                    ps.setString(3, e.getValue() == null ? "" : e.getValue());
                    ps.setString(4, Subjects.normalize(e.getValue()));
                });
    }

    public Optional<StoredThread> find(long orgId, UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM email_thread WHERE id = ? AND org_id = ?").params(id, orgId)
                .query(StoredThread.class).optional();
    }

    /**
     * Newest activity first, optionally only threads with this status. Threads are created open and seldom anything
     * else, so a status other than open is read from its own partial index (V41__threads_not_open.sql): walking the
     * threads newest first for one that is not there read all 600,000 of them at a million messages.
     */
    public java.util.List<StoredThread> list(long orgId, Optional<String> status, int limit, int offset) {
        List<Object> params = new java.util.ArrayList<>(List.of(orgId));
        Optional<String> other = status.filter(s -> !s.equals("open"));
        String only = other.isPresent() ? "AND status = ? AND status <> 'open' "
                : status.isPresent() ? "AND status = 'open' " : "";
        other.ifPresent(params::add);
        params.addAll(List.of(limit, offset));
        return jdbc.sql("SELECT " + COLUMNS + " FROM email_thread t WHERE org_id = ? " + only
                        + "AND EXISTS (SELECT 1 FROM email_message m WHERE m.thread_id = t.id AND m.deleted_at IS NULL) "
                        + "ORDER BY last_message_at DESC, id DESC LIMIT ? OFFSET ?")
                .params(params)
                .query(StoredThread.class).list();
    }

    public void touch(UUID id) {
        jdbc.sql("UPDATE email_thread SET last_message_at = now() WHERE id = ?").param(id).update();
    }
}
