package com.postroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import com.postroom.org.Organizations;
import com.postroom.support.SandboxTest;

/**
 * New mail is announced to an open page however it is dated: two messages of the same second (a server's arrival
 * time has whole seconds), and a message dated before the newest one, each get their event.
 */
@SandboxTest
class MailEventsTest {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    Organizations organizations;

    /** The events sent to one page, by name ("mail"), heartbeats left out. */
    static class Page extends SseEmitter {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void send(SseEventBuilder builder) {
            builder.build().stream().map(d -> String.valueOf(d.getData())).filter(d -> d.startsWith("event:"))
                    .forEach(d -> events.add(d.substring("event:".length()).lines().findFirst().orElse("")));
        }
    }

    @Test
    void mailOfTheSameSecondAndOlderMailAreAnnounced() {
        // An organization of its own: no other test's mail arrives in it meanwhile.
        String tag = UUID.randomUUID().toString().substring(0, 8);
        long orgId = organizations.create("Events " + tag, "events-" + tag + ".test");
        MailEvents events = new MailEvents(jdbc);
        // In whole seconds, as IMAP's arrival times are.
        OffsetDateTime second = OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS);
        Page page = new Page();
        events.watch(orgId, page, MailEvents.parse(events.shownBy(orgId)));

        events.tick();
        assertThat(page.events).as("nothing new").isEmpty();

        store(orgId, second);
        events.tick();
        assertThat(page.events).containsExactly("mail");

        store(orgId, second);
        events.tick();
        assertThat(page.events).as("a second message of the same second").containsExactly("mail", "mail");

        store(orgId, second.minusDays(1));
        events.tick();
        assertThat(page.events).as("a message dated before the newest").hasSize(3);

        events.tick();
        assertThat(page.events).as("each only once").hasSize(3);
    }

    @Test
    void aPageFromBeforeTheCountIsStillAnnouncedNewerMail() {
        assertThat(MailEvents.parse("1700000000000").messages()).isEqualTo(-1);
        assertThat(MailEvents.parse("1700000000000.42").messages()).isEqualTo(42);
        assertThat(MailEvents.parse("not a number").newest().toInstant().toEpochMilli()).isZero();
    }

    private void store(long orgId, OffsetDateTime created) {
        UUID thread = UUID.randomUUID();
        jdbc.sql("INSERT INTO email_thread (id, org_id, subject, normalized_subject) VALUES (?, ?, 'e', 'e')")
                .params(thread, orgId).update();
        jdbc.sql("INSERT INTO email_message (id, org_id, thread_id, direction, status, classification, sender, "
                        + "recipients, cc, subject, body_plain, body_html, meta, folder, seen, created_at) VALUES (?, ?, ?, "
                        + "'inbound', 'received', 'ops', 'someone@patients.example', '{}', '{}', 'e', 'e', '', "
                        + "'{}'::jsonb, 'inbox', false, ?)")
                .params(UUID.randomUUID(), orgId, thread, created).update();
    }
}
