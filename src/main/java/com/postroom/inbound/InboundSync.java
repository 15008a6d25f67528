package com.postroom.inbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.mail.Folder;
import jakarta.mail.MessagingException;
import jakarta.mail.Store;
import jakarta.mail.event.MessageCountAdapter;
import jakarta.mail.event.MessageCountEvent;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Service;

import com.postroom.config.PostroomSettings;
import com.postroom.mail.MailEndpoints;
import com.postroom.mail.MailSessions;
import com.postroom.org.Organizations;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Keeps every synced folder current. Each (mailbox, folder) has a watcher thread with its own connection: it syncs,
 * then waits in IDLE (RFC 2177) until the server reports a change, and syncs again, so new mail is stored within a
 * second or two. A timer kicks each watcher every IMAP_POLL_INTERVAL (at most IMAP_IDLE_RENEW): the kick ends IDLE,
 * the watcher does a full sync (flags included) and re-issues IDLE, and a connection that does not answer the kick in
 * time is closed and reconnected with backoff. Servers without IDLE are polled on the same timer.
 */
@Service
public class InboundSync implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InboundSync.class);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(2);

    private final Mailboxes mailboxes;
    private final FolderSync folderSync;
    private final MailSessions sessions;
    private final MailEndpoints endpoints;
    private final PostroomSettings settings;
    private final Organizations organizations;
    private final MeterRegistry meters;
    private final SyncHealth health;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Watcher> watchers = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;
    private volatile boolean running;

    InboundSync(Mailboxes mailboxes, FolderSync folderSync, MailSessions sessions, MailEndpoints endpoints,
                PostroomSettings settings, Organizations organizations, MeterRegistry meters,
                SyncHealth health) {
        this.health = health;
        this.mailboxes = mailboxes;
        this.folderSync = folderSync;
        this.sessions = sessions;
        this.endpoints = endpoints;
        this.settings = settings;
        this.organizations = organizations;
        this.meters = meters;
    }

    /** One mailbox's result of a sync: per-folder counts, or the error that stopped it. */
    public record MailboxCounts(long mailboxId, String mailbox, List<FolderSync.Counts> folders, String error) {
        public long total(java.util.function.ToLongFunction<FolderSync.Counts> f) {
            return folders.stream().mapToLong(f).sum();
        }
    }

    @Override
    public void start() {
        registerConfigured();
        running = true;
        if (!settings.runsBackgroundWork()) {
            return; // no watchers here: another instance watches; POST /api/email/poll-inbound still works
        }
        // Made here, not in the constructor: a test context that is paused and resumed stops and starts us again.
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "postroom-inbound-timer");
            t.setDaemon(true);
            return t;
        });
        for (Mailbox m : mailboxes.enabled()) {
            watch(m);
        }
        Duration kick = settings.imapPollInterval().compareTo(settings.inbound().idleRenew()) < 0
                ? settings.imapPollInterval() : settings.inbound().idleRenew();
        timer.scheduleWithFixedDelay(this::kickAll, kick.toMillis(), kick.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The configured mailbox (IMAP_*), or in sandbox mode every sandbox mailbox, belongs to the first organization. */
    private void registerConfigured() {
        var org = organizations.primary();
        if (org.isEmpty()) {
            return;
        }
        List<Long> ids = new ArrayList<>();
        for (var server : endpoints.environmentMailboxes()) {
            ids.add(mailboxes.registerEnvironment(org.get().id(), server,
                    endpoints.sandbox() ? List.of("INBOX") : settings.imapFolders()));
        }
        mailboxes.disableEnvironmentExcept(ids);
    }

    /** Starts watching a mailbox added at run time. */
    public void watch(Mailbox mailbox) {
        if (!running || !settings.runsBackgroundWork()) {
            return;
        }
        for (String folder : mailbox.folders()) {
            Watcher w = new Watcher(mailbox, folder);
            if (watchers.putIfAbsent(w.key, w) == null) {
                w.thread.start();
            }
        }
    }

    public void unwatch(long mailboxId) {
        watchers.values().removeIf(w -> {
            if (w.mailbox.id() == mailboxId) {
                w.stop();
                return true;
            }
            return false;
        });
    }

    private void kickAll() {
        watchers.values().forEach(Watcher::kick);
    }

    /** Syncs every enabled mailbox of the organization now, on fresh connections (POST /api/email/poll-inbound). */
    public List<MailboxCounts> syncNow(long orgId) {
        List<MailboxCounts> results = new ArrayList<>();
        for (Mailbox m : mailboxes.enabled(orgId)) {
            results.add(syncMailbox(m));
        }
        return results;
    }

    public MailboxCounts syncMailbox(Mailbox m) {
        List<FolderSync.Counts> folders = new ArrayList<>();
        try (Store store = sessions.connectImap(m.server())) {
            for (String name : m.folders()) {
                IMAPFolder folder = (IMAPFolder) store.getFolder(name);
                folder.open(Folder.READ_ONLY);
                try {
                    folders.add(locked(m, name, () -> folderSync.sync(m, folder, true)));
                } finally {
                    folder.close(false);
                }
            }
            return new MailboxCounts(m.id(), m.name(), folders, null);
        } catch (MessagingException | RuntimeException e) {
            log.warn("Sync of {} failed: {}", m.name(), e.toString());
            if (folders.size() < m.folders().size()) {
                health.failed(m.id(), m.folders().get(folders.size()), describe(e));
            }
            return new MailboxCounts(m.id(), m.name(), folders, describe(e));
        }
    }

    static String describe(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.length() > 300 ? message.substring(0, 300) : message;
    }

    interface SyncCall {
        FolderSync.Counts run() throws MessagingException;
    }

    /** One sync per folder at a time within this instance; the database lease covers other instances. */
    private FolderSync.Counts locked(Mailbox m, String folder, SyncCall call) throws MessagingException {
        ReentrantLock lock = locks.computeIfAbsent(m.id() + "/" + folder, k -> new ReentrantLock());
        try {
            if (!lock.tryLock(2, TimeUnit.MINUTES)) {
                return FolderSync.Counts.busy(folder);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FolderSync.Counts.busy(folder);
        }
        try {
            FolderSync.Counts counts = call.run();
            meters.counter("postroom_inbound_messages", "outcome", "stored").increment(counts.stored());
            meters.counter("postroom_inbound_messages", "outcome", "duplicate").increment(counts.duplicates());
            meters.counter("postroom_inbound_messages", "outcome", "quarantined").increment(counts.quarantined());
            return counts;
        } finally {
            lock.unlock();
        }
    }

    private final class Watcher implements Runnable {
        final Mailbox mailbox;
        final String folderName;
        final String key;
        final Thread thread;
        private volatile IMAPFolder folder;
        private volatile Store store;
        private volatile boolean stopped;
        private final Object poke = new Object();
        /** True while this thread is in (or entering) IDLE; {@link #idles} counts the IDLEs begun. */
        private volatile boolean idling;
        private volatile int idles;
        /** The folder's message count that the sync before the current IDLE saw. */
        private volatile int idleSynced;

        Watcher(Mailbox mailbox, String folderName) {
            this.mailbox = mailbox;
            this.folderName = folderName;
            this.key = mailbox.id() + "/" + folderName;
            this.thread = new Thread(this, "postroom-imap-" + key);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            Duration backoff = Duration.ofSeconds(1);
            while (running && !stopped) {
                try {
                    store = sessions.connectImap(mailbox.server());
                    IMAPFolder f = (IMAPFolder) store.getFolder(folderName);
                    f.open(Folder.READ_ONLY);
                    f.addMessageCountListener(new MessageCountAdapter() {
                        @Override
                        public void messagesAdded(MessageCountEvent e) {
                            int newest = 0;
                            for (jakarta.mail.Message m : e.getMessages()) {
                                newest = Math.max(newest, m.getMessageNumber());
                            }
                            announcedWhileIdle(newest);
                        }
                    });
                    folder = f;
                    backoff = Duration.ofSeconds(1);
                    boolean idle = settings.inbound().idle() && ((org.eclipse.angus.mail.imap.IMAPStore) store).hasCapability("IDLE");
                    while (running && !stopped && f.isOpen()) {
                        int before = countNow(f);
                        locked(mailbox, folderName, () -> folderSync.sync(mailbox, f, true));
                        int after = countNow(f);
                        if (after != before) {
                            continue; // mail arrived during the sync: its EXISTS came before IDLE, so sync again
                        }
                        if (idle) {
                            idleSynced = after;
                            idles++;
                            idling = true;
                            try {
                                f.idle(true); // returns on the server's first notification, or when kicked
                            } finally {
                                idling = false;
                            }
                        } else {
                            synchronized (poke) {
                                poke.wait(settings.imapPollInterval().toMillis());
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (MessagingException | RuntimeException e) {
                    if (!running || stopped) {
                        return;
                    }
                    log.warn("IMAP watcher {} ({}): {}; reconnecting in {} s", mailbox.name(), folderName,
                            e.toString(), backoff.toSeconds());
                    health.failed(mailbox.id(), folderName, describe(e));
                    sleep(backoff);
                    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                } finally {
                    closeQuietly();
                }
            }
        }

        /**
         * A change the server announced while IDLE was starting: some servers (GreenMail, for one) send the EXISTS for
         * mail that arrived after our last command ahead of their "+ idling", and Angus takes responses that come
         * before the continuation without ending IDLE, so the watcher would sleep on news it already has until the
         * next poll. Angus still counts the message and tells its listeners (on its event thread), so the watcher is
         * kicked from here, unless the mail is what the sync before this IDLE already saw (an IDLE that its EXISTS ended
         * is over, and the event may come after the next IDLE began).
         */
        private void announcedWhileIdle(int newest) {
            // Mail the last sync saw (its EXISTS ended the IDLE before, and the event comes late) is no news.
            if (!idling || newest <= idleSynced) {
                return;
            }
            int idle = idles;
            ScheduledExecutorService t = timer;
            if (t == null || t.isShutdown()) {
                return;
            }
            try {
                t.execute(() -> {
                    if (idling && idles == idle) {
                        kick();
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // Stopping: nothing to wake.
            }
        }

        /** The folder's message count after a NOOP, which makes the server report any change it holds back. */
        private int countNow(IMAPFolder f) throws MessagingException {
            return ImapReader.countNow(f);
        }

        /**
         * Ends IDLE with a NOOP (any command on the folder does), so the loop syncs and re-issues IDLE. A NOOP that
         * fails or times out means the connection is dead: it is closed, and the loop reconnects.
         */
        void kick() {
            IMAPFolder f = folder;
            if (f == null) {
                return;
            }
            synchronized (poke) {
                poke.notifyAll();
            }
            try {
                f.doCommand(p -> {
                    p.simpleCommand("NOOP", null);
                    return null;
                });
            } catch (MessagingException | RuntimeException e) {
                log.info("IMAP watcher {} ({}) did not answer a NOOP ({}); reconnecting", mailbox.name(), folderName,
                        e.toString());
                closeQuietly();
            }
        }

        void stop() {
            stopped = true;
            closeQuietly();
            thread.interrupt();
        }

        private void closeQuietly() {
            Store s = store;
            if (s != null) {
                try {
                    s.close();
                } catch (MessagingException | RuntimeException ignored) {
                    // Already gone.
                }
            }
            folder = null;
        }

        private void sleep(Duration d) {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
            }
        }
    }

    @Override
    public void stop() {
        running = false;
        if (timer != null) {
            timer.shutdownNow();
        }
        watchers.values().forEach(Watcher::stop);
        watchers.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // After the web server and the delivery worker are up; stopped before the database goes.
        return Integer.MAX_VALUE - 200;
    }
}
