package com.postroom.postmarkapi;

import java.time.OffsetDateTime;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Webhook events that have not reached their handler, for the settings page: the ones given up on and the ones still
 * being retried after an error, newest first; and sending one again.
 */
@Repository
public class WebhookStatus {

    /** An event that has not arrived: where it was going (host only), how often tried, the last error. */
    public record Problem(long id, String recordType, String host, String status, int attempts, String lastError,
                          OffsetDateTime createdAt, OffsetDateTime nextAttemptAt) {
    }

    private final JdbcClient jdbc;

    WebhookStatus(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public List<Problem> problems(long orgId, int limit) {
        return jdbc.sql("SELECT d.id, d.record_type AS recordType, "
                        + "substring(w.url from '^[a-z]+://([^/:?#]+)') AS host, d.status, "
                        + "d.attempts, d.last_error AS lastError, d.created_at AS createdAt, d.next_attempt_at AS nextAttemptAt "
                        + "FROM webhook_delivery d "
                        + "JOIN postmark_webhook w ON w.id = d.webhook_id WHERE d.org_id = ? "
                        + "AND (d.status = 'failed' OR (d.status = 'pending' AND d.attempts > 0)) "
                        + "ORDER BY d.created_at DESC LIMIT ?")
                .params(orgId, limit).query(Problem.class).list();
    }

    /** Tries a failed event again from the start; false when it is not a failed event of the organization. */
    public boolean retry(long orgId, long id) {
        return jdbc.sql("UPDATE webhook_delivery SET status = 'pending', attempts = 0, next_attempt_at = now() "
                + "WHERE id = ? AND org_id = ? AND status = 'failed'").params(id, orgId).update() > 0;
    }
}
