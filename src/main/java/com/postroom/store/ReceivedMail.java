package com.postroom.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import com.postroom.mime.DisplayNames;
import com.postroom.mime.ParsedMail;
import com.postroom.mime.RawMail;

/**
 * Writes received mail into the message tables: the message rows, their verbatim raw copies, attachments, labels and
 * where each one is on a server. Batched (one statement per table per batch), inside the caller's transaction, so a
 * batch and whatever the caller commits with it (a folder's high-water mark) land together or not at all.
 */
@Repository
public class ReceivedMail {

    /** Raw copies are stored in chunks of this size, so a 50 MB message is never whole in the heap. */
    public static final int RAW_CHUNK = 1024 * 1024;
    private static final int BATCH = 200;

    private final JdbcTemplate template;

    ReceivedMail(JdbcTemplate template) {
        this.template = template;
    }

    /** One received message's row, as ingest decided it (a quarantined one has no parse: empty texts, no sender). */
    public record Row(UUID id, long orgId, UUID threadId, String classification, String sender, List<String> to,
                      List<String> cc, String replyTo, String subject, String text, String html, String messageId,
                      String inReplyTo, List<String> references, String metaJson, OffsetDateTime receivedAt,
                      String contentKey, OffsetDateTime sentDate, long rawSize, boolean hasAttachments,
                      boolean autoReply, boolean spam, String quarantineReason, Set<String> flags, String folder,
                      boolean bulk, String attachmentNames) {
    }

    /** Where a message is on a server: its identity there (RFC 3501 UIDVALIDITY and UID) and its flags. */
    public record Location(long mailboxId, String folder, long uidValidity, long uid, UUID messageId,
                           Set<String> flags) {
    }

    public void insertMessages(List<Row> rows) {
        template.batchUpdate("INSERT INTO email_message (id, org_id, thread_id, direction, status, classification, "
                        + "sender, recipients, cc, reply_to, subject, body_plain, body_html, message_id, in_reply_to, "
                        + "references_ids, meta, created_at, updated_at, content_key, sent_date, raw_size, "
                        + "has_attachments, auto_reply, spam, quarantine_reason, seen, flagged, answered, folder, bulk, "
                        + "attachment_names) VALUES (?, ?, ?, 'inbound', '" + MessageStatus.RECEIVED.db() + "', ?, ?, "
                        + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, now(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows, BATCH, (ps, r) -> {
                    var connection = ps.getConnection();
                    int i = 1;
                    ps.setObject(i++, r.id());
                    ps.setLong(i++, r.orgId());
                    ps.setObject(i++, r.threadId());
                    ps.setString(i++, r.classification());
                    ps.setString(i++, r.sender());
                    ps.setArray(i++, connection.createArrayOf("text", r.to().toArray(String[]::new)));
                    ps.setArray(i++, connection.createArrayOf("text", r.cc().toArray(String[]::new)));
                    ps.setString(i++, r.replyTo());
                    ps.setString(i++, DisplayNames.safe(r.subject()));
                    ps.setString(i++, clean(r.text()));
                    ps.setString(i++, clean(r.html()));
                    ps.setString(i++, r.messageId());
                    ps.setString(i++, r.inReplyTo());
                    ps.setArray(i++, connection.createArrayOf("text", r.references().toArray(String[]::new)));
                    ps.setString(i++, r.metaJson());
                    ps.setTimestamp(i++, Timestamp.from(r.receivedAt().toInstant()));
                    ps.setString(i++, r.contentKey());
                    ps.setTimestamp(i++, r.sentDate() == null ? null : Timestamp.from(r.sentDate().toInstant()));
                    ps.setLong(i++, r.rawSize());
                    ps.setBoolean(i++, r.hasAttachments());
                    ps.setBoolean(i++, r.autoReply());
                    ps.setBoolean(i++, r.spam());
                    ps.setString(i++, r.quarantineReason());
                    ps.setBoolean(i++, r.flags().contains("\\Seen"));
                    ps.setBoolean(i++, r.flags().contains("\\Flagged"));
                    ps.setBoolean(i++, r.flags().contains("\\Answered"));
                    ps.setString(i++, r.folder());
                    ps.setBoolean(i++, r.bulk());
                    ps.setString(i, DisplayNames.safe(r.attachmentNames()));
                });
    }

    /**
     * The verbatim raw copies, compressed chunk by chunk ({@link RawChunks}): small ones batched, large ones one chunk
     * at a time.
     */
    public void insertRaw(Map<UUID, RawMail> raws) {
        List<Map.Entry<UUID, RawMail>> small = raws.entrySet().stream()
                .filter(e -> e.getValue().size() <= RAW_CHUNK).toList();
        template.batchUpdate(INSERT_RAW, small, BATCH, (ps, e) -> {
            byte[] plain;
            try (InputStream in = e.getValue().open()) {
                plain = in.readAllBytes();
            } catch (IOException io) {
                throw new UncheckedIOException(io);
            }
            RawChunks.Stored stored = RawChunks.pack(plain);
            ps.setObject(1, e.getKey());
            ps.setInt(2, 0);
            ps.setBytes(3, stored.data());
            ps.setObject(4, stored.plainSize(), Types.INTEGER);
        });
        raws.forEach((id, raw) -> {
            if (raw.size() > RAW_CHUNK) {
                insertChunked(id, raw);
            }
        });
    }

    private static final String INSERT_RAW = "INSERT INTO message_raw (message_id, seq, data, plain_size) "
            + "VALUES (?, ?, ?, ?)";

    private void insertChunked(UUID id, RawMail raw) {
        try (InputStream in = raw.open()) {
            int seq = 0;
            byte[] chunk;
            while ((chunk = in.readNBytes(RAW_CHUNK)).length > 0) {
                RawChunks.Stored stored = RawChunks.pack(chunk);
                template.update(INSERT_RAW, id, seq++, stored.data(), stored.plainSize());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The attachment rows of messages, by message id; a part the HTML shows by cid: is inline. */
    public void insertAttachments(long orgId, Map<UUID, ParsedMail> mails) {
        List<Object[]> rows = new ArrayList<>();
        mails.forEach((id, mail) -> rows.addAll(attachmentRows(id, orgId, mail)));
        template.batchUpdate(INSERT_ATTACHMENT, rows);
    }

    private static final String INSERT_ATTACHMENT = "INSERT INTO email_attachment (message_id, org_id, part_path, "
            + "filename, content_type, size_bytes, sha256, content_id, inline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static List<Object[]> attachmentRows(UUID messageId, long orgId, ParsedMail mail) {
        List<Object[]> rows = new ArrayList<>();
        boolean htmlRefs = mail.html().contains("cid:");
        for (ParsedMail.Part part : mail.attachments()) {
            boolean inline = part.inline() || (htmlRefs && part.contentId() != null
                    && mail.html().contains("cid:" + part.contentId()));
            rows.add(new Object[] {messageId, orgId, part.path(),
                    DisplayNames.safe(part.filename()), part.contentType(), part.size(),
                    part.sha256(), part.contentId() == null ? null : clean(part.contentId()), inline});
        }
        return rows;
    }

    /**
     * A stored message parsed again (a parser repair): its texts, attachments and the attachments label follow the
     * new parse; {@code metaJson} is merged into its meta, replacing the old parse's notes. Classification and the
     * word-based labels stay as they are: people may have acted on them since. False when the new parse reads the
     * message as it is stored, which is then not touched.
     */
    public boolean reparsed(long orgId, UUID id, ParsedMail mail, String metaJson, long attachmentsLabel) {
        List<Object[]> rows = attachmentRows(id, orgId, mail);
        // A message the new parse reads as the old one did is left as it is: a task that cannot tell the broken
        // messages from the others by their rows alone reads some that were right, whose attachments keep their
        // ids (links to them, a draft forwarding them) and whose rows are not rewritten.
        boolean sameBodies = Boolean.TRUE.equals(template.queryForObject("SELECT body_plain = ? AND body_html = ? "
                + "FROM email_message WHERE id = ? AND org_id = ?", Boolean.class, clean(mail.text()),
                clean(mail.html()), id, orgId));
        boolean sameFiles = storedAttachments(id).equals(rows.stream()
                .map(r -> java.util.Arrays.asList(java.util.Arrays.copyOfRange(r, 2, r.length)))
                .sorted(java.util.Comparator.comparing(r -> (String) r.get(0))).toList());
        if (sameBodies && sameFiles) {
            return false;
        }
        template.update("UPDATE email_message SET body_plain = ?, body_html = ?, has_attachments = ?, "
                        + "attachment_names = ?, meta = (meta - 'parse_warnings' - 'body_truncated') || ?::jsonb, "
                        + "updated_at = now() WHERE id = ? AND org_id = ?",
                clean(mail.text()), clean(mail.html()), mail.hasAttachments(), DisplayNames.safe(attachmentNames(mail)), metaJson,
                id, orgId);
        if (!sameFiles) {
            template.update("DELETE FROM email_attachment WHERE message_id = ?", id);
            template.batchUpdate(INSERT_ATTACHMENT, rows);
        }
        template.update(mail.hasAttachments()
                ? "INSERT INTO email_message_label (message_id, label_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
                : "DELETE FROM email_message_label WHERE message_id = ? AND label_id = ?", id, attachmentsLabel);
        return true;
    }

    /** A message's attachment rows as {@link #attachmentRows} writes them, without message and organization. */
    private List<List<Object>> storedAttachments(UUID id) {
        return template.query("SELECT part_path, filename, content_type, size_bytes, sha256, content_id, inline "
                        + "FROM email_attachment WHERE message_id = ? ORDER BY part_path",
                (rs, n) -> java.util.Arrays.<Object>asList(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getLong(4), rs.getString(5), rs.getString(6), rs.getBoolean(7)), id);
    }

    /** Label rows (message id, label id); a pair already there is left as it is. */
    public void addLabels(List<Object[]> messageAndLabel) {
        template.batchUpdate("INSERT INTO email_message_label (message_id, label_id) VALUES (?, ?) "
                + "ON CONFLICT DO NOTHING", messageAndLabel);
    }

    /** Locations; one already known (the same server identity) is left as it is. */
    public void insertLocations(List<Location> locations) {
        template.batchUpdate("INSERT INTO message_location (mailbox_id, folder, uidvalidity, uid, message_id, flags) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", locations.stream()
                .map(l -> new Object[] {l.mailboxId(), l.folder(), l.uidValidity(), l.uid(), l.messageId(),
                        l.flags().toArray(String[]::new)}).toList());
    }

    /** File names of a message's attachments, for search ({@code filename:} and plain words). */
    public static String attachmentNames(ParsedMail m) {
        StringBuilder names = new StringBuilder();
        for (ParsedMail.Part part : m.attachments()) {
            if (part.filename() != null && !part.filename().isBlank()) {
                names.append(names.length() == 0 ? "" : " ").append(part.filename());
            }
        }
        return names.toString();
    }

    /** PostgreSQL text cannot hold NUL; mail sometimes does. */
    public static String clean(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace("\0", "");
    }
}
