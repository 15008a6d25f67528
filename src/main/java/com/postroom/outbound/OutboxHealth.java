package com.postroom.outbound;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.postroom.config.PostroomSettings;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Whether mail is leaving: the health component {@code outbound} (DOWN when a message has waited longer than
 * OUTBOX_STALE_AFTER, or when the submission server refuses the connection or the login), the dashboard's outbox
 * tile, and the gauge {@code postroom_outbox_oldest_queued_seconds}. A message waiting is normal for seconds and
 * acceptable for minutes (retries with backoff); one that has waited a quarter of an hour means mail has stopped.
 */
@Component("outboundHealthIndicator")
public class OutboxHealth implements HealthIndicator {

    /** Due now or tried already: a message scheduled for later is not waiting yet. */
    private static final String WAITING = "status IN ('queued', 'sending') AND (attempts > 0 OR next_attempt_at <= now())";
    /** Seconds since it became due: since it was accepted, or since its scheduled time if it was never tried. */
    private static final String WAITED = "extract(epoch FROM now() - CASE WHEN attempts = 0 THEN next_attempt_at "
            + "ELSE created_at END)";

    private final JdbcClient jdbc;
    private final HealthIndicator smtp;
    private final Duration staleAfter;

    OutboxHealth(JdbcClient jdbc, @Qualifier("smtpHealthIndicator") HealthIndicator smtp, PostroomSettings settings,
                 MeterRegistry meters) {
        this.jdbc = jdbc;
        this.smtp = smtp;
        this.staleAfter = settings.outbound().staleAfter();
        Gauge.builder("postroom_outbox_oldest_queued_seconds",
                        new com.postroom.config.CachedGauge(this::oldestQueuedSeconds),
                        com.postroom.config.CachedGauge::getAsDouble).strongReference(true)
                .description("Age of the oldest message waiting in the outbox").baseUnit("seconds").register(meters);
    }

    /**
     * The outbox of one organization (or of all when orgId is null): messages waiting, of which deferred (tried and
     * refused for now), the oldest one's age, and the submission server's state as the smtp health check saw it.
     */
    public record State(long queued, long deferred, long oldestQueuedSeconds, String smtpStatus, String smtpError,
                        boolean stale) {
        public boolean ok() {
            return !stale && !"DOWN".equals(smtpStatus);
        }
    }

    public State state(Long orgId) {
        long[] row = jdbc.sql("SELECT count(*), count(*) FILTER (WHERE attempts > 0), coalesce(max(" + WAITED
                        + "), 0)::bigint FROM outbox WHERE " + WAITING + " AND (?::bigint IS NULL OR org_id = ?)")
                .params(orgId, orgId).query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)})
                .single();
        Health server = smtp.health();
        Object error = server.getDetails().get("error");
        return new State(row[0], row[1], row[2], server.getStatus().getCode(), error == null ? null : error.toString(),
                row[2] > staleAfter.toSeconds());
    }

    private double oldestQueuedSeconds() {
        return jdbc.sql("SELECT coalesce(max(" + WAITED + "), 0) FROM outbox WHERE " + WAITING)
                .query(Double.class).single();
    }

    @Override
    public Health health() {
        State s = state(null);
        Health.Builder health = s.ok() ? Health.up() : Health.down();
        health.withDetail("queued", s.queued()).withDetail("deferred", s.deferred())
                .withDetail("oldest_queued_seconds", s.oldestQueuedSeconds())
                .withDetail("stale_after_seconds", staleAfter.toSeconds())
                .withDetail("smtp", s.smtpStatus());
        if (s.smtpError() != null) {
            health.withDetail("smtp_error", s.smtpError());
        }
        return health.build();
    }

}
