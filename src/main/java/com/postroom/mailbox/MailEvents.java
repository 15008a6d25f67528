package com.postroom.mailbox;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import com.postroom.org.Caller;
import com.postroom.web.WebPage;

/**
 * New mail without a reload: {@code GET /mail/events} is a Server-Sent Events stream per signed-in page. Every
 * second the newest message time of each organization with open streams is read from the database (one index probe
 * each), so mail stored by any instance, from IDLE, a poll or a send, is announced within about a second. Streams
 * are closed before the web server's graceful shutdown, so they never hold it up.
 */
@WebPage
class MailEvents implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MailEvents.class);
    static final Duration TICK = Duration.ofSeconds(1);
    static final Duration HEARTBEAT = Duration.ofSeconds(25);
    static final Duration STREAM_LIFETIME = Duration.ofMinutes(30);

    private final JdbcClient jdbc;
    private final Map<Long, Set<SseEmitter>> streams = new ConcurrentHashMap<>();
    /** What each stream's page already shows: mail up to this time. */
    private final Map<SseEmitter, OffsetDateTime> shown = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;
    private long ticks;

    MailEvents(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The newest message time of an organization, in milliseconds: pages render it, streams start from it. */
    long newest(long orgId) {
        return newestOf(orgId).toInstant().toEpochMilli();
    }

    @GetMapping(value = "/mail/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@org.springframework.web.bind.annotation.RequestParam(defaultValue = "0") long since) {
        long orgId = Caller.current().orgId();
        SseEmitter emitter = new SseEmitter(STREAM_LIFETIME.toMillis()); // the browser reconnects by itself
        Set<SseEmitter> set = streams.computeIfAbsent(orgId, k -> new CopyOnWriteArraySet<>());
        set.add(emitter);
        shown.put(emitter, java.time.Instant.ofEpochMilli(since).atOffset(java.time.ZoneOffset.UTC));
        Runnable remove = () -> {
            set.remove(emitter);
            shown.remove(emitter);
        };
        emitter.onCompletion(remove);
        // Completed here: left open, the end of its lifetime raised AsyncRequestTimeoutException, which the error
        // handler logged as an error and then failed to render as a page on an event stream (two stack traces).
        emitter.onTimeout(() -> {
            remove.run();
            emitter.complete();
        });
        emitter.onError(e -> remove.run());
        try {
            // Sent at once, so the response (and the browser's "open") does not wait for the first mail.
            emitter.send(SseEmitter.event().comment("connected").reconnectTime(3000));
        } catch (IOException e) {
            set.remove(emitter);
        }
        return emitter;
    }

    private OffsetDateTime newestOf(long orgId) {
        return jdbc.sql("SELECT coalesce(max(created_at), 'epoch') FROM email_message WHERE org_id = ?").param(orgId)
                .query((rs, n) -> rs.getObject(1, OffsetDateTime.class)).single();
    }

    void tick() {
        ticks++;
        boolean heartbeat = ticks % HEARTBEAT.toSeconds() == 0;
        for (Map.Entry<Long, Set<SseEmitter>> e : streams.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            try {
                OffsetDateTime now = newestOf(e.getKey());
                for (SseEmitter emitter : e.getValue()) {
                    OffsetDateTime seen = shown.get(emitter);
                    if (seen != null && now.isAfter(seen)) {
                        shown.put(emitter, now);
                        send(e.getValue(), emitter, SseEmitter.event().name("mail")
                                .data("{\"newest\":" + now.toInstant().toEpochMilli() + "}"));
                    } else if (heartbeat) {
                        send(e.getValue(), emitter, SseEmitter.event().comment("keep-alive"));
                    }
                }
            } catch (RuntimeException ex) {
                log.debug("Mail events check failed; tried again next second", ex);
            }
        }
    }

    private void send(Set<SseEmitter> emitters, SseEmitter emitter, SseEmitter.SseEventBuilder event) {
        try {
            emitter.send(event);
        } catch (IOException | IllegalStateException gone) {
            emitters.remove(emitter);
            shown.remove(emitter);
        }
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mail-events");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
        streams.values().forEach(set -> set.forEach(SseEmitter::complete));
        streams.clear();
        shown.clear();
    }

    @Override
    public boolean isRunning() {
        return timer != null && !timer.isShutdown();
    }
}
