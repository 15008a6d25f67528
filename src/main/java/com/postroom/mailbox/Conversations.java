package com.postroom.mailbox;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import com.postroom.problem.Problem;
import com.postroom.store.MailboxScope;
import com.postroom.store.MessageSummary;
import com.postroom.store.Messages;
import com.postroom.store.Summaries;
import com.postroom.store.View;

/**
 * Conversation lists as a mail client shows them: the threads that have a message in a view (or with a label),
 * newest activity first, paged with a cursor (stable while mail arrives, unlike an offset), each with its people,
 * counts, flags, labels and the latest message's snippet.
 */
@Repository
public class Conversations {

    private final JdbcClient jdbc;
    private final Summaries summaries;

    Conversations(JdbcClient jdbc, Summaries summaries) {
        this.jdbc = jdbc;
        this.summaries = summaries;
    }

    public record Conversation(UUID threadId, String subject, List<String> participants, int messageCount,
                               int unreadCount, boolean starred, boolean hasAttachments, String snippet,
                               OffsetDateTime lastMessageAt, UUID latestMessageId,
                               List<MessageSummary.LabelChip> labels) {

        /** Latest activity in microseconds, as the list orders by it (with the id after it). */
        public long activityMicros() {
            Instant at = lastMessageAt.toInstant();
            return at.getEpochSecond() * 1_000_000 + at.getNano() / 1000;
        }
    }

    public record Page(List<Conversation> conversations, String nextCursor) {
    }

    /** Either a view or a label slug selects the conversations. */
    public Page list(long orgId, View view, Optional<String> labelSlug, Optional<String> cursor, int limit) {
        return list(orgId, view, labelSlug, cursor, limit, Optional.empty());
    }

    /** The same, within one mailbox (the web UI's switcher). */
    public Page list(long orgId, View view, Optional<String> labelSlug, Optional<String> cursor, int limit,
                     Optional<MailboxScope> mailbox) {
        List<Object> params = new ArrayList<>();
        String member = member(view, labelSlug, mailbox, params);
        StringBuilder sql = new StringBuilder("SELECT t.id, t.last_message_at FROM email_thread t WHERE t.org_id = ?");
        List<Object> all = new ArrayList<>(List.of(orgId));
        Optional<Cursor> after = cursor.map(Cursor::decode);
        if (after.isPresent()) {
            sql.append(" AND (t.last_message_at, t.id) < (?, ?)");
            all.add(after.get().at());
            all.add(after.get().id());
        }
        sql.append(" AND EXISTS (SELECT 1 FROM email_message m WHERE ").append(member).append(")")
                .append(" ORDER BY t.last_message_at DESC, t.id DESC LIMIT ?");
        all.addAll(params);
        IdPage page = idPage(sql.toString(), all, limit);
        return new Page(describe(orgId, page.ids(), view == View.TRASH || view == View.SPAM), page.next());
    }

    /**
     * Of some conversations, those the view (or label) lists now, as its rows: after a change in the list, the rows to
     * show again; the others leave the list.
     */
    public List<Conversation> inView(long orgId, View view, Optional<String> labelSlug, List<UUID> threadIds,
                                     Optional<MailboxScope> mailbox) {
        if (threadIds.isEmpty()) {
            return List.of();
        }
        List<Object> params = new ArrayList<>(List.of(orgId, threadIds.toArray(UUID[]::new)));
        String member = member(view, labelSlug, mailbox, params);
        List<UUID> listed = jdbc.sql("SELECT t.id FROM email_thread t WHERE t.org_id = ? AND t.id = ANY(?) "
                        + "AND EXISTS (SELECT 1 FROM email_message m WHERE " + member + ")")
                .params(params).query(UUID.class).list();
        return describe(orgId, threadIds.stream().filter(listed::contains).toList(),
                view == View.TRASH || view == View.SPAM);
    }

    /** What makes a conversation t one of the view's: a message of it in the view (and label, and mailbox). */
    private static String member(View view, Optional<String> labelSlug, Optional<MailboxScope> mailbox,
                                 List<Object> params) {
        StringBuilder member = new StringBuilder("m.thread_id = t.id AND m.org_id = t.org_id AND m.deleted_at IS NULL AND (")
                .append(view.predicate()).append(")");
        if (labelSlug.isPresent()) {
            member.append(" AND EXISTS (SELECT 1 FROM email_message_label ml JOIN email_label l ON l.id = ml.label_id "
                    + "WHERE ml.message_id = m.id AND l.org_id = t.org_id AND l.slug = ?)");
            params.add(labelSlug.get());
        }
        mailbox.ifPresent(scope -> {
            member.append(" AND ").append(scope.predicate());
            params.addAll(scope.params());
        });
        return member.toString();
    }

    private record IdPage(List<UUID> ids, String next) {
    }

    /** Runs a query of (id, time) rows newest first with LIMIT ? last; one row more than asked tells a next page. */
    private IdPage idPage(String sql, List<Object> params, int limit) {
        List<Object> all = new ArrayList<>(params);
        all.add(limit + 1);
        List<UUID> ids = new ArrayList<>();
        Map<UUID, OffsetDateTime> times = new HashMap<>();
        jdbc.sql(sql).params(all).query(rs -> {
            UUID id = rs.getObject(1, UUID.class);
            ids.add(id);
            times.put(id, rs.getObject(2, OffsetDateTime.class));
        });
        boolean more = ids.size() > limit;
        List<UUID> page = more ? ids.subList(0, limit) : ids;
        UUID last = more ? page.get(page.size() - 1) : null;
        return new IdPage(page, more ? new Cursor(times.get(last), last).encode() : null);
    }

    public record MessagePage(List<MessageSummary> messages, String nextCursor) {
    }

    /** Messages (not conversations) in a view or with a label, newest first, with the same cursor paging. */
    public MessagePage messages(long orgId, View view, Optional<String> labelSlug, Optional<String> cursor, int limit) {
        StringBuilder sql = new StringBuilder("SELECT m.id, m.created_at FROM email_message m WHERE m.org_id = ? "
                + "AND m.deleted_at IS NULL AND (").append(view.predicate()).append(")");
        List<Object> params = new ArrayList<>(List.of(orgId));
        if (labelSlug.isPresent()) {
            sql.append(" AND EXISTS (SELECT 1 FROM email_message_label ml JOIN email_label l ON l.id = ml.label_id "
                    + "WHERE ml.message_id = m.id AND l.org_id = m.org_id AND l.slug = ?)");
            params.add(labelSlug.get());
        }
        Optional<Cursor> after = cursor.map(Cursor::decode);
        if (after.isPresent()) {
            sql.append(" AND (m.created_at, m.id) < (?, ?)");
            params.add(after.get().at());
            params.add(after.get().id());
        }
        sql.append(" ORDER BY m.created_at DESC, m.id DESC LIMIT ?");
        IdPage page = idPage(sql.toString(), params, limit);
        return new MessagePage(summaries.of(orgId, page.ids()), page.next());
    }

    /** One row per thread, in the order given. Trash and spam count only in their own views. */
    public List<Conversation> describe(long orgId, List<UUID> threadIds, boolean includeTrash) {
        if (threadIds.isEmpty()) {
            return List.of();
        }
        UUID[] ids = threadIds.toArray(UUID[]::new);
        Map<UUID, Object[]> rows = new HashMap<>();
        jdbc.sql("SELECT m.thread_id, count(*), count(*) FILTER (WHERE NOT m.seen), bool_or(m.flagged), "
                        + "bool_or(m.has_attachments), (array_agg(m.id ORDER BY m.created_at DESC, m.id DESC))[1], "
                        + "array_agg(CASE WHEN m.direction = 'outbound' THEN 'me' ELSE coalesce(nullif(m.meta ->> "
                        + "'from_name', ''), m.sender, '?') END ORDER BY m.created_at), max(m.created_at) "
                        + "FROM email_message m WHERE m.org_id = ? AND m.thread_id = ANY(?) AND m.deleted_at IS NULL "
                        + (includeTrash ? "" : "AND m.folder NOT IN ('trash', 'spam') ")
                        + "GROUP BY m.thread_id")
                .params(orgId, ids)
                .query(rs -> {
                    rows.put(rs.getObject(1, UUID.class), new Object[] {rs.getInt(2), rs.getInt(3), rs.getBoolean(4),
                            rs.getBoolean(5), rs.getObject(6, UUID.class), Messages.list(rs.getArray(7)),
                            rs.getObject(8, OffsetDateTime.class)});
                });
        List<UUID> latest = rows.values().stream().map(r -> (UUID) r[4]).toList();
        Map<UUID, MessageSummary> summariesById = new HashMap<>();
        summaries.of(orgId, latest).forEach(s -> summariesById.put(s.id(), s));
        Map<UUID, List<MessageSummary.LabelChip>> labels = threadLabels(orgId, ids);
        List<Conversation> out = new ArrayList<>();
        for (UUID id : threadIds) {
            Object[] r = rows.get(id);
            if (r == null) {
                continue;
            }
            MessageSummary last = summariesById.get((UUID) r[4]);
            @SuppressWarnings("unchecked")
            List<String> people = new ArrayList<>(new LinkedHashSet<>((List<String>) r[5]));
            out.add(new Conversation(id, last == null ? "" : last.subject(), people, (int) r[0], (int) r[1],
                    (boolean) r[2], (boolean) r[3], last == null ? "" : last.snippet(), (OffsetDateTime) r[6],
                    (UUID) r[4], labels.getOrDefault(id, List.of())));
        }
        return out;
    }

    private Map<UUID, List<MessageSummary.LabelChip>> threadLabels(long orgId, UUID[] threadIds) {
        Map<UUID, List<MessageSummary.LabelChip>> out = new LinkedHashMap<>();
        Set<String> seen = new java.util.HashSet<>();
        jdbc.sql("SELECT DISTINCT m.thread_id, l.slug, l.name, l.color FROM email_message m "
                        + "JOIN email_message_label ml ON ml.message_id = m.id JOIN email_label l ON l.id = ml.label_id "
                        + "WHERE m.org_id = ? AND m.thread_id = ANY(?) AND m.deleted_at IS NULL ORDER BY l.name")
                .params(orgId, threadIds)
                .query(rs -> {
                    UUID t = rs.getObject(1, UUID.class);
                    if (seen.add(t + "/" + rs.getString(2))) {
                        out.computeIfAbsent(t, k -> new ArrayList<>()).add(
                                new MessageSummary.LabelChip(rs.getString(2), rs.getString(3), rs.getString(4)));
                    }
                });
        return out;
    }

    /** Where a page ended: the last thread's activity time and id. Opaque to clients. */
    record Cursor(OffsetDateTime at, UUID id) {
        String encode() {
            long micros = at.toInstant().getEpochSecond() * 1_000_000 + at.toInstant().getNano() / 1000;
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((micros + ":" + id).getBytes(StandardCharsets.US_ASCII));
        }

        static Cursor decode(String s) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(s), StandardCharsets.US_ASCII).split(":");
                long micros = Long.parseLong(parts[0]);
                Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000),
                        Math.floorMod(micros, 1_000_000) * 1000L);
                return new Cursor(at.atOffset(ZoneOffset.UTC), UUID.fromString(parts[1]));
            } catch (RuntimeException e) {
                throw Problem.badInput("cursor is not valid: pass next_cursor from the previous page as is.");
            }
        }
    }
}
