package com.postroom.store;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Messages, always read and written within one organization. */
@Repository
public class Messages {

    private static final String COLUMNS = "id, thread_id, direction, status, classification, sender, recipients, cc, "
            + "bcc, subject, body_plain, body_html, message_id, in_reply_to, references_ids, meta, created_at";
    /** Drafts are compared with often enough to name the literal once. */
    private static final String DRAFT = MessageStatus.DRAFT.sql();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final JdbcClient jdbc;
    private final org.springframework.jdbc.core.JdbcTemplate template;
    private final JsonMapper json;
    private final ReceivedMail received;

    Messages(JdbcClient jdbc, org.springframework.jdbc.core.JdbcTemplate template, JsonMapper json,
             ReceivedMail received) {
        this.template = template;
        this.jdbc = jdbc;
        this.json = json;
        this.received = received;
    }

    /** What an outbound message is stored with; the message id header and threading come from the composer. */
    public record NewOutbound(long orgId, UUID threadId, String status, String classification, String sender,
                              List<String> recipients, List<String> cc, List<String> bcc, String replyTo,
                              String subject, String bodyPlain, String bodyHtml, String messageId, String inReplyTo,
                              List<String> references, Map<String, Object> meta, Long createdBy,
                              boolean scheduled) {
        /** Sent now (after the undo window at most): in Sent. */
        public NewOutbound(long orgId, UUID threadId, String status, String classification, String sender,
                           List<String> recipients, List<String> cc, List<String> bcc, String replyTo, String subject,
                           String bodyPlain, String bodyHtml, String messageId, String inReplyTo,
                           List<String> references, Map<String, Object> meta, Long createdBy) {
            this(orgId, threadId, status, classification, sender, recipients, cc, bcc, replyTo, subject, bodyPlain,
                    bodyHtml, messageId, inReplyTo, references, meta, createdBy, false);
        }
    }

    /** What the composer has typed so far, kept as a draft (folder Drafts). */
    public record Draft(long orgId, Long createdBy, UUID threadId, String sender, List<String> to, List<String> cc,
                        List<String> bcc, String subject, String body, String bodyHtml) {
        public Draft(long orgId, Long createdBy, UUID threadId, String sender, List<String> to, List<String> cc,
                     List<String> bcc, String subject, String body) {
            this(orgId, createdBy, threadId, sender, to, cc, bcc, subject, body, "");
        }
    }

    /** A new draft; its id. */
    public UUID insertDraft(Draft d) {
        return jdbc.sql("INSERT INTO email_message (org_id, thread_id, direction, status, sender, recipients, cc, bcc, "
                        + "subject, body_plain, body_html, created_by, folder, seen) VALUES (?, ?, 'outbound', "
                        + DRAFT + ", "
                        + "?, ?, ?, ?, ?, ?, ?, ?, 'drafts', true) RETURNING id")
                .params(d.orgId(), d.threadId(), d.sender(), array(d.to()), array(d.cc()), array(d.bcc()), d.subject(),
                        d.body(), d.bodyHtml(), d.createdBy())
                .query(UUID.class).single();
    }

    /**
     * The draft as typed now. False when it is no draft any more (sent, or discarded): an autosave that arrives after
     * Send must not bring it back.
     */
    public boolean updateDraft(UUID id, Draft d) {
        return jdbc.sql("UPDATE email_message SET sender = ?, recipients = ?, cc = ?, bcc = ?, subject = ?, "
                        + "body_plain = ?, body_html = ?, updated_at = now() WHERE id = ? AND org_id = ? "
                        + "AND status = " + DRAFT + " AND deleted_at IS NULL")
                .params(d.sender(), array(d.to()), array(d.cc()), array(d.bcc()), d.subject(), d.body(), d.bodyHtml(),
                        id, d.orgId())
                .update() == 1;
    }

    /** A draft that was sent (as a new message) is done with. */
    public void discardDraft(long orgId, UUID id) {
        jdbc.sql("UPDATE email_message SET deleted_at = now() WHERE id = ? AND org_id = ? AND status = " + DRAFT)
                .params(id, orgId).update();
    }

    /** An outbound message taken back before it was sent: a draft again, in Drafts. */
    public void toDrafts(long orgId, UUID id) {
        jdbc.sql("UPDATE email_message SET status = " + DRAFT + ", folder = 'drafts', updated_at = now() WHERE id = ? "
                + "AND org_id = ?").params(id, orgId).update();
    }

    public StoredMessage insertOutbound(NewOutbound m) {
        return jdbc.sql("INSERT INTO email_message (org_id, thread_id, direction, status, classification, sender, "
                        + "recipients, cc, bcc, reply_to, subject, body_plain, body_html, message_id, in_reply_to, "
                        + "references_ids, meta, created_by, folder, seen) VALUES (?, ?, 'outbound', ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        + "?, ?, ?, ?, ?::jsonb, ?, ?, true) RETURNING " + COLUMNS)
                .params(m.orgId(), m.threadId(), m.status(), m.classification(), m.sender(), array(m.recipients()),
                        array(m.cc()), array(m.bcc()), m.replyTo(), m.subject(), m.bodyPlain(), m.bodyHtml(),
                        m.messageId(), m.inReplyTo(), array(m.references()), json.writeValueAsString(m.meta()),
                        m.createdBy(), m.scheduled() ? "scheduled" : "sent")
                .query(this::view).single();
    }

    /** An outbound message with the id the sending core gave it, and what its files are called (if it has any). */
    public record OutboundRow(UUID id, NewOutbound message, boolean hasAttachments, String attachmentNames,
                              OffsetDateTime createdAt) {
        /** The row as {@link #find} would read it back. */
        public StoredMessage stored() {
            return new StoredMessage(id, message.threadId(), "outbound", message.status(), message.classification(),
                    message.sender(), message.recipients(), message.cc(), message.bcc(), message.subject(),
                    message.bodyPlain(), message.bodyHtml(), message.messageId(), message.inReplyTo(),
                    message.references(), message.meta(), createdAt);
        }
    }

    /**
     * Many outbound messages in one statement (the driver sends the batch as multi-row INSERTs): the sending core's
     * group of drafts, accepted in one transaction with one statement per table.
     */
    public void insertOutboundAll(List<OutboundRow> rows) {
        // Queued mail is stored without its search documents, which search.SearchIndexer writes a moment later, four
        // times a second (R__search_document.sql): the words, their phrase pairs and their index entries were most
        // of PostgreSQL's work in accepting a send (bench/db/store_cost.sh), and 500 messages carried about 200 ms of
        // it that the caller need not wait for. Written later in bulk it is also less work (concurrent sends in
        // groups of 8: 9.77 M instructions a message against 10.45 M). The list shows the mail at once; a search
        // says how many messages it cannot find yet (MailSearch.pendingIndexing).
        insertRows(rows);
    }

    private void insertRows(List<OutboundRow> rows) {
        template.batchUpdate("INSERT INTO email_message (id, org_id, thread_id, direction, status, classification, "
                        + "sender, recipients, cc, bcc, reply_to, subject, body_plain, body_html, message_id, "
                        + "in_reply_to, references_ids, meta, created_by, folder, seen, has_attachments, "
                        + "attachment_names, created_at) VALUES (?, ?, ?, 'outbound', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        + "?, ?, ?, ?::jsonb, ?, ?, true, ?, ?, ?)",
                rows, 200, (ps, r) -> {
                    var connection = ps.getConnection();
                    NewOutbound m = r.message();
                    int i = 1;
                    ps.setObject(i++, r.id());
                    ps.setLong(i++, m.orgId());
                    ps.setObject(i++, m.threadId());
                    ps.setString(i++, m.status());
                    ps.setString(i++, m.classification());
                    ps.setString(i++, m.sender());
                    ps.setArray(i++, connection.createArrayOf("text", array(m.recipients())));
                    ps.setArray(i++, connection.createArrayOf("text", array(m.cc())));
                    ps.setArray(i++, connection.createArrayOf("text", array(m.bcc())));
                    ps.setString(i++, m.replyTo());
                    ps.setString(i++, m.subject());
                    ps.setString(i++, m.bodyPlain());
                    ps.setString(i++, m.bodyHtml());
                    ps.setString(i++, m.messageId());
                    ps.setString(i++, m.inReplyTo());
                    ps.setArray(i++, connection.createArrayOf("text", array(m.references())));
                    ps.setString(i++, json.writeValueAsString(m.meta()));
                    ps.setObject(i++, m.createdBy(), java.sql.Types.BIGINT);
                    ps.setString(i++, m.scheduled() ? "scheduled" : "sent");
                    ps.setBoolean(i++, r.hasAttachments());
                    ps.setString(i++, r.attachmentNames());
                    ps.setObject(i, r.createdAt());
                });
    }

    /** The raw copies and attachment rows of messages just inserted with {@link #insertOutboundAll}. */
    public void keepFilesOf(long orgId, Map<UUID, com.postroom.mime.RawMail> raws,
                            Map<UUID, com.postroom.mime.ParsedMail> parsed) {
        received.insertRaw(raws);
        received.insertAttachments(orgId, parsed);
    }

    /** What a sent message lists as its attachments' names (searchable, shown in Sent). */
    public static String attachmentNames(com.postroom.mime.ParsedMail parsed) {
        return ReceivedMail.clean(ReceivedMail.attachmentNames(parsed));
    }

    public List<StoredMessage> findAll(long orgId, List<UUID> ids) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM email_message WHERE org_id = ? AND id = ANY(?)")
                .params(orgId, ids.toArray(UUID[]::new)).query(this::view).list();
    }

    /**
     * A sent message's own bytes and its files, kept like received mail's (raw copy, attachment rows, the paperclip),
     * so Sent lists, downloads, previews and forwards its attachments, and a message taken back keeps them.
     */
    public void keepFiles(long orgId, UUID id, com.postroom.mime.RawMail raw, com.postroom.mime.ParsedMail parsed) {
        received.insertRaw(Map.of(id, raw));
        received.insertAttachments(orgId, Map.of(id, parsed));
        jdbc.sql("UPDATE email_message SET has_attachments = ?, attachment_names = ? WHERE id = ? AND org_id = ?")
                .params(parsed.hasAttachments(), attachmentNames(parsed), id, orgId)
                .update();
    }

    /**
     * A draft's files as they are now: the old copy and attachment rows go, the new ones (if any) come in. Only for a
     * draft: a sent or received message's files never change.
     */
    public void replaceFiles(long orgId, UUID id, com.postroom.mime.RawMail raw, com.postroom.mime.ParsedMail parsed) {
        jdbc.sql("DELETE FROM email_attachment WHERE message_id = ? AND org_id = ?").params(id, orgId).update();
        jdbc.sql("DELETE FROM message_raw WHERE message_id = ?").param(id).update();
        if (raw == null) {
            jdbc.sql("UPDATE email_message SET has_attachments = false, attachment_names = '' WHERE id = ? "
                    + "AND org_id = ?").params(id, orgId).update();
            return;
        }
        keepFiles(orgId, id, raw, parsed);
    }

    /** Whether the message is a draft of the organization, not sent or discarded. */
    public boolean isDraft(long orgId, UUID id) {
        return jdbc.sql("SELECT count(*) FROM email_message WHERE id = ? AND org_id = ? AND status = " + DRAFT
                + " AND deleted_at IS NULL").params(id, orgId).query(Long.class).single() > 0;
    }

    /** Whether the organization has this message, not deleted. */
    public boolean exists(long orgId, UUID id) {
        return jdbc.sql("SELECT count(*) FROM email_message WHERE id = ? AND org_id = ? AND deleted_at IS NULL")
                .params(id, orgId).query(Long.class).single() > 0;
    }

    public Optional<StoredMessage> find(long orgId, UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM email_message WHERE id = ? AND org_id = ?").params(id, orgId)
                .query(this::view).optional();
    }

    /** Newest first, optionally within one thread. */
    public List<StoredMessage> list(long orgId, Optional<UUID> threadId, int limit, int offset) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM email_message WHERE org_id = ? AND (?::uuid IS NULL OR thread_id = ?) "
                        + "AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?")
                .params(orgId, threadId.orElse(null), threadId.orElse(null), limit, offset)
                .query(this::view).list();
    }

    /** These messages, in the order of the ids given; ids of other organizations are left out. */
    public List<StoredMessage> byIds(long orgId, List<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        java.util.Map<UUID, StoredMessage> byId = new java.util.HashMap<>();
        jdbc.sql("SELECT " + COLUMNS + " FROM email_message WHERE org_id = ? AND id = ANY(?)")
                .params(orgId, ids.toArray(UUID[]::new)).query(this::view).list()
                .forEach(m -> byId.put(m.id(), m));
        return ids.stream().map(byId::get).filter(java.util.Objects::nonNull).toList();
    }

    /** A thread's messages, oldest first. */
    public List<StoredMessage> ofThread(long orgId, UUID threadId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM email_message WHERE org_id = ? AND thread_id = ? "
                        + "AND deleted_at IS NULL ORDER BY created_at, sent_date NULLS LAST, id") // ties: the Date written
                .params(orgId, threadId).query(this::view).list();
    }

    /** The newest message of a thread, whose Message-ID a reply in that thread refers to. */
    public Optional<StoredMessage> latestInThread(long orgId, UUID threadId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM email_message WHERE thread_id = ? AND org_id = ? "
                        + "ORDER BY created_at DESC, id DESC LIMIT 1").params(threadId, orgId)
                .query(this::view).optional();
    }

    private StoredMessage view(ResultSet rs, int row) throws SQLException {
        return new StoredMessage(rs.getObject("id", UUID.class), rs.getObject("thread_id", UUID.class),
                rs.getString("direction"), rs.getString("status"), rs.getString("classification"),
                rs.getString("sender"), list(rs.getArray("recipients")), list(rs.getArray("cc")),
                list(rs.getArray("bcc")), rs.getString("subject"), rs.getString("body_plain"),
                rs.getString("body_html"), rs.getString("message_id"), rs.getString("in_reply_to"),
                list(rs.getArray("references_ids")), json.readValue(rs.getString("meta"), MAP),
                rs.getObject("created_at", OffsetDateTime.class));
    }

    static String[] array(List<String> values) {
        return values == null ? new String[0] : values.toArray(String[]::new);
    }

    public static List<String> list(Array array) throws SQLException {
        return array == null ? List.of() : List.of((String[]) array.getArray());
    }

    /** Suggestions for To, Cc and Bcc: the people who wrote in lately and the people written to, most recent first. */
    public List<String> knownAddresses(long orgId) {
        return jdbc.sql("SELECT a FROM (SELECT a, max(at) AS last FROM ("
                        + "(SELECT sender AS a, created_at AS at FROM email_message WHERE org_id = ? "
                        + "AND direction = 'inbound' AND NOT spam ORDER BY created_at DESC LIMIT 2000) UNION ALL "
                        + "(SELECT unnest(recipients || cc) AS a, created_at AS at FROM email_message WHERE org_id = ? "
                        + "AND direction = 'outbound' AND status <> " + DRAFT
                        + " ORDER BY created_at DESC LIMIT 1000)) s "
                        + "WHERE a <> '' GROUP BY a) d ORDER BY last DESC LIMIT 200")
                .params(orgId, orgId).query(String.class).list();
    }

    /** The ids of a thread's messages, not deleted. */
    public List<UUID> idsOfThread(long orgId, UUID threadId) {
        return jdbc.sql("SELECT id FROM email_message WHERE org_id = ? AND thread_id = ? AND deleted_at IS NULL")
                .params(orgId, threadId).query(UUID.class).list();
    }

    /** Sender and arrival time of messages, oldest first: what an mbox export writes before each one. */
    public record Envelope(UUID id, String sender, java.time.OffsetDateTime createdAt) {
    }

    public List<Envelope> envelopes(long orgId, List<UUID> ids) {
        return jdbc.sql("SELECT id, sender, created_at AS createdAt FROM email_message "
                        + "WHERE org_id = ? AND id = ANY(?) "
                        + "ORDER BY created_at, id")
                .params(orgId, ids.toArray(UUID[]::new)).query(Envelope.class).list();
    }

    /** Messages that could not be parsed and are kept raw, with the reason, newest first. */
    public List<java.util.Map<String, Object>> quarantined(long orgId, int limit, int offset) {
        return jdbc.sql("SELECT id, thread_id, quarantine_reason, raw_size, message_id, created_at FROM email_message "
                        + "WHERE org_id = ? AND quarantine_reason IS NOT NULL ORDER BY created_at DESC LIMIT ? OFFSET ?")
                .params(orgId, limit, offset).query().listOfRows();
    }
}
