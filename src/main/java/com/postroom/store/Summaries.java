package com.postroom.store;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jsoup.Jsoup;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import com.postroom.mime.DisplayNames;


/** Builds {@link MessageSummary} rows for a page of message ids, in the order given, with their labels. */
@Repository
public class Summaries {

    public static final int SNIPPET_LENGTH = 200;

    private final JdbcClient jdbc;

    Summaries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public List<MessageSummary> of(long orgId, List<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        UUID[] array = ids.toArray(UUID[]::new);
        Map<UUID, List<MessageSummary.LabelChip>> labels = labelsOf(orgId, array);
        Map<UUID, MessageSummary> byId = new HashMap<>();
        jdbc.sql("SELECT id, thread_id, direction, folder, status, sender, meta ->> 'from_name', recipients, subject, "
                        + "left(body_plain, 1000), CASE WHEN body_plain = '' THEN left(body_html, 20000) END, created_at, "
                        + "seen, flagged, has_attachments FROM email_message WHERE org_id = ? AND id = ANY(?)")
                .params(orgId, array)
                .query(rs -> {
                    UUID id = rs.getObject(1, UUID.class);
                    byId.put(id, new MessageSummary(id, rs.getObject(2, UUID.class), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), DisplayNames.safe(rs.getString(7)),
                            Messages.list(rs.getArray(8)), DisplayNames.safe(rs.getString(9)), snippet(rs.getString(10), rs.getString(11)),
                            rs.getObject(12, OffsetDateTime.class), rs.getBoolean(13), rs.getBoolean(14),
                            rs.getBoolean(15), labels.getOrDefault(id, List.of())));
                });
        List<MessageSummary> out = new ArrayList<>(ids.size());
        for (UUID id : ids) {
            MessageSummary s = byId.get(id);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    public Map<UUID, List<MessageSummary.LabelChip>> labelsOf(long orgId, UUID[] ids) {
        Map<UUID, List<MessageSummary.LabelChip>> out = new LinkedHashMap<>();
        jdbc.sql("SELECT ml.message_id, l.slug, l.name, l.color FROM email_message_label ml "
                        + "JOIN email_label l ON l.id = ml.label_id WHERE l.org_id = ? AND ml.message_id = ANY(?) "
                        + "ORDER BY l.name")
                .params(orgId, ids)
                .query(rs -> {
                    out.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                            .add(new MessageSummary.LabelChip(rs.getString(2), rs.getString(3), rs.getString(4)));
                });
        return out;
    }

    /** The first words of the text, or of the HTML's text when a message has no plain part; whitespace collapsed. */
    /**
     * A reply's own words: quoted lines ("> ...") and the history below an attribution line ("On ... wrote:",
     * Outlook's "-----Original Message-----" or "From: ... Sent: ...") are left out, as Gmail's list does.
     */
    static String withoutQuotedHistory(String plain) {
        StringBuilder own = new StringBuilder();
        for (String line : plain.split("\\R", -1)) {
            String t = line.strip();
            if (QUOTE_START.matcher(t).matches()) {
                break;
            }
            if (!t.startsWith(">")) {
                own.append(line).append('\n');
            }
        }
        String kept = own.toString().strip();
        return kept.isEmpty() ? plain : kept; // all quote: show it rather than nothing
    }

    /**
     * Where a plain-text reply's quoted history begins: the attribution line ("On ... wrote:", ...) or the run of
     * "> " lines that ends the message; the text's length when it quotes nothing. A quote in the middle, answered
     * below, stays: it is part of the reply.
     */
    public static int quotedHistoryStart(String plain) {
        int offset = 0;
        int trailingQuote = -1;
        for (String line : plain.split("(?<=\\n)", -1)) {
            String t = line.strip();
            if (QUOTE_START.matcher(t).matches()) {
                return offset;
            }
            if (t.startsWith(">")) {
                if (trailingQuote < 0) {
                    trailingQuote = offset;
                }
            } else if (!t.isEmpty()) {
                trailingQuote = -1;
            }
            offset += line.length();
        }
        return trailingQuote >= 0 && trailingQuote > 0 ? trailingQuote : plain.length();
    }

    private static final java.util.regex.Pattern QUOTE_START = java.util.regex.Pattern.compile(
            "(?i)(on .{4,200} wrote:|-{2,}\\s*original message\\s*-{2,}|-{5,} ?forwarded message ?-{5,}|"
                    + "am .{4,200} schrieb .{1,200}:|le .{4,200} a écrit ?:)");

    static String snippet(String plain, String html) {
        String text;
        if (plain != null && !plain.isEmpty()) {
            text = withoutQuotedHistory(plain);
        } else {
            org.jsoup.nodes.Document doc = Jsoup.parse(html == null ? "" : html);
            doc.select("blockquote, .gmail_quote, #appendonsend, #divRplyFwdMsg").remove(); // the quoted history
            text = doc.text();
        }
        text = text.replaceAll("\\s+", " ").strip();
        return text.length() <= SNIPPET_LENGTH ? text : text.substring(0, SNIPPET_LENGTH).stripTrailing() + "…";
    }
}
