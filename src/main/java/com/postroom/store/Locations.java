package com.postroom.store;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Where stored messages are on an IMAP server: a mailbox, a folder, its UIDVALIDITY and the UID, with the flags the
 * server had. Written when mail arrives ({@link ReceivedMail}), when flags or places change on the server, and when
 * Postroom's own changes are written back; a message's seen, flagged and answered follow its location's flags.
 */
@Repository
public class Locations {

    /** A message's place on a server. */
    public record Place(long mailboxId, String folder, long uidValidity, long uid) {
    }

    /** The flags the server has now for a place. */
    public record Flags(Place place, String[] flags) {
    }

    private final JdbcClient jdbc;
    private final JdbcTemplate template;

    Locations(JdbcClient jdbc, JdbcTemplate template) {
        this.jdbc = jdbc;
        this.template = template;
    }

    /** The server's flags, kept on the locations and mirrored into their messages' seen, flagged and answered. */
    public void mirrorFlags(List<Flags> changed) {
        if (changed.isEmpty()) {
            return;
        }
        template.batchUpdate("UPDATE message_location SET flags = ? WHERE mailbox_id = ? AND folder = ? "
                + "AND uidvalidity = ? AND uid = ?", changed.stream().map(f -> new Object[] {f.flags(),
                f.place().mailboxId(), f.place().folder(), f.place().uidValidity(), f.place().uid()}).toList());
        template.batchUpdate("UPDATE email_message m SET seen = '\\Seen' = ANY(l.flags), "
                        + "flagged = '\\Flagged' = ANY(l.flags), answered = '\\Answered' = ANY(l.flags), "
                        + "updated_at = now() FROM message_location l WHERE l.message_id = m.id AND l.mailbox_id = ? "
                        + "AND l.folder = ? AND l.uidvalidity = ? AND l.uid = ?",
                changed.stream().map(f -> params(f.place())).toList());
    }

    /** The message is no longer at this place; the id of the message that was, if any. */
    public Optional<UUID> remove(Place p) {
        return jdbc.sql("DELETE FROM message_location WHERE mailbox_id = ? AND folder = ? AND uidvalidity = ? "
                + "AND uid = ? RETURNING message_id").params(params(p)).query(UUID.class).optional();
    }

    /** A message found at another place too (moved there by another client). */
    public void add(Place p, UUID messageId, List<String> flags) {
        jdbc.sql("INSERT INTO message_location (mailbox_id, folder, uidvalidity, uid, message_id, flags) "
                        + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(p.mailboxId(), p.folder(), p.uidValidity(), p.uid(), messageId, flags.toArray(String[]::new))
                .update();
    }

    /** Postroom moved the message on the server: it is now at {@code to}. */
    public void moved(Place from, Place to) {
        jdbc.sql("UPDATE message_location SET folder = ?, uidvalidity = ?, uid = ? WHERE mailbox_id = ? "
                        + "AND folder = ? AND uidvalidity = ? AND uid = ?")
                .params(to.folder(), to.uidValidity(), to.uid(), from.mailboxId(), from.folder(), from.uidValidity(),
                        from.uid())
                .update();
    }

    /** The folder's UIDVALIDITY changed: every place under another one is gone (its messages are matched again). */
    public void forgetOtherValidities(long mailboxId, String folder, long uidValidity) {
        jdbc.sql("DELETE FROM message_location WHERE mailbox_id = ? AND folder = ? AND uidvalidity <> ?")
                .params(mailboxId, folder, uidValidity).update();
    }

    private static Object[] params(Place p) {
        return new Object[] {p.mailboxId(), p.folder(), p.uidValidity(), p.uid()};
    }
}
