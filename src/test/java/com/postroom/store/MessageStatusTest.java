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
        Matcher m = Pattern.compile("'([a-z_]+)'").matcher(check);
        TreeSet<String> inDatabase = new TreeSet<>();
        while (m.find()) {
            inDatabase.add(m.group(1));
        }
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
}
