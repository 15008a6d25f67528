package com.postroom.outbound;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import com.postroom.cluster.Instance;
import com.postroom.store.MessageStates;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The outbox table: what is waiting to be sent, claimed by workers with {@code FOR UPDATE SKIP LOCKED} so that two
 * workers, or two instances, never hold the same message, and every attempt with the server's reply.
 */
@Repository
public class Outbox {

    private final JdbcClient jdbc;
    private final org.springframework.jdbc.core.JdbcTemplate template;
    private final JsonMapper json;
    /** {@link #claimSql} by limit: put together once (a deployment has one worker setting), not at every claim. */
    private final java.util.Map<Integer, String> claims = new java.util.concurrent.ConcurrentHashMap<>();

    Outbox(JdbcClient jdbc, org.springframework.jdbc.core.JdbcTemplate template, JsonMapper json) {
        this.template = template;
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * A claimed message. Its bytes come with the claim when the message is small (most mail: one round trip less per
     * message); a large one is loaded just before it is sent, so a claimed batch never sits in memory.
     */
    record Claim(UUID messageId, long orgId, String envelopeFrom, List<String> recipients, int attempt,
                 OffsetDateTime giveUpAt, OffsetDateTime createdAt, Instant claimedAt, byte[] mime) {
    }

    /** Messages up to this size come with their claim. */
    static final int CLAIMED_WITH_BYTES = 256 * 1024;

    public record Status(UUID messageId, String status, int attempts, OffsetDateTime createdAt, OffsetDateTime nextAttemptAt,
                  OffsetDateTime sentAt, String lastError, List<String> acceptedRecipients,
                  List<String> failedRecipients, List<String> pendingRecipients) {
    }

    public record Attempt(int attemptNo, OffsetDateTime startedAt, OffsetDateTime finishedAt, String outcome,
                   Integer smtpCode, String smtpReply, JsonNode recipients) {
    }

    /**
     * A message to send: its envelope and bytes, when it may go first ({@code notBefore}, else now) and whether a copy
     * goes to the IMAP Sent folder ({@code sentCopy} false: never, whatever the settings say).
     */
    record Entry(UUID messageId, long orgId, String envelopeFrom, List<String> recipients, byte[] mime,
                 Optional<Instant> notBefore, boolean sentCopy) {
    }

    /** A group of messages in one statement (multi-row INSERTs), in the caller's transaction. */
    void insertAll(List<Entry> entries, Duration retryFor) {
        template.batchUpdate("INSERT INTO outbox (message_id, org_id, envelope_from, pending_rcpts, mime, status, "
                        + "next_attempt_at, give_up_at, sent_copy) VALUES (?, ?, ?, ?, ?, 'queued', GREATEST(now(), ?), "
                        + "GREATEST(now(), ?) + ?::interval, ?)",
                entries, 200, (ps, e) -> {
                    java.sql.Timestamp due = e.notBefore().map(java.sql.Timestamp::from).orElse(null);
                    ps.setObject(1, e.messageId());
                    ps.setLong(2, e.orgId());
                    ps.setString(3, e.envelopeFrom());
                    ps.setArray(4, ps.getConnection().createArrayOf("text", e.recipients().toArray(String[]::new)));
                    ps.setBytes(5, e.mime());
                    ps.setTimestamp(6, due);
                    ps.setTimestamp(7, due);
                    ps.setString(8, retryFor.toSeconds() + " seconds");
                    ps.setString(9, e.sentCopy() ? "none" : "skip");
                });
    }

    /**
     * Takes a message out of the outbox if no worker has touched it yet (the undo window, a scheduled send). A worker
     * that claimed it first holds the row or has moved it on from 'queued', so the two never both happen.
     */
    boolean cancel(long orgId, UUID messageId) {
        return jdbc.sql("DELETE FROM outbox WHERE message_id = ? AND org_id = ? AND status = 'queued' AND attempts = 0")
                .params(messageId, orgId).update() == 1;
    }

    /**
     * Claims up to {@code limit} due messages for this instance: queued ones whose time has come, and ones left in
     * 'sending' by an instance that died or whose lease ran out. Called outside any transaction: the claim is one
     * statement, its own transaction.
     *
     * <p>The claim commits asynchronously (no WAL flush of its own): a claim lost in a database crash only returns
     * the message to the queue, and the synchronous commit that records an attempt's outcome flushes the claim
     * with it. The statement sets that for its own transaction ({@link #claimSql}), so a claim is one round trip
     * instead of three (BEGIN with a SET LOCAL, the claim, COMMIT).
     */
    List<Claim> claim(String instanceId, int limit, Duration lease) {
        return jdbc.sql(claims.computeIfAbsent(limit, Outbox::claimSql)).params(instanceId, lease.toSeconds() + " seconds")
                .query((rs, n) -> new Claim(rs.getObject(1, UUID.class), rs.getLong(2), rs.getString(3),
                        List.of((String[]) rs.getArray(4).getArray()), rs.getInt(5),
                        rs.getObject(6, OffsetDateTime.class), rs.getObject(7, OffsetDateTime.class), Instant.now(),
                        rs.getBytes(8)))
                .list();
    }

    /**
     * The claim: mail left in 'sending' by a dead instance or an expired lease first, then queued mail whose time has
     * come, each in the order of its time. Two arms, each read through the index on (status, next_attempt_at)
     * (migration 46), so a claim reads the due rows and the few in 'sending', never the mail waiting for later (a
     * scheduled statement run, thousands deferred while the mail server is down): as one condition with an OR, every
     * claim read every waiting row. The outer limit pulls from the arms in turn, so the second is read (and its rows
     * locked) only for what the first did not fill.
     */
    static String claimSql(int limit) {
        // The limit is written into the text, not bound: with it bound, PostgreSQL's generic plan guesses a tenth of
        // the due rows, which a burst makes dearer than a plan for the actual limit, so every claim was planned
        // afresh (1,448 plans in 2,348 claims, pg_stat_statements). One worker setting, one text: planned once per
        // connection. A locking clause may not stand in an arm of a UNION itself, hence each arm's own subquery.
        return "UPDATE outbox o SET status = 'sending', attempts = o.attempts + 1, claimed_by = ?, "
                + "lease_until = now() + ?::interval FROM ("
                + "SELECT message_id FROM (SELECT message_id FROM outbox WHERE status = 'sending' AND "
                + "(lease_until < now() OR " + Instance.CLAIM_ORPHANED + ") "
                + "ORDER BY next_attempt_at LIMIT " + limit + " FOR UPDATE SKIP LOCKED) orphaned "
                + "UNION ALL SELECT message_id FROM (SELECT message_id FROM outbox WHERE status = 'queued' AND "
                + "next_attempt_at <= now() ORDER BY next_attempt_at LIMIT " + limit + " FOR UPDATE SKIP LOCKED) queued "
                + "LIMIT " + limit + ") due "
                // synchronous_commit off for this statement's own transaction (set_config's third argument), set
                // for each claimed row: a claim of nothing writes nothing and has no commit to flush.
                + "WHERE o.message_id = due.message_id "
                + "AND set_config('synchronous_commit', 'off', true) IS NOT NULL "
                + "RETURNING o.message_id, o.org_id, o.envelope_from, "
                + "o.pending_rcpts, o.attempts, o.give_up_at, o.created_at, "
                + "CASE WHEN octet_length(o.mime) <= " + CLAIMED_WITH_BYTES + " THEN o.mime END";
    }

    /**
     * Gives back claims this instance will not send (it is stopping): queued again as if never claimed, so the next
     * instance, or this one after a restart, sends them at once rather than after the lease.
     */
    void release(String instanceId, List<UUID> messageIds) {
        if (!messageIds.isEmpty()) {
            jdbc.sql("UPDATE outbox SET status = 'queued', attempts = attempts - 1, claimed_by = NULL, "
                            + "lease_until = NULL WHERE message_id = ANY(?) AND claimed_by = ? AND status = 'sending'")
                    .params(messageIds.toArray(UUID[]::new), instanceId).update();
        }
    }

    /** Extends the lease if this instance still holds the claim; false means another instance took it over. */
    boolean stillOurs(UUID messageId, String instanceId, Duration lease) {
        return jdbc.sql("UPDATE outbox SET lease_until = now() + ?::interval WHERE message_id = ? AND claimed_by = ? "
                        + "AND status = 'sending'")
                .params(lease.toSeconds() + " seconds", messageId, instanceId).update() == 1;
    }

    Optional<byte[]> mime(UUID messageId) {
        return jdbc.sql("SELECT mime FROM outbox WHERE message_id = ?").param(messageId).query(byte[].class)
                .optional();
    }

    /** One SMTP attempt as recorded, with the server's reply. */
    record AttemptRecord(int attemptNo, Instant startedAt, String outcome, Integer smtpCode, String smtpReply,
                         String recipientsJson, String worker) {
    }

    private static final String INSERT_ATTEMPT = "WITH attempt AS (INSERT INTO delivery_attempt (message_id, "
            + "attempt_no, started_at, finished_at, outcome, smtp_code, smtp_reply, recipients, worker) "
            + "VALUES (?, ?, ?, now(), ?, ?, ?, ?::jsonb, ?)) ";

    private static Object[] attemptParams(UUID messageId, AttemptRecord a) {
        return new Object[] {messageId, a.attemptNo(), OffsetDateTime.ofInstant(a.startedAt(), ZoneOffset.UTC),
                a.outcome(), a.smtpCode(), a.smtpReply(), a.recipientsJson(), a.worker()};
    }

    /** A final outcome: nothing is left to send. {@code sentCopy}: whether a copy goes to the IMAP Sent folder. */
    record Finished(UUID messageId, AttemptRecord attempt, String status, List<String> accepted, List<String> failed,
                    String lastError, boolean sentCopy) {
    }

    /** {@link #finishAll}'s statement, put together once (it was concatenated for every group of replies). */
    private static final String FINISH_ALL = "WITH v AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS v(id uuid, attempt_no int, "
            + "started_at timestamptz, outcome text, smtp_code int, smtp_reply text, recipients jsonb, "
            + "worker text, status text, accepted text[], failed text[], last_error text, sent_copy boolean)), "
            + "attempt AS (INSERT INTO delivery_attempt (message_id, attempt_no, started_at, finished_at, "
            + "outcome, smtp_code, smtp_reply, recipients, worker) SELECT id, attempt_no, started_at, now(), "
            + "outcome, smtp_code, smtp_reply, recipients, worker FROM v), "
            + MessageStates.deliveryOutcomes("message", "v")
            + " UPDATE outbox o SET status = v.status, pending_rcpts = '{}', "
            + "accepted_rcpts = o.accepted_rcpts || v.accepted, failed_rcpts = o.failed_rcpts || v.failed, "
            + "last_error = v.last_error, lease_until = NULL, claimed_by = NULL, "
            + "sent_at = CASE WHEN v.status = 'sent' THEN now() ELSE o.sent_at END, "
            + "sent_copy = CASE WHEN o.sent_copy = 'skip' THEN 'skip' WHEN v.sent_copy THEN 'pending' "
            + "ELSE 'none' END FROM v WHERE o.message_id = v.id AND o.message_id = ANY(ARRAY(SELECT id FROM v))";

    /**
     * Records final outcomes in one statement for all of them: each attempt, its outbox row and its message's status
     * (the rows travel as one JSON parameter), one round trip for a group of server replies.
     */
    void finishAll(List<Finished> outcomes) {
        if (outcomes.isEmpty()) {
            return;
        }
        // The rows written straight as JSON text, the attempt's recipients (already JSON) as they are: a map per row
        // through the object mapper, with the recipients parsed back into a tree first, was a sixth of a delivery
        // thread's CPU.
        StringBuilder rows = new StringBuilder(512 * outcomes.size()).append('[');
        for (Finished f : outcomes) {
            AttemptRecord a = f.attempt();
            if (rows.length() > 1) {
                rows.append(',');
            }
            rows.append("{\"id\":\"").append(f.messageId()).append('"');
            rows.append(",\"attempt_no\":").append(a.attemptNo());
            rows.append(",\"started_at\":\"").append(a.startedAt()).append('"');
            Json.string(rows.append(",\"outcome\":"), a.outcome());
            rows.append(",\"smtp_code\":").append(a.smtpCode() == null ? "null" : a.smtpCode().toString());
            Json.string(rows.append(",\"smtp_reply\":"), a.smtpReply());
            rows.append(",\"recipients\":").append(a.recipientsJson());
            Json.string(rows.append(",\"worker\":"), a.worker());
            Json.string(rows.append(",\"status\":"), f.status());
            Json.strings(rows.append(",\"accepted\":"), f.accepted());
            Json.strings(rows.append(",\"failed\":"), f.failed());
            Json.string(rows.append(",\"last_error\":"), f.lastError());
            rows.append(",\"sent_copy\":").append(f.sentCopy()).append('}');
        }
        rows.append(']');
        jdbc.sql(FINISH_ALL)
                .param(rows.toString())
                .update();
    }

    /** Some or all recipients must be tried again later. */
    void defer(UUID messageId, AttemptRecord attempt, List<String> pending, List<String> accepted,
               List<String> failed, Duration delay, String lastError) {
        jdbc.sql(INSERT_ATTEMPT + "UPDATE outbox SET status = 'queued', pending_rcpts = ?, "
                        + "accepted_rcpts = accepted_rcpts || ?, failed_rcpts = failed_rcpts || ?, last_error = ?, "
                        + "lease_until = NULL, claimed_by = NULL, next_attempt_at = now() + ?::interval "
                        + "WHERE message_id = ?")
                .params(concat(attemptParams(messageId, attempt), pending.toArray(String[]::new),
                        accepted.toArray(String[]::new), failed.toArray(String[]::new), lastError,
                        delay.toMillis() + " milliseconds", messageId))
                .update();
    }

    private static Object[] concat(Object[] first, Object... rest) {
        Object[] all = java.util.Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    /** What the server last said to each recipient an earlier attempt failed for good ("addr: reply; ..."). */
    Optional<String> earlierRefusals(UUID messageId) {
        return jdbc.sql("SELECT string_agg(address || ': ' || reply, '; ' ORDER BY address) FROM (SELECT DISTINCT ON "
                        + "(r ->> 'address') r ->> 'address' AS address, r ->> 'reply' AS reply FROM outbox o "
                        + "JOIN delivery_attempt d ON d.message_id = o.message_id, jsonb_array_elements(d.recipients) r "
                        + "WHERE o.message_id = ? AND r ->> 'address' = ANY(o.failed_rcpts) "
                        + "ORDER BY r ->> 'address', d.attempt_no DESC) last")
                .param(messageId).query(String.class).optional();
    }

    boolean anyAccepted(UUID messageId) {
        return jdbc.sql("SELECT cardinality(accepted_rcpts) > 0 FROM outbox WHERE message_id = ?").param(messageId)
                .query(Boolean.class).single();
    }

    public Optional<Status> status(long orgId, UUID messageId) {
        return jdbc.sql("SELECT message_id, status, attempts, created_at, next_attempt_at, sent_at, last_error, "
                        + "accepted_rcpts, failed_rcpts, pending_rcpts FROM outbox WHERE message_id = ? AND org_id = ?")
                .params(messageId, orgId).query(Outbox::status).optional();
    }

    public List<Attempt> attempts(UUID messageId) {
        return jdbc.sql("SELECT attempt_no, started_at, finished_at, outcome, smtp_code, smtp_reply, "
                        + "recipients::text FROM delivery_attempt WHERE message_id = ? ORDER BY id")
                .param(messageId)
                .query((rs, n) -> new Attempt(rs.getInt(1), rs.getObject(2, OffsetDateTime.class),
                        rs.getObject(3, OffsetDateTime.class), rs.getString(4), (Integer) rs.getObject(5),
                        rs.getString(6), json.readTree(rs.getString(7))))
                .list();
    }

    long depth() {
        return jdbc.sql("SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')").query(Long.class)
                .single();
    }

    private static Status status(ResultSet rs, int row) throws SQLException {
        return new Status(rs.getObject(1, UUID.class), rs.getString(2), rs.getInt(3),
                rs.getObject(4, OffsetDateTime.class), rs.getObject(5, OffsetDateTime.class),
                rs.getObject(6, OffsetDateTime.class), rs.getString(7),
                List.of((String[]) rs.getArray(8).getArray()), List.of((String[]) rs.getArray(9).getArray()),
                List.of((String[]) rs.getArray(10).getArray()));
    }
}
