package com.postroom.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import com.postroom.org.Organizations;
import com.postroom.support.SandboxTest;

/**
 * Marking mail read or starred is an update in place (migration 37): no indexed column changes, so PostgreSQL writes
 * no index entry, and above all not the message's search keys and phrase pairs again. The statistics of the
 * transaction say whether an update was made in place.
 */
@SandboxTest
class FlagChangesInPlaceTest {

    @Autowired
    MessageStates states;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    Organizations organizations;

    @Test
    void markingMailReadOrStarredWritesNoIndexEntry() {
        long orgId = organizations.primary().orElseThrow().id();
        UUID thread = UUID.randomUUID();
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO email_thread (id, org_id, subject, normalized_subject) VALUES (?, ?, 'Flags', 'flags')")
                .params(thread, orgId).update();
        jdbc.sql("INSERT INTO email_message (id, org_id, thread_id, direction, status, classification, sender, "
                        + "recipients, cc, subject, body_plain, body_html, meta, folder, seen) VALUES (?, ?, ?, 'inbound', "
                        + "'received', 'ops', 'pat@patients.example', '{}', '{}', 'Your statement', "
                        + "'The balance of your statement is due on the first of the month.', '', '{}'::jsonb, 'inbox', "
                        + "false)")
                .params(id, orgId, thread).update();

        // The backend's counts include its earlier transactions' until they are reported (PostgreSQL 14 reports
        // them at most every 500 ms, and never during a transaction): what this one did is the difference.
        long[] updated = tx.execute(s -> {
            long[] before = updates();
            states.setFlag(orgId, new UUID[] {id}, MessageStates.Flag.SEEN, true);
            states.setFlag(orgId, new UUID[] {id}, MessageStates.Flag.FLAGGED, true);
            long[] after = updates();
            return new long[] {after[0] - before[0], after[1] - before[1]};
        });
        assertThat(updated[0]).as("updates").isEqualTo(2);
        assertThat(updated[1]).as("of them in place").isEqualTo(2);
        assertThat(jdbc.sql("SELECT seen AND flagged FROM email_message WHERE id = ?").param(id).query(Boolean.class)
                .single()).isTrue();
    }

    private long[] updates() {
        return jdbc.sql("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'email_message'")
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).single();
    }
}
