package com.postroom.inbound;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import com.postroom.config.PostroomSettings;
import com.postroom.outbound.FounderAlerts;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

/**
 * How each synced folder is doing, kept in its mailbox_folder row so that every instance (and the API, the dashboard
 * and the settings page) tells the same story: the last successful sync, and since when and how often it has failed
 * since. It is the health component {@code inbound} (DOWN when an enabled folder has not synced for IMAP_STALE_AFTER
 * and is not syncing now), the gauge {@code postroom_inbound_seconds_since_sync}, and the founder's alerts: one mail
 * when a folder has been failing for {@link #ALERT_AFTER}, one when it syncs again.
 */
@Component("inboundHealthIndicator")
public class SyncHealth implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(SyncHealth.class);
    /** A reconnect that works on the next try is not worth a mail; a minute of failures is. */
    static final Duration ALERT_AFTER = Duration.ofMinutes(1);

    private final JdbcClient jdbc;
    private final FounderAlerts alerts;
    private final Duration staleAfter;
    private final MultiGauge sinceSync;
    private final boolean alerting;

    SyncHealth(JdbcClient jdbc, FounderAlerts alerts, PostroomSettings settings, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.alerts = alerts;
        this.staleAfter = settings.inbound().staleAfter();
        this.alerting = settings.runsBackgroundWork();
        this.sinceSync = MultiGauge.builder("postroom_inbound_seconds_since_sync")
                .description("Seconds since the folder's last successful sync").baseUnit("seconds")
                .register(meters);
    }

    /** One folder's state, as the API and the pages show it. */
    public record FolderHealth(long mailboxId, String mailbox, String folder, OffsetDateTime lastSyncAt,
                               OffsetDateTime failingSince, int failures, String lastError,
                               OffsetDateTime lastErrorAt, boolean syncing, String status) {
        public boolean ok() {
            return status.equals("ok");
        }
    }

    void succeeded(long mailboxId, String folder) {
        jdbc.sql("UPDATE mailbox_folder SET last_sync_at = now(), failing_since = NULL, failures = 0, "
                + "last_error = NULL WHERE mailbox_id = ? AND folder = ?").params(mailboxId, folder).update();
    }

    /** Recorded on a best-effort basis: when the database is what failed, the watcher's log says so. */
    void failed(long mailboxId, String folder, String error) {
        try {
            jdbc.sql("INSERT INTO mailbox_folder (mailbox_id, folder) VALUES (?, ?) ON CONFLICT DO NOTHING")
                    .params(mailboxId, folder).update();
            jdbc.sql("UPDATE mailbox_folder SET failing_since = coalesce(failing_since, now()), failures = failures + 1, "
                    + "last_error = ?, last_error_at = now() WHERE mailbox_id = ? AND folder = ?")
                    .params(error, mailboxId, folder).update();
        } catch (RuntimeException e) {
            log.debug("Sync failure of mailbox {} ({}) not recorded", mailboxId, folder, e);
        }
    }

    /** Every enabled mailbox's folders, of one organization or (orgId null) of all. */
    public List<FolderHealth> folders(Long orgId) {
        return jdbc.sql("SELECT b.id, b.username || '@' || b.host AS mailbox, f.folder, f.last_sync_at, "
                        + "f.failing_since, coalesce(f.failures, 0), f.last_error, f.last_error_at, "
                        + "coalesce(f.lease_until > now(), false), coalesce(f.last_sync_at, b.created_at) "
                        + "< now() - make_interval(secs => ?) AS stale "
                        + "FROM mailbox b CROSS JOIN LATERAL unnest(b.folders) AS n (folder) "
                        + "LEFT JOIN mailbox_folder f ON f.mailbox_id = b.id AND f.folder = n.folder "
                        + "WHERE b.enabled AND (?::bigint IS NULL OR b.org_id = ?) ORDER BY b.id, n.folder")
                .params(staleAfter.toSeconds(), orgId, orgId)
                .query((rs, n) -> {
                    boolean syncing = rs.getBoolean(9);
                    boolean stale = rs.getBoolean(10) && !syncing;
                    OffsetDateTime failingSince = rs.getObject(5, OffsetDateTime.class);
                    return new FolderHealth(rs.getLong(1), rs.getString(2), rs.getString(3),
                            rs.getObject(4, OffsetDateTime.class), failingSince, rs.getInt(6), rs.getString(7),
                            rs.getObject(8, OffsetDateTime.class), syncing,
                            stale ? "stale" : failingSince != null ? "failing" : "ok");
                })
                .list();
    }

    @Override
    public Health health() {
        List<FolderHealth> folders = folders(null);
        boolean stale = folders.stream().anyMatch(f -> f.status().equals("stale"));
        Health.Builder health = stale ? Health.down() : Health.up();
        health.withDetail("stale_after_seconds", staleAfter.toSeconds());
        for (FolderHealth f : folders) {
            health.withDetail(f.mailbox() + " " + f.folder(), Map.of("status", f.status(),
                    "last_sync_at", String.valueOf(f.lastSyncAt()), "failures", f.failures(),
                    "last_error", f.lastError() == null ? "" : f.lastError()));
        }
        return health.build();
    }

    /** The gauge, and the founder's alerts: claimed with one UPDATE each, so with several instances each is sent once. */
    @Scheduled(fixedDelayString = "PT15S", initialDelayString = "PT15S")
    void watch() {
        try {
            List<FolderHealth> folders = folders(null);
            sinceSync.register(folders.stream().filter(f -> f.lastSyncAt() != null)
                    .<MultiGauge.Row<?>>map(f -> MultiGauge.Row.of(Tags.of("mailbox", f.mailbox(), "folder", f.folder()),
                            Duration.between(f.lastSyncAt(), OffsetDateTime.now()).toMillis() / 1000.0))
                    .toList(), true);
            if (alerting) {
                alertFailing();
                alertRecovered();
            }
        } catch (RuntimeException e) {
            log.debug("Sync health not refreshed", e);
        }
    }

    private record Alert(long orgId, String what, OffsetDateTime since, int failures, String error) {
    }

    private void alertFailing() {
        List<Alert> failing = jdbc.sql("UPDATE mailbox_folder f SET alerted_at = now() FROM mailbox b "
                        + "WHERE b.id = f.mailbox_id AND b.enabled AND f.alerted_at IS NULL "
                        + "AND f.failing_since < now() - make_interval(secs => ?) RETURNING b.org_id, "
                        + "b.username || '@' || b.host || ' (' || f.folder || ')', f.failing_since, f.failures, "
                        + "f.last_error")
                .param(ALERT_AFTER.toSeconds())
                .query((rs, n) -> new Alert(rs.getLong(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class),
                        rs.getInt(4), rs.getString(5)))
                .list();
        for (Alert a : failing) {
            alerts.send(a.orgId(), "Postroom: mailbox " + a.what() + " is not syncing",
                    "Postroom cannot sync " + a.what() + " since " + a.since() + " (" + a.failures()
                            + " failed attempts). The last error:\n\n  " + a.error() + "\n\nNew mail in this mailbox "
                            + "does not reach Postroom until this is fixed; nothing already stored is affected. "
                            + "Postroom keeps trying and mails you once more when it syncs again.\n"
                            + "Details: Settings > Mailboxes, or GET /api/email/mailboxes.\n");
            log.warn("Mailbox {} has been failing to sync since {}; the founder was told", a.what(), a.since());
        }
    }

    private void alertRecovered() {
        List<Alert> recovered = jdbc.sql("UPDATE mailbox_folder f SET alerted_at = NULL FROM mailbox b "
                        + "WHERE b.id = f.mailbox_id AND f.alerted_at IS NOT NULL AND f.failing_since IS NULL "
                        + "RETURNING b.org_id, b.username || '@' || b.host || ' (' || f.folder || ')'")
                .query((rs, n) -> new Alert(rs.getLong(1), rs.getString(2), null, 0, null))
                .list();
        for (Alert a : recovered) {
            alerts.send(a.orgId(), "Postroom: mailbox " + a.what() + " syncs again",
                    "Postroom syncs " + a.what() + " again. Mail that arrived while it was failing is stored now; "
                            + "nothing was lost.\n");
            log.info("Mailbox {} syncs again; the founder was told", a.what());
        }
    }
}
