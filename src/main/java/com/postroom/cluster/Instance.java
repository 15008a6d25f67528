package com.postroom.cluster;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.UUID;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;

/**
 * This running Postroom, as other instances on the same database see it: an id and a heartbeat. Work claimed by an
 * instance whose heartbeat is older than {@link #DEAD_AFTER} is free to take over.
 */
@Component
public class Instance {

    public static final Duration HEARTBEAT = Duration.ofSeconds(5);
    public static final Duration DEAD_AFTER = Duration.ofSeconds(20);
    /** SQL condition: the claim in column {@code claimed_by} belongs to no live instance. */
    public static final String CLAIM_ORPHANED = "claimed_by IS NULL OR claimed_by NOT IN (SELECT id FROM "
            + "postroom_instance WHERE heartbeat_at > now() - interval '" + DEAD_AFTER.toSeconds() + " seconds')";

    private static final Logger log = LoggerFactory.getLogger(Instance.class);
    private final ScheduledExecutorService heart = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "postroom-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private final String id;
    private final JdbcClient jdbc;

    Instance(JdbcClient jdbc) {
        this.jdbc = jdbc;
        String host = ManagementFactory.getRuntimeMXBean().getName();
        this.id = host + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String id() {
        return id;
    }

    @PostConstruct
    void register() {
        jdbc.sql("INSERT INTO postroom_instance (id) VALUES (?)").param(id).update();
        // Its own thread: a heartbeat stuck behind a slow scheduled job would let another instance take over
        // work this one is still doing.
        heart.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    void heartbeat() {
        try {
            jdbc.sql("UPDATE postroom_instance SET heartbeat_at = now() WHERE id = ?").param(id).update();
            jdbc.sql("DELETE FROM postroom_instance WHERE heartbeat_at < now() - interval '1 day'").update();
        } catch (RuntimeException e) {
            log.warn("Heartbeat failed: {}", e.getMessage());
        }
    }

    /**
     * Best effort, and two seconds at most: at JVM exit the embedded database's own shutdown hook may already have
     * stopped it, and waiting for a connection would hold the exit for the pool's 30 s timeout. An instance that is
     * not removed here simply stops its heartbeat, which other instances treat the same way.
     */
    @PreDestroy
    void deregister() {
        heart.shutdownNow();
        Thread t = new Thread(() -> {
            try {
                jdbc.sql("DELETE FROM postroom_instance WHERE id = ?").param(id).update();
            } catch (RuntimeException ignored) {
                // The database is gone already.
            }
        }, "postroom-deregister");
        t.setDaemon(true);
        t.start();
        try {
            t.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
