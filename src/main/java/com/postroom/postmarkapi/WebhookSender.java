package com.postroom.postmarkapi;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.postroom.config.PostroomSettings;

/**
 * Delivers webhook events to the platform's handlers, at least once: each event is a row that stays until a handler
 * answers 2xx; a failure is retried with backoff (OUTBOX_RETRY_BASE_DELAY doubled each time, at most an hour apart, 10
 * attempts, about 4.5 hours with the defaults); a 403 stops the retries, as at Postmark. Every call carries the event's
 * stable id ({@code X-Postroom-Event-Id}) so a handler can drop a repeat. Several instances share the work (rows
 * claimed with SKIP LOCKED); one thread each, since a handler's answer is what the time goes to.
 */
@Component
class WebhookSender implements SmartLifecycle {

    static final int MAX_ATTEMPTS = 10;
    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

    private final JdbcClient jdbc;
    private final WebhookEvents events;
    private final PostmarkWebhooks webhooks;
    private final boolean enabled;
    private final Duration base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private volatile boolean running;
    private Thread thread;

    WebhookSender(JdbcClient jdbc, WebhookEvents events, PostmarkWebhooks webhooks, PostroomSettings settings) {
        this.jdbc = jdbc;
        this.events = events;
        this.webhooks = webhooks;
        this.enabled = settings.backgroundWorkers();
        this.base = settings.outbound().retryBaseDelay();
    }

    private record Due(long id, UUID eventId, long webhookId, String payload, int attempts) {
    }

    /** One round: collect new events, deliver what is due; the number delivered. */
    int round() {
        events.collect();
        List<Due> due = jdbc.sql("UPDATE webhook_delivery SET next_attempt_at = now() + interval '2 minutes' "
                        + "WHERE id IN (SELECT id FROM webhook_delivery WHERE status = 'pending' "
                        + "AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT 20 FOR UPDATE SKIP LOCKED) "
                        + "RETURNING id, event_id, webhook_id, payload::text, attempts")
                .query((rs, n) -> new Due(rs.getLong(1), rs.getObject(2, UUID.class), rs.getLong(3), rs.getString(4),
                        rs.getInt(5)))
                .list();
        int delivered = 0;
        for (Due d : due) {
            delivered += deliver(d) ? 1 : 0;
        }
        return delivered;
    }

    private boolean deliver(Due d) {
        Optional<PostmarkWebhooks.Webhook> webhook = webhooks.find(d.webhookId());
        if (webhook.isEmpty()) {
            return false; // deleted meanwhile: its rows go with it
        }
        PostmarkWebhooks.Webhook w = webhook.get();
        int status = 0;
        String error;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(w.url())).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json").header("User-Agent", "Postroom webhooks")
                    .header("X-Postroom-Event-Id", d.eventId().toString())
                    .POST(HttpRequest.BodyPublishers.ofString(d.payload(), StandardCharsets.UTF_8));
            w.headers().forEach(h -> request.header(h.name(), h.value()));
            if (w.username().isPresent()) {
                request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((w.username().get()
                        + ":" + w.password().map(p -> p.reveal()).orElse("")).getBytes(StandardCharsets.UTF_8)));
            }
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            status = response.statusCode();
            if (status >= 200 && status < 300) {
                jdbc.sql("UPDATE webhook_delivery SET status = 'delivered', delivered_at = now(), attempts = ?, "
                        + "last_status = ?, last_error = NULL WHERE id = ?").params(d.attempts() + 1, status, d.id())
                        .update();
                return true;
            }
            error = "the handler answered HTTP " + status;
        } catch (java.io.IOException | IllegalArgumentException e) {
            error = "the handler could not be reached: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        int attempts = d.attempts() + 1;
        boolean last = attempts >= MAX_ATTEMPTS || status == 403;
        long delay = Math.min(Duration.ofHours(1).toMillis(), base.toMillis() * (1L << Math.min(20, attempts - 1)));
        jdbc.sql("UPDATE webhook_delivery SET attempts = ?, last_status = ?, last_error = ?, status = ?, "
                        + "next_attempt_at = now() + (? * interval '1 millisecond') WHERE id = ?")
                .params(attempts, status == 0 ? null : status, error, last ? "failed" : "pending", delay, d.id())
                .update();
        if (last) {
            log.warn("A webhook event ({}, {}) was not delivered to {} after {} attempts: {}", d.eventId(),
                    d.webhookId(), URI.create(w.url()).getHost(), attempts, error);
        }
        return false;
    }

    @Override
    public void start() {
        if (!enabled) {
            return;
        }
        running = true;
        thread = new Thread(() -> {
            while (running) {
                try {
                    int delivered = round();
                    if (delivered == 0) {
                        Thread.sleep(1000);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    log.warn("Webhook delivery round failed: {}", e.toString());
                    try {
                        Thread.sleep(2000);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }, "postroom-webhooks");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
