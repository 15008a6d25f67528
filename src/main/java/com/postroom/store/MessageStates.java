package com.postroom.store;

import static com.postroom.store.MessageStatus.ARCHIVED;
import static com.postroom.store.MessageStatus.BOUNCED;
import static com.postroom.store.MessageStatus.DELETED_PENDING;
import static com.postroom.store.MessageStatus.DELIVERED;
import static com.postroom.store.MessageStatus.RECEIVED;
import static com.postroom.store.MessageStatus.SENT;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import tools.jackson.databind.json.JsonMapper;

/**
 * Where a stored message stands and what happened to it: its folder, flags and status. Every change to an existing
 * message's place or state is written here, whoever asks for it (a reader in the UI, another IMAP client, a bounce,
 * a delivery report), so the rules that tie folder and status together are in one place: archiving received mail
 * makes it {@code archived}, bringing it back makes it {@code received} again, and a bounce is never overwritten by
 * a later "delivered".
 */
@Repository
public class MessageStates {

    /** The flags a reader sets, and the IMAP system flag each one mirrors. */
    public enum Flag {
        SEEN("seen", "\\Seen"), FLAGGED("flagged", "\\Flagged");

        private final String column;
        private final String imap;

        Flag(String column, String imap) {
            this.column = column;
            this.imap = imap;
        }

        public String imap() {
            return imap;
        }
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;

    MessageStates(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    // A reader's changes (mailbox.MailChanges): always within the caller's organization.

    public void setFlag(long orgId, UUID[] ids, Flag flag, boolean on) {
        // The column comes from the enum, never from input.
        jdbc.sql("UPDATE email_message SET " + flag.column + " = ?, updated_at = now() WHERE org_id = ? AND id = ANY(?)")
                .params(on, orgId, ids).update();
    }

    /** Out of the inbox (or spam): received and sent mail counts as archived; drafts and failures keep their status. */
    public void archive(long orgId, UUID[] ids) {
        jdbc.sql("UPDATE email_message SET status = CASE WHEN status IN (?, ?, ?) OR direction = 'inbound' THEN ? "
                        + "ELSE status END, folder = CASE WHEN folder IN ('inbox', 'spam') THEN 'archive' ELSE folder END, "
                        + "spam = false, folder_before = NULL, updated_at = now() WHERE org_id = ? AND id = ANY(?)")
                .params(RECEIVED.db(), DELIVERED.db(), SENT.db(), ARCHIVED.db(), orgId, ids).update();
    }

    /** Back to the inbox (received mail) or Sent (mail sent), not spam. */
    public void toInbox(long orgId, UUID[] ids) {
        jdbc.sql("UPDATE email_message SET folder = CASE WHEN direction = 'inbound' THEN 'inbox' ELSE 'sent' END, "
                        + "status = CASE WHEN status = ? THEN CASE WHEN direction = 'inbound' THEN ? ELSE ? END "
                        + "ELSE status END, spam = false, folder_before = NULL, updated_at = now() "
                        + "WHERE org_id = ? AND id = ANY(?)")
                .params(ARCHIVED.db(), RECEIVED.db(), SENT.db(), orgId, ids).update();
    }

    /** Into Trash or Spam, remembering where each came from (unless it was already in one of them). */
    public void toTrashOrSpam(long orgId, UUID[] ids, boolean spam) {
        String to = spam ? "spam" : "trash";
        jdbc.sql("UPDATE email_message SET folder_before = CASE WHEN folder IN ('trash', 'spam') "
                        + "THEN folder_before ELSE folder END, folder = ?, spam = (? OR spam AND ? = 'trash'), "
                        + "updated_at = now() WHERE org_id = ? AND id = ANY(?)")
                .params(to, spam, to, orgId, ids).update();
    }

    /** Out of Trash or Spam, to where each came from. */
    public void restore(long orgId, UUID[] ids) {
        jdbc.sql("UPDATE email_message SET folder = coalesce(folder_before, "
                        + "CASE WHEN direction = 'inbound' THEN 'inbox' ELSE 'sent' END), folder_before = NULL, "
                        + "spam = false, updated_at = now() WHERE org_id = ? AND id = ANY(?) "
                        + "AND folder IN ('trash', 'spam')")
                .params(orgId, ids).update();
    }

    /** Deleted through the original API: hidden, kept until retention lets it go. */
    public void markDeleted(long orgId, UUID id) {
        jdbc.sql("UPDATE email_message SET status = ?, deleted_at = now(), updated_at = now() WHERE id = ? "
                + "AND org_id = ?").params(DELETED_PENDING.db(), id, orgId).update();
    }

    // Another IMAP client's changes (inbound.FlagMirror): the message is known by id only.

    /** Another client took it out of INBOX and it is nowhere else Postroom knows: archived. */
    public void archivedElsewhere(UUID id) {
        jdbc.sql("UPDATE email_message SET folder = 'archive', status = CASE WHEN status = ? THEN ? ELSE status END, "
                + "updated_at = now() WHERE id = ?").params(RECEIVED.db(), ARCHIVED.db(), id).update();
    }

    /** Another client moved it from INBOX to the server's Trash or Junk: Postroom's Trash or Spam. */
    public void movedElsewhere(UUID id, String postroomFolder) {
        jdbc.sql("UPDATE email_message SET folder_before = 'inbox', folder = ?, spam = (? OR spam), "
                + "updated_at = now() WHERE id = ?").params(postroomFolder, postroomFolder.equals("spam"), id).update();
    }

    // What happened to mail sent: the outbox's outcome, bounces, reports.

    /**
     * The part of a statement that sets messages' status after their delivery attempts. The outbox writes its own
     * rows, the attempts and this in one statement for a group of server replies (see docs/benchmarks.md), so it
     * takes the text from here: a common table expression that reads {@code id} and {@code status} from the rows of
     * {@code source}.
     */
    public static String deliveryOutcomes(String name, String source) {
        // Scheduled mail moves to Sent once its attempt is over (sent, or failed for good: Sent says which).
        // updated_at stays when the mail went (so the row is updated in place, migration 25); a failure updates it,
        // which is how the founder's digest finds the day's failures.
        return name + " AS (UPDATE email_message m SET status = " + source + ".status, folder = CASE WHEN m.folder = "
                + "'scheduled' THEN 'sent' ELSE m.folder END, updated_at = CASE WHEN " + source + ".status = 'sent' "
                + "THEN m.updated_at ELSE now() END FROM " + source + " WHERE m.id = " + source + ".id "
                // The ids as an array too: the planner cannot know how few rows the source has, and joined alone it
                // chose to scan the whole table (measured: 4 ms per group of two replies at 4,000 messages).
                + "AND m.id = ANY(ARRAY(SELECT id FROM " + source + ")))";
    }

    /** A bounce (a DSN, or Postmark's Bounce event): bounced, with the bounce kept in the message's meta. */
    public void bounced(long orgId, UUID id, Map<String, Object> bounce) {
        jdbc.sql("UPDATE email_message SET status = ?, updated_at = now(), meta = jsonb_set(meta, '{bounces}', "
                        + "COALESCE(meta->'bounces', '[]'::jsonb) || ?::jsonb) WHERE id = ? AND org_id = ?")
                .params(BOUNCED.db(), json.writeValueAsString(List.of(bounce)), id, orgId).update();
    }

    /** A delivery report: the new status, unless the message bounced already (a bounce is the last word). */
    public void reported(long orgId, UUID id, MessageStatus status) {
        jdbc.sql("UPDATE email_message SET status = ?, updated_at = now() WHERE id = ? AND org_id = ? AND status <> ?")
                .params(status.db(), id, orgId, BOUNCED.db()).update();
    }

    /** A recipient reported it as spam. */
    public void spamComplaint(long orgId, UUID id, String email) {
        jdbc.sql("UPDATE email_message SET meta = meta || jsonb_build_object('spam_complaint', ?::text), "
                + "updated_at = now() WHERE id = ? AND org_id = ?").params(email, id, orgId).update();
    }

    // Upkeep.

    /**
     * These messages' search documents written again, in the current search language: the trigger (migration
     * R__search_document) computes a document for every row written with none.
     */
    public void rebuildSearchDocuments(List<UUID> ids) {
        jdbc.sql("UPDATE email_message SET search_doc = NULL WHERE id = ANY(?)").param(ids.toArray(UUID[]::new))
                .update();
    }

    /**
     * Writes the search documents of up to {@code limit} messages stored without them (see
     * {@link Messages#insertOutboundAll}); how many it wrote. Rows another instance is writing are skipped.
     */
    public int indexPending(int limit) {
        return jdbc.sql("UPDATE email_message SET search_doc = NULL WHERE id IN (SELECT id FROM email_message "
                        + "WHERE search_words IS NULL ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)")
                .param(limit).update();
    }

    /** Whether any message waits for its search document, including those another transaction is writing now. */
    public boolean anyPendingIndex() {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM email_message WHERE search_words IS NULL)")
                .query(Boolean.class).single();
    }

    /** Marks a message with a meta key set to true (e.g. that a repair was tried on it). */
    public void mark(UUID id, String metaKey) {
        jdbc.sql("UPDATE email_message SET meta = meta || jsonb_build_object(?::text, true) WHERE id = ?")
                .params(metaKey, id).update();
    }
}
