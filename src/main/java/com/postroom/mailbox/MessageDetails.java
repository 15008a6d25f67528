package com.postroom.mailbox;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import com.postroom.mime.DisplayNames;
import com.postroom.store.MessageSummary;
import com.postroom.store.Messages;
import com.postroom.store.MessageStatus;
import com.postroom.store.Summaries;

/** One message as a reader opens it: headers, flags, labels, attachments, text and HTML made safe to show. */
@Repository
public class MessageDetails {

    private final JdbcClient jdbc;
    private final Summaries summaries;
    private final InlineImages inlineImages;

    MessageDetails(JdbcClient jdbc, Summaries summaries, InlineImages inlineImages) {
        this.jdbc = jdbc;
        this.summaries = summaries;
        this.inlineImages = inlineImages;
    }

    public record AttachmentInfo(UUID id, String filename, String contentType, long sizeBytes, String sha256,
                                 boolean inline, String contentId, String url) {

        /** The name to show: the mail's own, else one from the type ("invite.ics"); not part of the API's JSON. */
        public String displayName() {
            return AttachmentNames.orDefault(filename, contentType, id);
        }
    }

    public record Detail(UUID id, UUID threadId, String direction, String folder, String status,
                         String classification, String from, String fromName, List<String> to, List<String> cc,
                         List<String> bcc, String replyTo, String subject, OffsetDateTime date,
                         OffsetDateTime createdAt, String messageId, String inReplyTo, List<String> references,
                         boolean seen, boolean flagged, boolean answered, boolean spam, String quarantineReason,
                         List<MessageSummary.LabelChip> labels, List<AttachmentInfo> attachments, String text,
                         String html, boolean remoteContentBlocked, String rawUrl) {
    }

    /**
     * Why the thread's outbound messages that were not delivered were not, as the refusing server said it: the
     * bounce report's diagnostic, else the outbox's refusals ("bob@example.org: 550 5.1.1 User unknown").
     */
    /** When each scheduled message of a thread is due to go (the outbox's next attempt), by message id. */
    public java.util.Map<UUID, OffsetDateTime> scheduledTimes(long orgId, UUID threadId) {
        java.util.Map<UUID, OffsetDateTime> out = new java.util.HashMap<>();
        jdbc.sql("SELECT m.id, o.next_attempt_at FROM email_message m JOIN outbox o ON o.message_id = m.id "
                        + "WHERE m.org_id = ? AND m.thread_id = ? AND m.folder = 'scheduled'")
                .params(orgId, threadId)
                .query(rs -> {
                    out.put(rs.getObject(1, UUID.class), rs.getObject(2, OffsetDateTime.class));
                });
        return out;
    }

    public java.util.Map<UUID, String> deliveryProblems(long orgId, UUID threadId) {
        java.util.Map<UUID, String> out = new java.util.HashMap<>();
        jdbc.sql("SELECT m.id, coalesce(bn.diagnostic, o.last_error, 'The receiving server refused it.') "
                        + "FROM email_message m LEFT JOIN outbox o ON o.message_id = m.id "
                        + "LEFT JOIN LATERAL (SELECT b.recipient || ': ' || coalesce(b.diagnostic, b.status_code, "
                        + "'bounced') AS diagnostic FROM bounce b WHERE b.outbound_message = m.id ORDER BY b.id DESC "
                        + "LIMIT 1) bn ON true WHERE m.org_id = ? AND m.thread_id = ? AND m.direction = 'outbound' "
                        + "AND " + MessageStatus.notDelivered("m"))
                .params(orgId, threadId)
                .query(rs -> {
                    out.put(rs.getObject(1, UUID.class), rs.getString(2));
                });
        return out;
    }

    public Optional<Detail> find(long orgId, UUID id, boolean remoteImages) {
        List<Detail> list = of(orgId, List.of(id), remoteImages, false);
        return list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
    }

    /** Messages of a thread, oldest first; {@code cid:} images link to the attachment route (for API clients). */
    public List<Detail> ofThread(long orgId, UUID threadId, boolean remoteImages) {
        return of(orgId, threadIds(orgId, threadId), remoteImages, false);
    }

    /**
     * Messages of a thread for the web UI, whose sandboxed frame cannot fetch with the reader's session:
     * {@code cid:} images are carried inside the HTML as {@code data:} URLs.
     */
    public List<Detail> ofThreadForBrowser(long orgId, UUID threadId, boolean remoteImages) {
        return of(orgId, threadIds(orgId, threadId), remoteImages, true);
    }

    private List<UUID> threadIds(long orgId, UUID threadId) {
        return jdbc.sql("SELECT id FROM email_message WHERE org_id = ? AND thread_id = ? AND deleted_at IS NULL "
                // Arrival times have a second's resolution (IMAP INTERNALDATE) and a synced batch often shares one:
                // ties go by the Date the sender wrote, so a conversation reads in order.
                + "ORDER BY created_at, sent_date NULLS LAST, id").params(orgId, threadId).query(UUID.class).list();
    }

    private List<Detail> of(long orgId, List<UUID> ids, boolean remoteImages, boolean embedInlineImages) {
        if (ids.isEmpty()) {
            return List.of();
        }
        UUID[] array = ids.toArray(UUID[]::new);
        Map<UUID, List<AttachmentInfo>> attachments = new HashMap<>();
        Map<UUID, List<InlineImages.Part>> inlineParts = new HashMap<>();
        jdbc.sql("SELECT id, message_id, filename, content_type, size_bytes, sha256, inline, content_id, part_path "
                        + "FROM email_attachment WHERE org_id = ? AND message_id = ANY(?) ORDER BY part_path")
                .params(orgId, array)
                .query(rs -> {
                    UUID aid = rs.getObject(1, UUID.class);
                    UUID mid = rs.getObject(2, UUID.class);
                    attachments.computeIfAbsent(mid, k -> new ArrayList<>())
                            .add(new AttachmentInfo(aid, rs.getString(3), rs.getString(4), rs.getLong(5),
                                    rs.getString(6), rs.getBoolean(7), rs.getString(8), "/api/mail/attachments/" + aid));
                    if (rs.getString(8) != null) {
                        inlineParts.computeIfAbsent(mid, k -> new ArrayList<>()).add(new InlineImages.Part(
                                rs.getString(8), rs.getString(9), rs.getString(4), rs.getString(3), rs.getLong(5)));
                    }
                });
        Map<UUID, List<MessageSummary.LabelChip>> labels = summaries.labelsOf(orgId, array);
        // Read before the main query, so no second connection is taken while its rows are open.
        Map<UUID, Map<String, String>> embedded = new HashMap<>();
        if (embedInlineImages) {
            inlineParts.forEach((mid, list) -> embedded.put(mid, inlineImages.dataUrls(mid, list)));
        }
        Map<UUID, Detail> byId = new HashMap<>();
        jdbc.sql("SELECT id, thread_id, direction, folder, status, classification, sender, meta ->> 'from_name', "
                        + "recipients, cc, bcc, reply_to, subject, sent_date, created_at, message_id, in_reply_to, "
                        + "references_ids, seen, flagged, answered, spam, quarantine_reason, body_plain, body_html "
                        + "FROM email_message WHERE org_id = ? AND id = ANY(?) AND deleted_at IS NULL")
                .params(orgId, array)
                .query(rs -> {
                    UUID mid = rs.getObject(1, UUID.class);
                    List<AttachmentInfo> parts = attachments.getOrDefault(mid, List.of());
                    String bodyHtml = rs.getString("body_html");
                    Function<String, String> cidUrl;
                    if (embedInlineImages) {
                        Map<String, String> data = embedded.getOrDefault(mid, Map.of());
                        cidUrl = cid -> InlineImages.lookup(data, cid);
                    } else {
                        cidUrl = cid -> parts.stream().filter(p -> cid.equalsIgnoreCase(stripBrackets(p.contentId())))
                                .findFirst().map(p -> p.url() + "?inline=true").orElse(null);
                    }
                    HtmlSanitizer.Result html = HtmlSanitizer.sanitize(bodyHtml, cidUrl, remoteImages);
                    OffsetDateTime created = rs.getObject("created_at", OffsetDateTime.class);
                    OffsetDateTime sent = rs.getObject("sent_date", OffsetDateTime.class);
                    byId.put(mid, new Detail(mid, rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), DisplayNames.safe(rs.getString(8)),
                            Messages.list(rs.getArray(9)), Messages.list(rs.getArray(10)),
                            Messages.list(rs.getArray(11)), rs.getString(12), DisplayNames.safe(rs.getString(13)),
                            sent != null ? sent : created, created, rs.getString(16), rs.getString(17),
                            Messages.list(rs.getArray(18)), rs.getBoolean(19), rs.getBoolean(20), rs.getBoolean(21),
                            rs.getBoolean(22), rs.getString(23), labels.getOrDefault(mid, List.of()),
                            parts, rs.getString("body_plain"), html.html(), html.remoteContentBlocked(),
                            "/api/mail/messages/" + mid + "/raw"));
                });
        List<Detail> out = new ArrayList<>();
        for (UUID id : ids) {
            Detail d = byId.get(id);
            if (d != null) {
                out.add(d);
            }
        }
        return out;
    }

    private static String stripBrackets(String contentId) {
        return contentId == null ? "" : contentId.strip().replaceAll("^<|>$", "");
    }
}
