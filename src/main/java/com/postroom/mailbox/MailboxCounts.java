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

    /** The counts within one mailbox (the web UI's switcher), or of all the organization's mail. */
    public Counts of(long orgId, Optional<MailboxScope> mailbox) {
        String within = mailbox.map(m -> " AND " + m.predicate()).orElse("");
        List<Object> params = new ArrayList<>(List.of(orgId));
        mailbox.ifPresent(m -> params.addAll(m.params()));
        // One index-only pass (email_message_counts) grouped by what the views test; folded into the views here.
        record Group(String folder, String direction, boolean seen, boolean flagged, long count) {
        }
        List<Group> groups = jdbc.sql("SELECT folder, direction, seen, flagged, count(*) FROM email_message m "
                        + "WHERE org_id = ? AND deleted_at IS NULL" + within + " GROUP BY 1, 2, 3, 4")
                .params(params)
                .query((rs, i) -> new Group(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4),
                        rs.getLong(5))).list();
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
        // Counted from the label rows side (a hash join), then matched to the labels, which may have none.
        Map<Long, long[]> perLabel = new HashMap<>();
        jdbc.sql("SELECT ml.label_id, count(*), count(*) FILTER (WHERE NOT m.seen) FROM email_message_label ml "
                        + "JOIN email_message m ON m.id = ml.message_id WHERE m.org_id = ? AND m.deleted_at IS NULL "
                        + "AND m.folder NOT IN ('spam', 'trash')" + within + " GROUP BY ml.label_id")
                .params(params)
                .query(rs -> {
                    perLabel.put(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3)});
                });
        List<LabelCount> labelCounts = labels.list(orgId).stream().map(l -> {
            long[] c = perLabel.getOrDefault(l.id(), new long[2]);
            return new LabelCount(l.id(), l.slug(), l.name(), l.color(), c[0], c[1]);
        }).toList();
        return new Counts(folders, labelCounts, labels.hiddenSlugs(orgId));
    }
}
