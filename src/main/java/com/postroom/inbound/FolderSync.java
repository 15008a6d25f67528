package com.postroom.inbound;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.mail.MessagingException;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.postroom.store.Locations;
import com.postroom.cluster.Instance;
import com.postroom.mime.RawMail;

/**
 * Syncs one folder of one mailbox, exactly once by construction:
 * <ul>
 * <li>the folder's UIDVALIDITY and highest stored UID are kept; only UIDs above it are fetched, in batches;</li>
 * <li>a batch and the new high-water mark commit in one transaction ({@link Ingest}), so a crash at any point means
 * the next run fetches that batch again, and the content keys make storing it again a no-op;</li>
 * <li>a changed UIDVALIDITY resets the mark and rescans; messages already stored are matched by content key and only
 * gain their new location;</li>
 * <li>a lease on the folder row keeps two instances from syncing it at once; each commit checks the lease is still
 * ours.</li>
 * </ul>
 */
@Component
public class FolderSync {

    private static final Logger log = LoggerFactory.getLogger(FolderSync.class);
    static final int BATCH_MESSAGES = 250;
    static final long BATCH_BYTES = 16L * 1024 * 1024;
    static final int CHUNK = 1024 * 1024;
    private static final String LEASE = "interval '2 minutes'";

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final Ingest ingest;
    private final Instance instance;
    private final FlagMirror flags;
    private final SyncHealth health;
    private final Locations locations;
    /** Messages listed per window ({@link UidWindows#SIZE}; tests make it small). */
    int window = UidWindows.SIZE;

    FolderSync(JdbcClient jdbc, JdbcTemplate template, Ingest ingest, Instance instance, FlagMirror flags,
               SyncHealth health, Locations locations) {
        this.health = health;
        this.locations = locations;
        this.jdbc = jdbc;
        this.template = template;
        this.ingest = ingest;
        this.instance = instance;
        this.flags = flags;
    }

    /** Counts for one folder sync; {@code busy} when another instance holds the folder. */
    public record Counts(String folder, long fetched, long stored, long duplicates, long quarantined, boolean busy) {
        static Counts busy(String folder) {
            return new Counts(folder, 0, 0, 0, 0, true);
        }
    }

    static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super("Another instance took over this folder");
        }
    }

    Counts sync(Mailbox mailbox, IMAPFolder folder, boolean mirrorFlags) throws MessagingException {
        String name = folder.getFullName();
        long uidValidity = folder.getUIDValidity();
        jdbc.sql("INSERT INTO mailbox_folder (mailbox_id, folder) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .params(mailbox.id(), name).update();
        if (!acquire(mailbox.id(), name)) {
            return Counts.busy(name);
        }
        long started = System.nanoTime();
        Pipeline pipeline = new Pipeline();
        try {
            long last = cursor(mailbox.id(), name, uidValidity);
            long[] counts = pipeline.counts;
            boolean junk = Mailbox.isJunk(name);
            List<ImapReader.Entry> batch = new ArrayList<>();
            long batchBytes = 0;
            // What is new is listed window by window (UidWindows): a first sync of a big mailbox never asks the
            // server for a million answers at once.
            UidWindows windows = new UidWindows(folder, window);
            long after = last;
            while (true) {
                long end = windows.end(after);
                ImapReader.Listed listed = ImapReader.listAfter(folder, after, end);
                for (ImapReader.Entry e : listed.entries()) {
                    if (e.size() > RawMail.IN_MEMORY_LIMIT) {
                        flush(mailbox, folder, uidValidity, batch, junk, pipeline);
                        batchBytes = 0;
                        pipeline.drain();
                        large(mailbox, folder, uidValidity, e, junk, counts);
                        continue;
                    }
                    if (!batch.isEmpty() && (batch.size() >= BATCH_MESSAGES || batchBytes + e.size() > BATCH_BYTES)) {
                        flush(mailbox, folder, uidValidity, batch, junk, pipeline);
                        batchBytes = 0;
                    }
                    batch.add(e);
                    batchBytes += e.size();
                }
                if (end == UidWindows.OPEN) {
                    break;
                }
                windows.passed(end, listed.lastNumber());
                after = end;
            }
            flush(mailbox, folder, uidValidity, batch, junk, pipeline);
            pipeline.drain();
            if (mirrorFlags) {
                flags.mirror(mailbox, folder, uidValidity);
            }
            jdbc.sql("UPDATE mailbox_folder SET messages_total = ? WHERE mailbox_id = ? AND folder = ?")
                    .params(folder.getMessageCount(), mailbox.id(), name).update();
            health.succeeded(mailbox.id(), name);
            if (counts[0] > 0) {
                double seconds = (System.nanoTime() - started) / 1e9;
                log.info("Synced {} of {}: {} fetched, {} new, {} duplicates, {} quarantined in {} s ({} msg/s)",
                        name, mailbox.name(), counts[0], counts[1], counts[2], counts[3],
                        String.format("%.2f", seconds), String.format("%.0f", counts[0] / seconds));
            }
            return new Counts(name, counts[0], counts[1], counts[2], counts[3], false);
        } finally {
            pipeline.close();
            release(mailbox.id(), name);
        }
    }

    /**
     * Fetching the next batch overlaps with parsing and storing the previous one, on one writer thread so that
     * batches still commit in UID order. At most one batch waits, which bounds memory to two batches.
     */
    private static final class Pipeline implements AutoCloseable {
        final long[] counts = new long[4];
        private final java.util.concurrent.ExecutorService writer = java.util.concurrent.Executors
                .newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "postroom-inbound-writer");
                    t.setDaemon(true);
                    return t;
                });
        private java.util.concurrent.Future<?> pending;

        void submit(Runnable store) {
            drain();
            pending = writer.submit(store);
        }

        /** Waits for the batch in flight; its failure becomes this thread's. */
        void drain() {
            if (pending == null) {
                return;
            }
            try {
                pending.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while storing a batch", e);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(e.getCause());
            } finally {
                pending = null;
            }
        }

        @Override
        public void close() {
            try {
                drain();
            } catch (RuntimeException ignored) {
                // Already reported by the sync that failed.
            }
            writer.shutdownNow();
        }
    }

    private boolean acquire(long mailboxId, String folder) {
        return jdbc.sql("UPDATE mailbox_folder SET lease_owner = ?, lease_until = now() + " + LEASE
                        + " WHERE mailbox_id = ? AND folder = ? AND (lease_owner IS NULL OR lease_owner = ? "
                        + "OR lease_until < now() OR " + Instance.CLAIM_ORPHANED.replace("claimed_by", "lease_owner")
                        + ")")
                .params(instance.id(), mailboxId, folder, instance.id()).update() == 1;
    }

    private void release(long mailboxId, String folder) {
        jdbc.sql("UPDATE mailbox_folder SET lease_owner = NULL, lease_until = NULL WHERE mailbox_id = ? "
                + "AND folder = ? AND lease_owner = ?").params(mailboxId, folder, instance.id()).update();
    }

    /** The high-water mark, reset when the server's UIDVALIDITY is not the one it was recorded under. */
    private long cursor(long mailboxId, String folder, long uidValidity) {
        Map<String, Object> row = jdbc.sql("SELECT uidvalidity, last_uid FROM mailbox_folder WHERE mailbox_id = ? "
                + "AND folder = ?").params(mailboxId, folder).query().singleRow();
        Long stored = (Long) row.get("uidvalidity");
        if (stored != null && stored == uidValidity) {
            return (Long) row.get("last_uid");
        }
        if (stored != null) {
            log.warn("UIDVALIDITY of {} changed from {} to {}: rescanning; stored messages are matched by content",
                    folder, stored, uidValidity);
            locations.forgetOtherValidities(mailboxId, folder, uidValidity);
        }
        jdbc.sql("UPDATE mailbox_folder SET uidvalidity = ?, last_uid = 0, highest_modseq = NULL WHERE mailbox_id = ? "
                        + "AND folder = ?")
                .params(uidValidity, mailboxId, folder).update();
        return 0;
    }

    private void flush(Mailbox mailbox, IMAPFolder folder, long uidValidity, List<ImapReader.Entry> batch,
                       boolean junk, Pipeline pipeline) throws MessagingException {
        if (batch.isEmpty()) {
            return;
        }
        Map<Long, byte[]> bodies = ImapReader.bodies(folder, batch.stream().map(ImapReader.Entry::uid).toList());
        List<Incoming> incoming = new ArrayList<>();
        for (ImapReader.Entry e : batch) {
            byte[] bytes = bodies.get(e.uid());
            if (bytes != null) {
                incoming.add(Incoming.fromImap(RawMail.of(bytes), location(mailbox, folder, uidValidity, e),
                        Optional.ofNullable(e.internalDate()), e.flags(), junk));
            }
        }
        long maxUid = batch.get(batch.size() - 1).uid();
        String name = folder.getFullName();
        List<Ingest.Prepared> prepared = ingest.prepare(incoming); // parsed here while the previous batch is stored
        pipeline.submit(() -> store(mailbox, name, uidValidity, prepared, maxUid, pipeline.counts));
        batch.clear();
    }

    private void large(Mailbox mailbox, IMAPFolder folder, long uidValidity, ImapReader.Entry e, boolean junk,
                       long[] counts) throws MessagingException {
        Path spool;
        try {
            spool = RawMail.newSpoolFile();
        } catch (IOException io) {
            throw new UncheckedIOException(io);
        }
        boolean present;
        try (OutputStream out = Files.newOutputStream(spool)) {
            present = ImapReader.streamTo(folder, e.uid(), CHUNK, out);
        } catch (IOException io) {
            throw new UncheckedIOException(io);
        }
        try (RawMail raw = RawMail.spooled(spool)) {
            List<Incoming> incoming = present
                    ? List.of(Incoming.fromImap(raw, location(mailbox, folder, uidValidity, e),
                    Optional.ofNullable(e.internalDate()), e.flags(), junk))
                    : List.of();
            store(mailbox, folder.getFullName(), uidValidity, ingest.prepare(incoming), e.uid(), counts);
        }
    }

    private void store(Mailbox mailbox, String folder, long uidValidity, List<Ingest.Prepared> incoming, long maxUid,
                       long[] counts) {
        Ingest.Result result;
        try {
            result = ingest.storePrepared(mailbox.orgId(), incoming, mark(mailbox, folder, uidValidity, maxUid));
        } catch (RuntimeException failed) {
            if (!isAboutTheMail(failed) || incoming.isEmpty()) {
                throw failed;
            }
            result = storeOneByOne(mailbox, folder, uidValidity, incoming, maxUid, failed);
        }
        counts[0] += incoming.size();
        counts[1] += result.count(Ingest.Outcome.STORED);
        counts[2] += result.count(Ingest.Outcome.DUPLICATE);
        counts[3] += result.count(Ingest.Outcome.QUARANTINED);
    }

    /**
     * A batch the database refused for something in its mail (a constraint, a value it cannot hold) is stored again
     * one message at a time, and the message that still fails is stored raw and quarantined with the reason, so one
     * message never stops the mail behind it. Failures of the database itself (down, timed out, deadlocked) and a
     * lost lease are not the mail's fault: those propagate, and the watcher retries the batch with backoff.
     */
    private Ingest.Result storeOneByOne(Mailbox mailbox, String folder, long uidValidity,
                                        List<Ingest.Prepared> incoming, long maxUid, RuntimeException batchFailure) {
        log.warn("A batch of {} messages from {} of {} could not be stored ({}); storing them one by one",
                incoming.size(), folder, mailbox.name(), rootMessage(batchFailure));
        List<Ingest.Stored> items = new ArrayList<>();
        for (Ingest.Prepared p : incoming) {
            long uid = p.in().location().map(Incoming.Location::uid).orElse(maxUid);
            try {
                items.addAll(ingest.storePrepared(mailbox.orgId(), List.of(p),
                        mark(mailbox, folder, uidValidity, uid)).items());
            } catch (RuntimeException failed) {
                if (!isAboutTheMail(failed)) {
                    throw failed;
                }
                String reason = "Could not be stored: " + rootMessage(failed);
                log.warn("Message UID {} of {} of {} quarantined: {}", uid, folder, mailbox.name(), reason);
                items.addAll(ingest.storePrepared(mailbox.orgId(), List.of(p.quarantined(reason)),
                        mark(mailbox, folder, uidValidity, uid)).items());
            }
        }
        ingest.storePrepared(mailbox.orgId(), List.of(), mark(mailbox, folder, uidValidity, maxUid));
        return new Ingest.Result(items);
    }

    /** The folder's high-water mark moves to {@code uid} in the storing transaction, if the lease is still ours. */
    private java.util.function.Consumer<JdbcClient> mark(Mailbox mailbox, String folder, long uidValidity, long uid) {
        return db -> {
            int moved = db.sql("UPDATE mailbox_folder SET last_uid = GREATEST(last_uid, ?), lease_until = now() + "
                            + LEASE + " WHERE mailbox_id = ? AND folder = ? AND uidvalidity = ? AND lease_owner = ?")
                    .params(uid, mailbox.id(), folder, uidValidity, instance.id()).update();
            if (moved != 1) {
                throw new LeaseLost();
            }
        };
    }

    /** Whether a failure to store was caused by the mail (worth isolating) rather than by the database's state. */
    static boolean isAboutTheMail(RuntimeException e) {
        return !(e instanceof LeaseLost
                || e instanceof org.springframework.dao.TransientDataAccessException
                || e instanceof org.springframework.dao.RecoverableDataAccessException
                || e instanceof org.springframework.dao.DataAccessResourceFailureException
                || e instanceof org.springframework.transaction.TransactionException);
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.length() > 300 ? message.substring(0, 300) : message;
    }

    private static Incoming.Location location(Mailbox mailbox, IMAPFolder folder, long uidValidity,
                                              ImapReader.Entry e) {
        return new Incoming.Location(mailbox.id(), folder.getFullName(), uidValidity, e.uid());
    }
}
