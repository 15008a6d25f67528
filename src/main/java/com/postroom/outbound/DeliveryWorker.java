package com.postroom.outbound;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import com.postroom.cluster.Instance;
import com.postroom.config.PostroomSettings;
import com.postroom.mail.MailEndpoints;
import com.postroom.mail.MailServer;
import com.postroom.mail.MailSessions;
import com.postroom.store.MessageStatus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Sends what is in the outbox. Several threads, each with its own reused SMTP connection, claim due messages in
 * small batches ({@code FOR UPDATE SKIP LOCKED}), send them and record the outcome right after the server's reply
 * (the workers' outcomes committed together, see {@link GroupCommit}).
 * 4xx replies, connection errors and timeouts are retried with exponential backoff and jitter until the message's
 * give-up time; a 5xx is final at once (RFC 5321 §4.2.1).
 */
@Component
class DeliveryWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
    /** A claim older than this is re-checked before sending, in case another instance took it over. */
    private static final Duration RECHECK_CLAIM_AFTER = Duration.ofSeconds(30);

    private final Outbox outbox;
    private final MailEndpoints endpoints;
    private final MailSessions sessions;
    private final PostroomSettings settings;
    private final PostroomSettings.Outbound config;
    private final Instance instance;
    private final TransactionTemplate tx;
    private final boolean enabled;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final List<Thread> threads = new ArrayList<>();
    private final Counter sent;
    private final Counter failed;
    private final Counter deferred;
    private final Timer latency;
    private final GroupCommit<Reply, Recorded> outcomes;
    private volatile boolean running;
    private long wakeups;

    DeliveryWorker(Outbox outbox, MailEndpoints endpoints, MailSessions sessions,
                   PostroomSettings settings, Instance instance, TransactionTemplate tx,
                   MeterRegistry meters) {
        this.outbox = outbox;
        this.endpoints = endpoints;
        this.sessions = sessions;
        this.settings = settings;
        this.config = settings.outbound();
        this.instance = instance;
        this.tx = tx;
        this.enabled = settings.runsBackgroundWork();
        this.sent = Counter.builder("postroom.outbound.sent").description("Messages accepted by the SMTP server")
                .register(meters);
        this.failed = Counter.builder("postroom.outbound.failed").description("Messages that failed for good")
                .register(meters);
        this.deferred = Counter.builder("postroom.outbound.deferred")
                .description("Attempts answered with a temporary failure, to be retried").register(meters);
        this.latency = Timer.builder("postroom.outbound.delivery.latency")
                .description("From acceptance into the outbox to the server's 250").register(meters);
        Gauge.builder("postroom.outbox.depth", new com.postroom.config.CachedGauge(outbox::depth),
                        com.postroom.config.CachedGauge::getAsDouble).strongReference(true)
                .description("Messages queued or being sent").register(meters);
        // The workers' replies are recorded by group commit: a worker still waits for its own outcome to be
        // committed before it sends the next message, so a crash can still resend at most one message per worker
        // (the one whose 250 was not recorded yet), but eight workers share one transaction and one WAL flush.
        this.outcomes = new GroupCommit<>(tx, 64, this::recordAll);
    }

    /**
     * Called after a send commits, so the message goes out now rather than at the next poll. One worker is woken,
     * not all: each woken worker runs a claim query, and waking all of them per send multiplied the database's work
     * under a burst. A worker that claims a full batch wakes the next one, so a backlog still fans out.
     */
    void wake() {
        lock.lock();
        try {
            wakeups++;
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    private void wakeAll() {
        lock.lock();
        try {
            wakeups++;
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void start() {
        if (!enabled || endpoints.smtp().isEmpty()) {
            return;
        }
        running = true;
        int perClaim = Math.max(1, config.claimBatchSize() / config.workers());
        for (int i = 0; i < config.workers(); i++) {
            Thread t = new Thread(() -> loop(perClaim), "postroom-delivery-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void loop(int perClaim) {
        MailServer server = endpoints.smtp().orElseThrow();
        try (SmtpConnection connection = new SmtpConnection(server, sessions, config.smtpPipelining())) {
            while (running) {
                long seen = wakeupsSeen();
                List<Outbox.Claim> claims;
                try {
                    claims = outbox.claim(instance.id(), perClaim, config.leaseTime());
                } catch (RuntimeException e) {
                    log.warn("Could not claim outbox messages: {}", e.getMessage());
                    claims = List.of();
                }
                if (claims.isEmpty()) {
                    await(seen);
                    continue;
                }
                if (claims.size() == perClaim) {
                    wake();
                }
                for (int i = 0; i < claims.size(); i++) {
                    Outbox.Claim claim = claims.get(i);
                    if (!running) {
                        releaseQuietly(claims.subList(i, claims.size()));
                        break;
                    }
                    try {
                        deliver(claim, connection);
                    } catch (RuntimeException e) {
                        // The row stays claimed; its lease runs out and it is tried again.
                        log.error("Delivery of {} failed unexpectedly", claim.messageId(), e);
                    }
                }
            }
        }
    }

    private void releaseQuietly(List<Outbox.Claim> unsent) {
        try {
            outbox.release(instance.id(), unsent.stream().map(Outbox.Claim::messageId).toList());
        } catch (RuntimeException e) {
            log.info("Could not give back {} claimed messages; their lease runs out: {}", unsent.size(), e.getMessage());
        }
    }

    private long wakeupsSeen() {
        lock.lock();
        try {
            return wakeups;
        } finally {
            lock.unlock();
        }
    }

    private void await(long seen) {
        lock.lock();
        try {
            if (wakeups == seen && running) {
                work.await(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    void deliver(Outbox.Claim claim, SmtpConnection connection) {
        if (Duration.between(claim.claimedAt(), Instant.now()).compareTo(RECHECK_CLAIM_AFTER) > 0
                && !outbox.stillOurs(claim.messageId(), instance.id(), config.leaseTime())) {
            return;
        }
        byte[] mime = claim.mime() != null ? claim.mime() : outbox.mime(claim.messageId()).orElse(null);
        if (mime == null) {
            return;
        }
        Instant started = Instant.now();
        SmtpConnection.Result result = connection.send(claim.envelopeFrom(), claim.recipients(), mime);
        Recorded recorded = outcomes.submit(new Reply(claim, started, result));
        // Counted once committed: a group written again item by item must not count twice.
        switch (recorded) {
            case SENT -> {
                sent.increment();
                latency.record(Duration.between(claim.createdAt().toInstant(), Instant.now()));
            }
            case FAILED -> failed.increment();
            case DEFERRED -> deferred.increment();
        }
    }

    /** A server's reply to one message, to be recorded. */
    private record Reply(Outbox.Claim claim, Instant started, SmtpConnection.Result result) {
    }

    /** What the reply made of the message. */
    private enum Recorded { SENT, FAILED, DEFERRED }

    /** The replies of a group: deferrals one by one (rare), final outcomes in one statement. */
    private List<Recorded> recordAll(List<Reply> replies) {
        List<Recorded> recorded = new ArrayList<>();
        List<Outbox.Finished> finished = new ArrayList<>();
        for (Reply reply : replies) {
            recorded.add(record(reply, finished));
        }
        outbox.finishAll(finished);
        return recorded;
    }

    /** Decides what a reply makes of its message; a final outcome is added to {@code finished} to be written. */
    private Recorded record(Reply reply, List<Outbox.Finished> finished) {
        Outbox.Claim claim = reply.claim();
        Instant started = reply.started();
        SmtpConnection.Result result = reply.result();
        List<String> accepted = new ArrayList<>();
        List<String> failedNow = new ArrayList<>();
        List<String> retry = new ArrayList<>();
        for (SmtpConnection.RecipientResult r : result.recipients()) {
            (r.accepted() ? accepted : r.permanent() ? failedNow : retry).add(r.address());
        }
        Duration delay = backoff(claim.attempt());
        boolean giveUp = !retry.isEmpty() && Instant.now().plus(delay).isAfter(claim.giveUpAt().toInstant());
        String outcome = retry.isEmpty() ? (failedNow.isEmpty() ? "sent" : accepted.isEmpty() ? "failed" : "partial")
                : giveUp ? (accepted.isEmpty() ? "failed" : "partial") : "deferred";
        Outbox.AttemptRecord attempt = new Outbox.AttemptRecord(claim.attempt(), started, outcome,
                result.code() == 0 ? null : result.code(), result.reply(), recipientsJson(result), instance.id());
        String error = accepted.size() == result.recipients().size() ? null : refusals(result);
        if (!retry.isEmpty() && !giveUp) {
            outbox.defer(claim.messageId(), attempt, retry, accepted, failedNow, delay, error);
            return Recorded.DEFERRED;
        }
        if (giveUp) {
            failedNow.addAll(retry);
            error = "Gave up after " + claim.attempt() + " attempts: " + refusals(result);
        }
        if (error == null && claim.attempt() > 1) {
            // This attempt delivered the rest; a recipient refused for good earlier keeps its refusal.
            error = outbox.earlierRefusals(claim.messageId()).orElse(null);
        }
        boolean anyAccepted = !accepted.isEmpty() || outbox.anyAccepted(claim.messageId());
        String status = (anyAccepted ? MessageStatus.SENT : MessageStatus.FAILED).db();
        boolean sentCopy = anyAccepted && endpoints.imap().isPresent() && settings.imapSentFolder().isPresent();
        finished.add(new Outbox.Finished(claim.messageId(), attempt, status, accepted, failedNow, error, sentCopy));
        if (!anyAccepted) {
            log.warn("Message {} failed: {}", claim.messageId(), error);
        }
        return anyAccepted ? Recorded.SENT : Recorded.FAILED;
    }

    /**
     * What the server said to each recipient it did not accept, in its own words ("bob@example.org: 550 5.1.1 User
     * unknown"); one reply when it said the same to all of them (a refused connection, a refused DATA).
     */
    static String refusals(SmtpConnection.Result result) {
        List<SmtpConnection.RecipientResult> refused = result.recipients().stream().filter(r -> !r.accepted()).toList();
        if (refused.isEmpty() || refused.stream().map(SmtpConnection.RecipientResult::reply).distinct().count() == 1
                && refused.size() == result.recipients().size()) {
            return refused.isEmpty() ? result.reply() : refused.get(0).reply();
        }
        return String.join("; ", refused.stream().map(r -> r.address() + ": " + r.reply()).toList());
    }

    /** base × 2^(attempt−1), capped, then ±50% jitter so that retries of a burst do not arrive together. */
    Duration backoff(int attempt) {
        long base = config.retryBaseDelay().toMillis();
        long capped = Math.min(config.retryMaxDelay().toMillis(), base << Math.min(20, Math.max(0, attempt - 1)));
        return Duration.ofMillis((long) (capped * ThreadLocalRandom.current().nextDouble(0.5, 1.5)));
    }

    /**
     * Each recipient's reply as the attempt's JSON, written straight to text: through the object mapper (a map per
     * recipient, a serializer looked up for each value) it was a tenth of a delivery thread's CPU, and a generator
     * made per message still a twentieth.
     */
    static String recipientsJson(SmtpConnection.Result result) {
        StringBuilder out = new StringBuilder(64 + 96 * result.recipients().size()).append('[');
        for (SmtpConnection.RecipientResult r : result.recipients()) {
            if (out.length() > 1) {
                out.append(',');
            }
            Json.string(out.append("{\"address\":"), r.address());
            out.append(",\"code\":").append(r.code());
            Json.string(out.append(",\"reply\":"), r.reply());
            out.append(",\"accepted\":").append(r.accepted()).append('}');
        }
        return out.append(']').toString();
    }

    /**
     * A graceful stop (SIGTERM): no new claims; a message already handed to the server is finished and recorded,
     * claims not yet started are given back; all within SHUTDOWN_GRACE. A worker still waiting for the server's
     * reply after that is left behind: its message stays claimed and is tried again after the restart.
     */
    @Override
    public void stop() {
        running = false;
        wakeAll();
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                log.warn("{} was still delivering after SHUTDOWN_GRACE ({}); its message is retried after the restart",
                        t.getName(), config.shutdownGrace());
            }
        }
        threads.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
