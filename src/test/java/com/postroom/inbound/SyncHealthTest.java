package com.postroom.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.icegreen.greenmail.util.GreenMail;
import com.postroom.mail.Secret;
import com.postroom.mail.MailServer;
import com.postroom.mail.TlsMode;
import com.postroom.org.Organizations;
import com.postroom.outbound.OutboxHealth;
import com.postroom.sandbox.Sandbox;
import com.postroom.support.Api;
import com.postroom.support.MailboxFixture;
import com.postroom.support.SandboxTest;
import com.postroom.support.TestMail;
import com.postroom.support.WebClient;

import tools.jackson.databind.JsonNode;

/**
 * Health tells the truth: a watched mailbox whose login stops working shows as failing (API, health, dashboard),
 * the founder is mailed once when it starts failing and once when it recovers, and a folder that has not synced for
 * IMAP_STALE_AFTER turns the health component DOWN. The outbox says when mail has stopped leaving.
 */
@SandboxTest
class SyncHealthTest {

    @LocalServerPort
    int port;
    @Autowired
    Sandbox sandbox;
    @Autowired
    Mailboxes mailboxes;
    @Autowired
    InboundSync inbound;
    @Autowired
    SyncHealth health;
    @Autowired
    OutboxHealth outbox;
    @Autowired
    Organizations organizations;
    @Autowired
    JdbcClient jdbc;

    GreenMail greenMail;
    Api api;
    long orgId;

    @BeforeEach
    void setUp() {
        greenMail = sandbox.server().orElseThrow().greenMail();
        api = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        orgId = organizations.primary().orElseThrow().id();
    }

    private JsonNode listed(long mailboxId) {
        for (JsonNode m : api.get("/api/email/mailboxes").body()) {
            if (m.path("id").asLong() == mailboxId) {
                return m;
            }
        }
        throw new AssertionError("mailbox " + mailboxId + " not listed");
    }

    /**
     * The Settings page shows each synced folder's stored messages beside the server's count, from the kept counts
     * (migration 43) the API answers from too: counting the places took 0.34 s per folder of a million.
     */
    @Test
    void theSettingsPageShowsWhatIsStoredOfEachFolder() {
        MailboxFixture box = new MailboxFixture(greenMail, mailboxes, inbound, jdbc, orgId);
        box.deliver(TestMail.message().subject("Stored one"), TestMail.message().subject("Stored two"));
        String page = WebClient.signedIn(port, SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD).get("/settings").body();
        assertThat(page).contains(box.user).contains("2 stored of 2 on the server");
        JsonNode inbox = listed(box.mailbox.id()).path("sync").get(0);
        assertThat(inbox.get("messages_stored").asLong()).isEqualTo(2);
        assertThat(inbox.get("messages_on_server").asLong()).isEqualTo(2);
    }

    private long alertsAbout(String user, String subjectEnd) {
        return jdbc.sql("SELECT count(*) FROM email_message WHERE direction = 'outbound' AND subject = ?")
                .param("Postroom: mailbox " + user + "@127.0.0.1 (INBOX) " + subjectEnd).query(Long.class).single();
    }

    @Test
    void aMailboxThatStopsLoggingInIsFailingEverywhereAndTheFounderHearsOnceEachWay() {
        String user = "health-" + UUID.randomUUID().toString().substring(0, 8) + "@postroom.test";
        greenMail.setUser(user, user, "the-right-password");
        MailServer wrong = new MailServer("127.0.0.1", greenMail.getImap().getPort(), TlsMode.NONE, Optional.of(user),
                Optional.of(Secret.of("a-changed-password")), Duration.ofSeconds(5), Duration.ofSeconds(10));
        Mailbox m = mailboxes.find(orgId, mailboxes.add(orgId, wrong, List.of("INBOX"))).orElseThrow();
        inbound.watch(m);
        try {
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                JsonNode folder = listed(m.id()).path("sync").path(0);
                assertThat(folder.path("status").asString()).isEqualTo("failing");
                assertThat(folder.path("failures").asInt()).isPositive();
                assertThat(folder.path("last_error").asString()).isNotBlank();
            });
            assertThat(listed(m.id()).path("status").asString()).isEqualTo("failing");
            assertThat(WebClient.signedIn(port, SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD).get("/dashboard").body()).contains("Not receiving").contains(user);

            // A minute of failures later, one mail; another watch finds it already told.
            jdbc.sql("UPDATE mailbox_folder SET failing_since = now() - interval '2 minutes' WHERE mailbox_id = ?")
                    .param(m.id()).update();
            health.watch();
            health.watch();
            assertThat(alertsAbout(user, "is not syncing")).isEqualTo(1);

            greenMail.setUser(user, user, "a-changed-password"); // the admin fixes the password on the server
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(listed(m.id()).path("sync").path(0).path("status").asString()).isEqualTo("ok"));
            health.watch();
            health.watch();
            assertThat(alertsAbout(user, "syncs again")).isEqualTo(1);
            assertThat(alertsAbout(user, "is not syncing")).isEqualTo(1);
        } finally {
            inbound.unwatch(m.id());
            jdbc.sql("UPDATE mailbox SET enabled = false WHERE id = ?").param(m.id()).update();
        }
    }

    @Test
    void aFolderThatHasNotSyncedForTheStaleTimeTurnsHealthDown() {
        String user = "stale-" + UUID.randomUUID().toString().substring(0, 8) + "@postroom.test";
        greenMail.setUser(user, user, "stale-password");
        MailServer server = new MailServer("127.0.0.1", greenMail.getImap().getPort(), TlsMode.NONE,
                Optional.of(user), Optional.of(Secret.of("stale-password")), Duration.ofSeconds(5),
                Duration.ofSeconds(10));
        Mailbox m = mailboxes.find(orgId, mailboxes.add(orgId, server, List.of("INBOX"))).orElseThrow();
        try {
            inbound.syncMailbox(m);
            assertThat(health.health().getStatus().getCode()).isEqualTo("UP");

            jdbc.sql("UPDATE mailbox_folder SET last_sync_at = now() - interval '3 hours' WHERE mailbox_id = ?")
                    .param(m.id()).update();

            assertThat(health.health().getStatus().getCode()).isEqualTo("DOWN");
            Api.Response mail = api.get("/actuator/health/mail");
            assertThat(mail.status()).isEqualTo(503);
            assertThat(mail.body().path("components").path("inbound").path("status").asString()).isEqualTo("DOWN");
            assertThat(listed(m.id()).path("status").asString()).isEqualTo("stale");

            inbound.syncMailbox(m);
            assertThat(health.health().getStatus().getCode()).isEqualTo("UP");
        } finally {
            jdbc.sql("UPDATE mailbox SET enabled = false WHERE id = ?").param(m.id()).update();
        }
    }

    @Test
    void theOutboxSaysWhenMailHasWaitedTooLongAndAScheduledSendIsNotWaiting() {
        assertThat(outbox.state(orgId).stale()).isFalse();
        Api.Response sent = api.post("/api/email/send", Map.of("sender", SandboxTest.ADMIN,
                "recipients", List.of("someone@postroom.test"), "subject", "Stuck", "body_plain", "Waits."));
        String id = sent.body().path("message").path("id").asString();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql("SELECT status FROM outbox WHERE message_id = "
                    + "?::uuid").param(id).query(String.class).single().equals("sent"));
            // As if the mail server had refused it for twenty minutes.
            jdbc.sql("UPDATE outbox SET status = 'queued', attempts = 3, created_at = now() - interval '20 minutes', "
                    + "next_attempt_at = now() + interval '1 hour' WHERE message_id = ?::uuid").param(id).update();
            OutboxHealth.State state = outbox.state(orgId);
            assertThat(state.stale()).isTrue();
            assertThat(state.deferred()).isPositive();
            assertThat(outbox.health().getStatus().getCode()).isEqualTo("DOWN");
            assertThat(WebClient.signedIn(port, SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD).get("/dashboard").body()).contains("Not sending");

            // Scheduled for tomorrow and never tried: not waiting, whatever its age.
            jdbc.sql("UPDATE outbox SET attempts = 0, next_attempt_at = now() + interval '1 day' "
                    + "WHERE message_id = ?::uuid").param(id).update();
            assertThat(outbox.state(orgId).stale()).isFalse();
        } finally {
            jdbc.sql("UPDATE outbox SET status = 'failed' WHERE message_id = ?::uuid").param(id).update();
        }
    }
}
