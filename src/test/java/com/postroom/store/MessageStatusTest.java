package com.postroom.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.org.Organizations;
import com.postroom.support.SandboxTest;

/** The statuses a message can have are the enum's, and the database refuses any other. */
@SandboxTest
class MessageStatusTest {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    Organizations organizations;

    @Test
    void theDatabaseCheckListsExactlyTheEnumsValues() {
        String check = jdbc.sql("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = "
                + "'email_message_status'").query(String.class).single();
        // One array constant since migration 36: CHECK ((status = ANY ('{queued,sent,...}'::text[])))
        Matcher m = Pattern.compile("'\\{([a-z_,]+)}'").matcher(check);
        assertThat(m.find()).as(check).isTrue();
        TreeSet<String> inDatabase = new TreeSet<>(Arrays.asList(m.group(1).split(",")));
        assertThat(inDatabase).isEqualTo(new TreeSet<>(Arrays.stream(MessageStatus.values())
                .map(MessageStatus::db).toList()));
    }

    @Test
    void aStatusOutsideTheListIsRefused() {
        long orgId = organizations.primary().orElseThrow().id();
        UUID thread = jdbc.sql("INSERT INTO email_thread (org_id, subject) VALUES (?, 'x') RETURNING id")
                .param(orgId).query(UUID.class).single();
        assertThatThrownBy(() -> jdbc.sql("INSERT INTO email_message (id, org_id, thread_id, direction, status, "
                        + "sender, subject) VALUES (?, ?, ?, 'inbound', 'snoozed', 'a@example.org', 'x')")
                .params(UUID.randomUUID(), orgId, thread).update())
                .hasMessageContaining("email_message_status");
    }

    /** Migration 36 wrote the checks of a send's tables again (one array constant each); they still refuse. */
    @Test
    void aFolderDirectionOutboxStatusOrAttemptOutcomeOutsideItsListIsRefused() {
        long orgId = organizations.primary().orElseThrow().id();
        UUID thread = jdbc.sql("INSERT INTO email_thread (org_id, subject) VALUES (?, 'x') RETURNING id")
                .param(orgId).query(UUID.class).single();
        String message = "INSERT INTO email_message (id, org_id, thread_id, direction, status, sender, subject, folder) "
                + "VALUES (?, ?, ?, ?, 'queued', 'a@example.org', 'x', ?)";
        assertThatThrownBy(() -> jdbc.sql(message).params(UUID.randomUUID(), orgId, thread, "outbound", "snoozed")
                .update()).hasMessageContaining("email_message_folder_check");
        assertThatThrownBy(() -> jdbc.sql(message).params(UUID.randomUUID(), orgId, thread, "sideways", "sent")
                .update()).hasMessageContaining("email_message_direction_check");
        UUID id = UUID.randomUUID();
        jdbc.sql(message).params(id, orgId, thread, "outbound", "sent").update();
        String outbox = "INSERT INTO outbox (message_id, org_id, envelope_from, pending_rcpts, mime, status, "
                + "next_attempt_at, give_up_at, sent_copy) VALUES (?, ?, 'a@example.org', '{b@example.org}', "
                + "'x'::bytea, ?, now(), now(), ?)";
        assertThatThrownBy(() -> jdbc.sql(outbox).params(id, orgId, "lost", "none").update())
                .hasMessageContaining("outbox_status_check");
        assertThatThrownBy(() -> jdbc.sql(outbox).params(id, orgId, "queued", "maybe").update())
                .hasMessageContaining("outbox_sent_copy_check");
        jdbc.sql(outbox).params(id, orgId, "sent", "skip").update();
        assertThatThrownBy(() -> jdbc.sql("INSERT INTO delivery_attempt (message_id, attempt_no, started_at, "
                + "finished_at, outcome) VALUES (?, 1, now(), now(), 'lost')").param(id).update())
                .hasMessageContaining("delivery_attempt_outcome_check");
        jdbc.sql("DELETE FROM outbox WHERE message_id = ?").param(id).update();
        jdbc.sql("DELETE FROM email_message WHERE id = ?").param(id).update();
    }
}
