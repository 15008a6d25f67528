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
 * second the newest message time and the number of messages of each organization with open streams are read from the
 * database (an index probe and the kept counts), so mail stored by any instance, from IDLE, a poll or a send, is
 * announced within about a second. Streams are closed before the web server's graceful shutdown, so they never hold
 * it up.
 */
@WebPage
class MailEvents implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MailEvents.class);
    static final Duration TICK = Duration.ofSeconds(1);
    static final Duration HEARTBEAT = Duration.ofSeconds(25);
    static final Duration STREAM_LIFETIME = Duration.ofMinutes(30);

    private final JdbcClient jdbc;
    private final Map<Long, Set<SseEmitter>> streams = new ConcurrentHashMap<>();
    /** What each stream's page already shows. */
    private final Map<SseEmitter, Mail> shown = new ConcurrentHashMap<>();

    /**
     * An organization's mail as a page saw it: the newest message's time, and how many messages there were (-1: not
     * known yet). The time alone missed mail: a message's time is its Date or the server's arrival time, in whole
     * seconds, so a second message within the same second as the first (or one dated earlier) was never announced.
     */
    record Mail(OffsetDateTime newest, long messages) {

        /** Whether {@code now} has mail this does not: newer, or more of it. */
        boolean isOlderThan(Mail now) {
            return now.newest.isAfter(newest) || (messages >= 0 && now.messages > messages);
        }
    }

    private ScheduledExecutorService timer;
    private long ticks;

    MailEvents(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The organization's mail as a page rendered now shows it, as the page's {@code data-live} carries it to its
     * stream: {@code <newest message time in milliseconds>.<number of messages>}.
     */
    String shownBy(long orgId) {
        Mail mail = mailOf(orgId);
        return mail.newest().toInstant().toEpochMilli() + "." + mail.messages();
    }

    /** A page's {@code data-live} read back; a time alone (a page from before the count) or nothing is accepted. */
    static Mail parse(String since) {
        String[] parts = since.split("\\.", 2);
        long millis = 0;
        long messages = -1;
        try {
            millis = Long.parseLong(parts[0]);
            if (parts.length == 2) {
                messages = Long.parseLong(parts[1]);
            }
        } catch (NumberFormatException e) {
            // announced from the first tick on, as for a page that never saw any mail
        }
        return new Mail(java.time.Instant.ofEpochMilli(millis).atOffset(java.time.ZoneOffset.UTC), messages);
    }

    @GetMapping(value = "/mail/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@org.springframework.web.bind.annotation.RequestParam(defaultValue = "0") String since) {
        long orgId = Caller.current().orgId();
        SseEmitter emitter = new SseEmitter(STREAM_LIFETIME.toMillis()); // the browser reconnects by itself
        Set<SseEmitter> set = watch(orgId, emitter, parse(since));
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

    /**
     * Announces to {@code emitter} the organization's mail that {@code page} does not show, from now on; answers the
     * organization's streams, which it is now one of.
     */
    Set<SseEmitter> watch(long orgId, SseEmitter emitter, Mail page) {
        shown.put(emitter, page);
        Set<SseEmitter> set = streams.computeIfAbsent(orgId, k -> new CopyOnWriteArraySet<>());
        set.add(emitter);
        return set;
    }

    /** The organization's mail now: its newest message's time, and its number of messages (the kept counts). */
    private Mail mailOf(long orgId) {
        return jdbc.sql("SELECT (SELECT coalesce(max(created_at), 'epoch') FROM email_message WHERE org_id = ?), "
                        + "(SELECT coalesce(sum(n), 0) FROM mail_count WHERE org_id = ? AND mailbox_id = 0 "
                        + "AND label_id = 0)")
                .params(orgId, orgId)
                .query((rs, n) -> new Mail(rs.getObject(1, OffsetDateTime.class), rs.getLong(2))).single();
    }

    void tick() {
        ticks++;
        boolean heartbeat = ticks % HEARTBEAT.toSeconds() == 0;
        for (Map.Entry<Long, Set<SseEmitter>> e : streams.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            try {
                Mail now = mailOf(e.getKey());
                for (SseEmitter emitter : e.getValue()) {
                    Mail seen = shown.get(emitter);
                    if (seen == null) {
                        continue;
                    }
                    if (seen.isOlderThan(now)) {
                        shown.put(emitter, now);
                        send(e.getValue(), emitter, SseEmitter.event().name("mail")
                                .data("{\"newest\":" + now.newest().toInstant().toEpochMilli() + "}"));
                        continue;
                    }
                    if (seen.messages() != now.messages()) {
                        // Fewer (deleted, or counted for the first time): the next arrival is counted from here.
                        shown.put(emitter, new Mail(seen.newest(), now.messages()));
                    }
                    if (heartbeat) {
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
