package com.postroom.deliverability;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.postroom.config.PostroomSettings;
import com.postroom.mail.MailEndpoints;

/**
 * Runs the doctor for every organization's domain every DOCTOR_INTERVAL (default daily; the first run a minute after
 * start). The due time lives in the database and is claimed with one UPDATE, so with several instances each run
 * happens once. Off in sandbox mode (its .test domain has no DNS) unless DOCTOR_INTERVAL is set.
 */
@Component
class DoctorSchedule implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DoctorSchedule.class);
    static final Duration FIRST_RUN_AFTER = Duration.ofMinutes(1);

    private final Deliverability deliverability;
    private final JdbcClient jdbc;
    private final MailEndpoints endpoints;
    private final Duration interval;
    private final boolean enabled;
    private ScheduledExecutorService timer;

    DoctorSchedule(Deliverability deliverability, JdbcClient jdbc, MailEndpoints endpoints, PostroomSettings settings,
                   Environment environment) {
        this.deliverability = deliverability;
        this.jdbc = jdbc;
        this.endpoints = endpoints;
        this.interval = settings.deliverability().interval().orElse(Duration.ZERO);
        boolean explicit = environment.getProperty("DOCTOR_INTERVAL") != null;
        this.enabled = settings.runsBackgroundWork()
                && settings.deliverability().interval().isPresent() && (!settings.sandbox() || explicit);
    }

    @Override
    public void start() {
        if (!enabled) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "doctor-schedule");
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(1, Math.min(30, interval.toSeconds()));
        timer.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.SECONDS);
    }

    void tick() {
        try {
            Duration first = interval.compareTo(FIRST_RUN_AFTER) < 0 ? interval : FIRST_RUN_AFTER;
            jdbc.sql("INSERT INTO deliverability_schedule (org_id, next_run_at) SELECT id, now() + ? * interval "
                    + "'1 millisecond' FROM organization ON CONFLICT DO NOTHING").param(first.toMillis()).update();
            List<Object[]> due = jdbc.sql("UPDATE deliverability_schedule s SET next_run_at = now() + ? * interval "
                            + "'1 millisecond' FROM organization o WHERE o.id = s.org_id AND s.next_run_at <= now() "
                            + "RETURNING o.id, o.email_domain").param(interval.toMillis())
                    .query((rs, n) -> new Object[] {rs.getLong(1), rs.getString(2)}).list();
            for (Object[] org : due) {
                long orgId = (Long) org[0];
                String domain = (String) org[1];
                Deliverability.Run run = deliverability.run(orgId, domain, endpoints.imap().isPresent(), "schedule");
                log.info("Doctor checked {}: {} ({} problems, {} newly alerted)", domain, run.report().status(),
                        run.report().problems().size(), run.alerted().size());
            }
            deliverability.refreshMetrics();
        } catch (RuntimeException e) {
            log.warn("The scheduled doctor run failed; it is tried again at the next tick", e);
        }
    }

    @Override
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return timer != null && !timer.isShutdown();
    }
}
