package com.postroom.inbound;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Store;

import org.eclipse.angus.mail.imap.AppendUID;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

import com.postroom.config.PostroomSettings;
import com.postroom.mail.MailSessions;
import com.postroom.mailbox.MailChanges;
import com.postroom.store.Locations;

/**
 * Writes changes made in Postroom back to the IMAP server: flags with UID STORE, folder changes with UID MOVE (or
 * COPY, \Deleted and EXPUNGE where MOVE is missing), to the folder the server marks with SPECIAL-USE (RFC 6154) or,
 * failing that, the usual name (Mailu's Trash, Junk, Archive, Sent, Drafts). A move converges on where the message
 * is in Postroom now, so a burst of changes ends in the last state. The queue is a table: a change made while the
 * server is unreachable is retried with backoff, and rows are claimed with a lease so two instances do not both run one.
 */
@Component
public class ImapWriteback implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ImapWriteback.class);
    private static final Duration POLL = Duration.ofSeconds(5);
    private static final int BATCH = 200;

    private final JdbcClient jdbc;
    private final Mailboxes mailboxes;
    private final MailSessions sessions;
    private final Locations locations;
    private final boolean enabled;
    private final Object monitor = new Object();
    private volatile boolean running;
    private boolean woken;
    private Thread thread;

    ImapWriteback(JdbcClient jdbc, Mailboxes mailboxes, MailSessions sessions, Locations locations,
                  PostroomSettings settings, io.micrometer.core.instrument.MeterRegistry meters) {
        this.jdbc = jdbc;
        this.locations = locations;
        this.mailboxes = mailboxes;
        this.sessions = sessions;
        this.enabled = settings.runsBackgroundWork();
        io.micrometer.core.instrument.Gauge.builder("postroom.imap.writeback.pending",
                        new com.postroom.config.CachedGauge(this::pending), com.postroom.config.CachedGauge::getAsDouble).strongReference(true)
                .description("Changes made in Postroom not yet written back to the IMAP server").register(meters);
    }

    private double pending() {
        return jdbc.sql("SELECT count(*) FROM imap_writeback").query(Long.class).single();
    }

    @TransactionalEventListener
    void onQueued(MailChanges.WritebackQueued event) {
        wake();
    }

    public void wake() {
        synchronized (monitor) {
            woken = true;
            monitor.notifyAll();
        }
    }

    @Override
    public void start() {
        if (!enabled) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "postroom-imap-writeback");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() {
        running = false;
        wake();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void loop() {
        while (running) {
            try {
                runOnce();
            } catch (RuntimeException e) {
                log.warn("IMAP write-back: {}", e.toString());
            }
            synchronized (monitor) {
                if (!woken && running) {
                    try {
                        monitor.wait(POLL.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                woken = false;
            }
        }
    }

    record Change(long id, long mailboxId, String folder, long uidvalidity, long uid, String action,
                  String argument, int attempts) {
    }

    /** Writes every due change back; returns how many were done. Public for tests that need it synchronously. */
    public int runOnce() {
        int done = 0;
        List<Long> due = jdbc.sql("SELECT DISTINCT mailbox_id FROM imap_writeback WHERE next_at <= now()")
                .query(Long.class).list();
        if (due.isEmpty()) {
            return 0;
        }
        List<Mailbox> enabled = mailboxes.enabled();
        for (long mailboxId : due) {
            Optional<Mailbox> mailbox = enabled.stream().filter(m -> m.id() == mailboxId).findFirst();
            if (mailbox.isEmpty()) {
                continue; // disabled, or its password is not available in this configuration
            }
            List<Change> changes = claim(mailboxId);
            if (!changes.isEmpty()) {
                done += write(mailbox.get(), changes);
            }
        }
        return done;
    }

    private List<Change> claim(long mailboxId) {
        return jdbc.sql("UPDATE imap_writeback SET next_at = now() + interval '5 minutes', attempts = attempts + 1 "
                        + "WHERE id IN (SELECT id FROM imap_writeback WHERE mailbox_id = ? AND next_at <= now() "
                        + "ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED) "
                        + "RETURNING id, mailbox_id AS mailboxId, folder, uidvalidity, uid, action, argument, attempts")
                .params(mailboxId, BATCH).query(Change.class).list()
                .stream().sorted(java.util.Comparator.comparingLong(Change::id)).toList();
    }

    private int write(Mailbox mailbox, List<Change> changes) {
        int done = 0;
        Map<String, IMAPFolder> open = new HashMap<>();
        try (Store store = sessions.connectImap(mailbox.server())) {
            for (Change c : changes) {
                try {
                    apply((IMAPStore) store, open, mailbox, c);
                    jdbc.sql("DELETE FROM imap_writeback WHERE id = ?").param(c.id()).update();
                    done++;
                } catch (MessagingException | RuntimeException e) {
                    failed(c, e);
                    if (!store.isConnected()) {
                        break;
                    }
                }
            }
        } catch (MessagingException e) {
            log.warn("IMAP write-back to {}: {}; {} changes wait for the next try", mailbox.name(), e.getMessage(),
                    changes.size());
            changes.forEach(c -> failed(c, e));
        } finally {
            for (IMAPFolder f : open.values()) {
                closeQuietly(f);
            }
        }
        return done;
    }

    private void failed(Change c, Exception e) {
        long delay = Math.min(600, (long) Math.pow(2, Math.min(c.attempts(), 10)));
        jdbc.sql("UPDATE imap_writeback SET next_at = now() + make_interval(secs => ?), last_error = ? WHERE id = ?")
                .params(delay, String.valueOf(e.getMessage()), c.id()).update();
    }

    private void apply(IMAPStore store, Map<String, IMAPFolder> open, Mailbox mailbox, Change c)
            throws MessagingException {
        IMAPFolder folder = open(store, open, c.folder());
        if (folder == null || folder.getUIDValidity() != c.uidvalidity()) {
            return; // the folder is gone or was rebuilt: this location no longer exists
        }
        Message message = folder.getMessageByUID(c.uid());
        if (message == null) {
            forget(mailbox.id(), c);
            return; // expunged by another client meanwhile
        }
        switch (c.action()) {
            case "add_flag", "remove_flag" -> message.setFlags(flags(c.argument()), c.action().equals("add_flag"));
            case "move" -> move(store, open, mailbox, c, folder, message);
            default -> log.warn("IMAP write-back: unknown action {}", c.action());
        }
    }

    /** Moves the message to the server folder for where it is in Postroom now, and follows it there. */
    private void move(IMAPStore store, Map<String, IMAPFolder> open, Mailbox mailbox, Change c, IMAPFolder from,
                      Message message) throws MessagingException {
        Optional<String> postroomFolder = jdbc.sql("SELECT m.folder FROM message_location l "
                        + "JOIN email_message m ON m.id = l.message_id WHERE l.mailbox_id = ? AND l.folder = ? "
                        + "AND l.uidvalidity = ? AND l.uid = ?")
                .params(mailbox.id(), c.folder(), c.uidvalidity(), c.uid()).query(String.class).optional();
        if (postroomFolder.isEmpty()) {
            return;
        }
        String target = serverFolder(store, postroomFolder.get(), c.folder());
        if (target == null || target.equalsIgnoreCase(c.folder())) {
            return;
        }
        IMAPFolder to = (IMAPFolder) store.getFolder(target);
        if (!to.exists()) {
            to.create(Folder.HOLDS_MESSAGES);
        }
        AppendUID[] uids;
        if (store.hasCapability("MOVE")) {
            uids = from.moveUIDMessages(new Message[] {message}, to);
        } else {
            uids = from.copyUIDMessages(new Message[] {message}, to);
            message.setFlag(Flags.Flag.DELETED, true);
            from.expunge(new Message[] {message});
        }
        AppendUID moved = uids == null || uids.length == 0 ? null : uids[0];
        if (moved == null) {
            forget(mailbox.id(), c);
            return;
        }
        // Follow the message: its location and any change still queued for it now point at the new folder and UID.
        locations.moved(new Locations.Place(mailbox.id(), c.folder(), c.uidvalidity(), c.uid()),
                new Locations.Place(mailbox.id(), target, moved.uidvalidity, moved.uid));
        jdbc.sql("UPDATE imap_writeback SET folder = ?, uidvalidity = ?, uid = ? WHERE mailbox_id = ? "
                        + "AND folder = ? AND uidvalidity = ? AND uid = ? AND id <> ?")
                .params(target, moved.uidvalidity, moved.uid, mailbox.id(), c.folder(), c.uidvalidity(), c.uid(),
                        c.id())
                .update();
    }

    private void forget(long mailboxId, Change c) {
        locations.remove(new Locations.Place(mailboxId, c.folder(), c.uidvalidity(), c.uid()));
    }

    /**
     * The server folder for a Postroom folder: INBOX, or the folder with the SPECIAL-USE attribute, or the usual name.
     * A message archived from a folder other than INBOX stays where it is.
     */
    static String serverFolder(IMAPStore store, String postroomFolder, String current) throws MessagingException {
        String use;
        String fallback;
        switch (postroomFolder) {
            case "inbox" -> {
                return "INBOX";
            }
            case "archive" -> {
                if (!current.equalsIgnoreCase("INBOX") && !Mailbox.isJunk(current)) {
                    return null;
                }
                use = "\\Archive";
                fallback = "Archive";
            }
            case "trash" -> {
                use = "\\Trash";
                fallback = "Trash";
            }
            case "spam" -> {
                use = "\\Junk";
                fallback = "Junk";
            }
            case "sent" -> {
                use = "\\Sent";
                fallback = "Sent";
            }
            case "drafts" -> {
                use = "\\Drafts";
                fallback = "Drafts";
            }
            default -> {
                return null;
            }
        }
        return com.postroom.mail.SpecialFolders.find(store, use, fallback);
    }

    private static IMAPFolder open(IMAPStore store, Map<String, IMAPFolder> open, String name)
            throws MessagingException {
        IMAPFolder f = open.get(name);
        if (f != null && f.isOpen()) {
            return f;
        }
        f = (IMAPFolder) store.getFolder(name);
        if (!f.exists()) {
            return null;
        }
        f.open(Folder.READ_WRITE);
        open.put(name, f);
        return f;
    }

    private static Flags flags(String flag) {
        return switch (flag) {
            case "\\Seen" -> new Flags(Flags.Flag.SEEN);
            case "\\Flagged" -> new Flags(Flags.Flag.FLAGGED);
            case "\\Answered" -> new Flags(Flags.Flag.ANSWERED);
            case "\\Deleted" -> new Flags(Flags.Flag.DELETED);
            default -> new Flags(flag);
        };
    }

    private static void closeQuietly(IMAPFolder f) {
        try {
            if (f.isOpen()) {
                f.close(false);
            }
        } catch (MessagingException e) {
            // closing after use; nothing left to do
        }
    }

    /** Pending changes for a message: the mirror of server flags leaves these messages alone until written. */
    static String pendingCondition() {
        return "NOT EXISTS (SELECT 1 FROM imap_writeback w WHERE w.mailbox_id = l.mailbox_id AND w.folder = l.folder "
                + "AND w.uidvalidity = l.uidvalidity AND w.uid = l.uid)";
    }
}
