package com.postroom.mailbox;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import com.postroom.config.PostroomSettings;

/**
 * Folds the sidebar's kept counts ({@code mail_count}, migration 28) and the synced folders' stored counts
 * ({@code place_count}, migration 43) into one row per group. Every change adds its
 * own signed rows, so the rows to sum grow with the mail that arrives and changes; folded every half minute, reading
 * the counts stays a few dozen rows whatever the size of the mailbox.
 *
 * <p>Folding deletes the rows it sees and inserts their sums in one transaction: rows another transaction adds
 * meanwhile are not seen, so they are neither deleted nor counted twice. Two instances folding at once wait for each
 * other's deleted rows and so fold disjoint sets.
 */
@Component
class CountCompactor {

    private static final Logger log = LoggerFactory.getLogger(CountCompactor.class);
    /** Fewer rows than this beyond one per group are summed as they are; folding them would save little. */
    static final int FOLD_ABOVE = 200;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final boolean enabled;

    CountCompactor(JdbcClient jdbc, TransactionTemplate tx, PostroomSettings settings) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.enabled = settings.runsBackgroundWork();
    }

    @Scheduled(fixedDelayString = "PT30S", initialDelayString = "PT5S")
    void foldWhereNeeded() {
        if (!enabled) {
            return;
        }
        try {
            // Only where rows have piled up beyond one per group: an organization with many mailboxes and labels
            // has hundreds of groups, and folding them again every half minute would rewrite them for nothing.
            List<Long> orgs = jdbc.sql("SELECT org_id FROM mail_count GROUP BY org_id HAVING count(*) > ? + "
                            + "count(DISTINCT (mailbox_id, label_id, folder, direction, seen, flagged))")
                    .param(FOLD_ABOVE).query(Long.class).list();
            orgs.forEach(this::fold);
            List<Long> boxes = jdbc.sql("SELECT mailbox_id FROM place_count GROUP BY mailbox_id "
                    + "HAVING count(*) > ? + count(DISTINCT folder)").param(FOLD_ABOVE).query(Long.class).list();
            boxes.forEach(this::foldPlaces);
        } catch (RuntimeException e) {
            log.warn("Could not fold the mailbox counts; trying again later: {}", e.getMessage());
        }
    }

    /** Folds one organization's rows into one per group (a group that sums to nothing goes); how many rows remain. */
    int fold(long orgId) {
        return tx.execute(s -> jdbc.sql("WITH gone AS (DELETE FROM mail_count WHERE org_id = ? "
                        + "RETURNING mailbox_id, label_id, folder, direction, seen, flagged, n) "
                        + "INSERT INTO mail_count (org_id, mailbox_id, label_id, folder, direction, seen, flagged, n) "
                        + "SELECT ?, mailbox_id, label_id, folder, direction, seen, flagged, sum(n) FROM gone "
                        + "GROUP BY mailbox_id, label_id, folder, direction, seen, flagged HAVING sum(n) <> 0")
                .params(orgId, orgId).update());
    }

    /** Folds one mailbox's stored counts into one row per folder (one that sums to nothing goes); how many remain. */
    int foldPlaces(long mailboxId) {
        return tx.execute(s -> jdbc.sql("WITH gone AS (DELETE FROM place_count WHERE mailbox_id = ? "
                        + "RETURNING folder, n) INSERT INTO place_count (mailbox_id, folder, n) "
                        + "SELECT ?, folder, sum(n) FROM gone GROUP BY folder HAVING sum(n) <> 0")
                .params(mailboxId, mailboxId).update());
    }
}
