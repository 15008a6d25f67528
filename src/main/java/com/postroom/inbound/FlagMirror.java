package com.postroom.inbound;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.mail.MessagingException;

import org.eclipse.angus.mail.iap.BadCommandException;
import org.eclipse.angus.mail.iap.CommandFailedException;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.postroom.store.Locations;
import com.postroom.store.MessageStates;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * After a folder's new mail is stored: what other clients changed on the server comes back to Postroom. Flags are
 * mirrored, and messages that left the folder are followed ({@link #followOutOfInbox}).
 */
@Component
class FlagMirror {

    private static final Logger log = LoggerFactory.getLogger(FlagMirror.class);

    private final JdbcClient jdbc;
    private final Locations locations;
    private final MessageStates states;
    private final MeterRegistry meters;
    /** Messages per window of a full read ({@link UidWindows#SIZE}; tests make it small). */
    int window = UidWindows.SIZE;

    FlagMirror(JdbcClient jdbc, Locations locations, MessageStates states, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.locations = locations;
        this.states = states;
        this.meters = meters;
    }

    /**
     * Seen, flagged and answered as the server has them now, and messages another client moved or deleted: another
     * client's changes show up here. A location with a change of Postroom's own still queued for it is left alone
     * until that change is written back. A message that left INBOX is followed ({@link #followOutOfInbox}).
     */
    /**
     * Asked on the folder's own connection: the store's would be a second one (GreenMail then mishandles a later
     * DELETE of the folder).
     */
    boolean offersCondstore(IMAPFolder folder) throws MessagingException {
        return Boolean.TRUE.equals(folder.doCommand(p -> p.hasCapability("CONDSTORE")));
    }

    void mirror(Mailbox mailbox, IMAPFolder folder, long uidValidity) throws MessagingException {
        String name = folder.getFullName();
        Map<String, Object> row = jdbc.sql("SELECT last_uid, highest_modseq FROM mailbox_folder WHERE mailbox_id = ? "
                + "AND folder = ?").params(mailbox.id(), name).query().singleRow();
        long last = (Long) row.get("last_uid");
        if (last == 0) {
            return;
        }
        // With CONDSTORE, only the flags changed since the last mirror are read, as long as nothing has left the
        // folder: the server holds as many messages up to the mark as Postroom has locations for (a move or expunge
        // by another client makes them differ; then every flag is read, and whatever is gone is found).
        boolean condstore = offersCondstore(folder);
        Long known = (Long) row.get("highest_modseq");
        boolean incremental = condstore && known != null && ImapReader.countUpTo(folder, last)
                == jdbc.sql("SELECT count(*) FROM message_location WHERE mailbox_id = ? AND folder = ? "
                        + "AND uidvalidity = ? AND uid <= ?").params(mailbox.id(), name, uidValidity, last)
                .query(Long.class).single();
        List<Locations.Place> gone = new ArrayList<>();
        long highest;
        try {
            highest = compare(mailbox, folder, uidValidity, last, condstore, incremental ? known : 0, gone);
        } catch (MessagingException e) {
            if (!condstore || !(e.getCause() instanceof CommandFailedException
                    || e.getCause() instanceof BadCommandException)) {
                throw e;
            }
            // A server that offers CONDSTORE but keeps no mod-sequences for this mailbox (NOMODSEQ, in-memory
            // indexes) refuses MODSEQ: read every flag, as without CONDSTORE. The refusal comes with the first
            // window, before anything was compared.
            log.info("{} of {}: the server refused mod-sequences ({}); reading all flags", name, mailbox.name(),
                    e.getMessage());
            condstore = false;
            incremental = false;
            gone.clear();
            highest = compare(mailbox, folder, uidValidity, last, false, 0, gone);
        }
        meters.counter("postroom_inbound_flag_reads", "read", incremental ? "changed" : "all").increment();
        if (!gone.isEmpty()) {
            List<UUID> leftInbox = new ArrayList<>();
            gone.forEach(g -> locations.remove(g).ifPresent(leftInbox::add));
            if (name.equalsIgnoreCase("INBOX")) {
                followOutOfInbox(mailbox, folder, leftInbox);
            }
            log.info("{} of {}: {} messages were moved or deleted by another client", name, mailbox.name(),
                    gone.size());
        }
        if (condstore) {
            // Last, once the changes are stored. A location with a change of Postroom's own still queued was not
            // compared; the mark then stays where it was, so those messages are read again next time.
            boolean pending = jdbc.sql("SELECT count(*) FROM imap_writeback WHERE mailbox_id = ? AND folder = ?")
                    .params(mailbox.id(), name).query(Long.class).single() > 0;
            Long next = pending ? (incremental ? known : null)
                    : highest > 0 ? Long.valueOf(highest) : null;
            jdbc.sql("UPDATE mailbox_folder SET highest_modseq = ? WHERE mailbox_id = ? AND folder = ?")
                    .params(next, mailbox.id(), name).update();
        }
    }

    /**
     * The server's flags up to {@code last} against the stored ones: changes are written as each window is compared,
     * locations the server no longer has are added to {@code gone}. Changed flags since a mod-sequence are one short
     * answer; every flag of a big folder is read in windows ({@link UidWindows}), so neither the server nor this heap
     * holds a million answers at once. Returns the highest mod-sequence seen.
     */
    private long compare(Mailbox mailbox, IMAPFolder folder, long uidValidity, long last, boolean modSeq,
                         long changedSince, List<Locations.Place> gone) throws MessagingException {
        String name = folder.getFullName();
        UidWindows windows = new UidWindows(folder, window);
        long highest = changedSince;
        long after = 0;
        while (after < last) {
            long end = changedSince > 0 ? UidWindows.OPEN : windows.end(after);
            long upTo = end == UidWindows.OPEN || end > last ? last : end;
            ImapReader.Flagged read = ImapReader.flagsIn(folder, after, upTo, modSeq, changedSince);
            Map<Long, Set<String>> server = read.flags();
            List<Locations.Flags> changed = new ArrayList<>();
            jdbc.sql("SELECT l.uid, l.flags FROM message_location l WHERE l.mailbox_id = ? AND l.folder = ? "
                            + "AND l.uidvalidity = ? AND l.uid > ? AND l.uid <= ? AND "
                            + ImapWriteback.pendingCondition() + (changedSince > 0 ? " AND l.uid = ANY(?)" : ""))
                    .params(changedSince > 0
                            ? new Object[] {mailbox.id(), name, uidValidity, after, upTo,
                                server.keySet().toArray(Long[]::new)}
                            : new Object[] {mailbox.id(), name, uidValidity, after, upTo})
                    .query(rs -> {
                        long uid = rs.getLong(1);
                        Set<String> now = server.get(uid);
                        Set<String> stored = Set.of((String[]) rs.getArray(2).getArray());
                        Locations.Place place = new Locations.Place(mailbox.id(), name, uidValidity, uid);
                        if (now == null) {
                            gone.add(place);
                        } else if (!now.equals(stored)) {
                            changed.add(new Locations.Flags(place, now.toArray(String[]::new)));
                        }
                    });
            locations.mirrorFlags(changed);
            highest = Math.max(highest, read.highestModSeq());
            windows.passed(upTo, read.lastNumber());
            after = upTo;
        }
        return highest;
    }

    /**
     * Messages another client took out of INBOX and that are in no other folder Postroom knows: in Postroom's Trash or
     * Spam when the server has them in its Trash or Junk ({@link MovedElsewhere}; the copy there becomes their location,
     * so a restore in Postroom moves them back), else archived, which is what removing a message from the inbox means.
     */
    private void followOutOfInbox(Mailbox mailbox, IMAPFolder inbox, List<UUID> messages) {
        Map<UUID, String> candidates = new HashMap<>();
        jdbc.sql("SELECT m.id, m.message_id FROM email_message m WHERE m.id = ANY(?) AND m.folder = 'inbox' "
                        + "AND NOT EXISTS (SELECT 1 FROM message_location o WHERE o.message_id = m.id)")
                .param(messages.toArray(UUID[]::new))
                .query(rs -> {
                    candidates.put(rs.getObject(1, UUID.class), rs.getString(2));
                });
        if (candidates.isEmpty()) {
            return;
        }
        Map<String, MovedElsewhere.Found> found = Map.of();
        Set<String> messageIds = new HashSet<>(candidates.values());
        messageIds.remove(null);
        try {
            found = MovedElsewhere.find((IMAPStore) inbox.getStore(), messageIds);
        } catch (MessagingException | RuntimeException e) {
            log.info("{}: could not look for messages in Trash and Junk ({}); they count as archived", mailbox.name(),
                    e.getMessage());
        }
        for (Map.Entry<UUID, String> c : candidates.entrySet()) {
            MovedElsewhere.Found f = c.getValue() == null ? null : found.get(c.getValue());
            if (f == null) {
                states.archivedElsewhere(c.getKey());
                continue;
            }
            states.movedElsewhere(c.getKey(), f.postroomFolder());
            locations.add(new Locations.Place(mailbox.id(), f.serverFolder(), f.uidValidity(), f.uid()), c.getKey(),
                    List.copyOf(f.flags()));
        }
    }
}
