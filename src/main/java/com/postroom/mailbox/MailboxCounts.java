package com.postroom.mailbox;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.postroom.store.Labels;
import com.postroom.store.MailboxScope;
import com.postroom.store.View;

/**
 * Total and unread counts of every sidebar view and every label of an organization, for the API's folder list and
 * the web UI's sidebar.
 */
@Component
public class MailboxCounts {

    /** A view in the sidebar with its counts. */
    public record FolderCount(String id, String name, long total, long unread) {
    }

    /** A label with its counts. */
    public record LabelCount(long id, String slug, String name, String color, long total, long unread) {
    }

    /** The views, the labels, and the labels hidden from the sidebar's list (the label manager's choice). */
    public record Counts(List<FolderCount> folders, List<LabelCount> labels, java.util.Set<String> hidden) {

        /** The labels the sidebar lists. */
        public List<LabelCount> sidebarLabels() {
            return labels.stream().filter(l -> !hidden.contains(l.slug())).toList();
        }
    }

    private final JdbcClient jdbc;
    private final Labels labels;

    MailboxCounts(JdbcClient jdbc, Labels labels) {
        this.jdbc = jdbc;
        this.labels = labels;
    }

    public Counts of(long orgId) {
        return of(orgId, Optional.empty());
    }

    /**
     * The counts within one mailbox (the web UI's switcher), or of all the organization's mail, read from the kept
     * counters ({@code mail_count}, migration 28: a few rows whatever the size of the mailbox).
     */
    public Counts of(long orgId, Optional<MailboxScope> mailbox) {
        long within = mailbox.map(MailboxScope::mailboxId).orElse(0L);
        List<Group> groups = jdbc.sql("SELECT folder, direction, seen, flagged, sum(n) FROM mail_count "
                        + "WHERE org_id = ? AND mailbox_id = ? AND label_id = 0 GROUP BY 1, 2, 3, 4")
                .params(orgId, within).query(MailboxCounts::group).list();
        Map<Long, long[]> perLabel = new HashMap<>();
        jdbc.sql("SELECT label_id, sum(n), coalesce(sum(n) FILTER (WHERE NOT seen), 0) FROM mail_count "
                        + "WHERE org_id = ? AND mailbox_id = ? AND label_id <> 0 AND folder NOT IN ('spam', 'trash') "
                        + "GROUP BY 1")
                .params(orgId, within)
                .query(rs -> {
                    perLabel.put(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3)});
                });
        return counts(orgId, groups, perLabel);
    }

    /**
     * The counts counted from the messages, as the kept counters should say: for the test that checks them, and for
     * an operator who wants to see them agree.
     */
    public Counts recount(long orgId, Optional<MailboxScope> mailbox) {
        String within = mailbox.map(m -> " AND " + m.predicate()).orElse("");
        List<Object> params = new ArrayList<>(List.of(orgId));
        mailbox.ifPresent(m -> params.addAll(m.params()));
        // One pass grouped by what the views test; folded into the views below.
        List<Group> groups = jdbc.sql("SELECT folder, direction, seen, flagged, count(*) FROM email_message m "
                        + "WHERE org_id = ? AND deleted_at IS NULL" + within + " GROUP BY 1, 2, 3, 4")
                .params(params).query(MailboxCounts::group).list();
        // Counted from the label rows side (a hash join), then matched to the labels, which may have none.
        Map<Long, long[]> perLabel = new HashMap<>();
        jdbc.sql("SELECT ml.label_id, count(*), count(*) FILTER (WHERE NOT m.seen) FROM email_message_label ml "
                        + "JOIN email_message m ON m.id = ml.message_id WHERE m.org_id = ? AND m.deleted_at IS NULL "
                        + "AND m.folder NOT IN ('spam', 'trash')" + within + " GROUP BY ml.label_id")
                .params(params)
                .query(rs -> {
                    perLabel.put(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3)});
                });
        return counts(orgId, groups, perLabel);
    }

    private record Group(String folder, String direction, boolean seen, boolean flagged, long count) {
    }

    private static Group group(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new Group(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4), rs.getLong(5));
    }

    private Counts counts(long orgId, List<Group> groups, Map<Long, long[]> perLabel) {
        List<FolderCount> folders = new ArrayList<>();
        for (View v : View.SIDEBAR) {
            long total = 0;
            long unread = 0;
            for (Group g : groups) {
                if (v.contains(g.folder(), g.direction(), g.flagged())) {
                    total += g.count();
                    unread += g.seen() ? 0 : g.count();
                }
            }
            // Gmail shows no unread count on Sent, Drafts and Trash, where it means nothing.
            boolean counted = v == View.INBOX || v == View.SPAM || v == View.ARCHIVE || v == View.STARRED;
            folders.add(new FolderCount(v.id(), v.title(), total, counted ? unread : 0));
        }
        List<LabelCount> labelCounts = labels.list(orgId).stream().map(l -> {
            long[] c = perLabel.getOrDefault(l.id(), new long[2]);
            return new LabelCount(l.id(), l.slug(), l.name(), l.color(), c[0], c[1]);
        }).toList();
        return new Counts(folders, labelCounts, labels.hiddenSlugs(orgId));
    }
}
