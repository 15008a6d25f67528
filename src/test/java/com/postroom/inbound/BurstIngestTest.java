package com.postroom.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import jakarta.mail.Address;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.icegreen.greenmail.util.GreenMail;
import com.postroom.mail.Secret;
import com.postroom.mail.MailServer;
import com.postroom.mail.TlsMode;
import com.postroom.org.Organizations;
import com.postroom.sandbox.Sandbox;
import com.postroom.support.MailboxFixture;
import com.postroom.support.SandboxTest;
import com.postroom.support.TestMail;

/**
 * A burst of mail into a fresh organization with four mailboxes, each watched in IDLE by its own thread: ~350
 * messages over one SMTP connection within a second or two, some addressed to all four mailboxes at once. Before,
 * the watchers raced to create the organization's first labels, one kept a label id from a transaction that rolled
 * back, and every watcher then failed every batch on it until restart. Repeated, each time with a new organization.
 */
@SandboxTest
class BurstIngestTest {

    private static final String PASSWORD = "burst-test-password";
    private static final int MESSAGES = 350;

    @Autowired
    Sandbox sandbox;
    @Autowired
    Mailboxes mailboxes;
    @Autowired
    InboundSync inbound;
    @Autowired
    Organizations organizations;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    com.postroom.store.Labels labels;

    @RepeatedTest(3)
    void aBurstIntoFourWatchedMailboxesOfANewOrganizationIsStoredCompletelyOnce() throws Exception {
        GreenMail greenMail = sandbox.server().orElseThrow().greenMail();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        long orgId = organizations.create("Burst " + tag, "burst-" + tag + ".test");
        List<Mailbox> watched = new ArrayList<>();
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String user = "burst" + i + "-" + tag + "@postroom.test";
            greenMail.setUser(user, user, PASSWORD);
            users.add(user);
            MailServer server = new MailServer("127.0.0.1", greenMail.getImap().getPort(), TlsMode.NONE,
                    Optional.of(user), Optional.of(Secret.of(PASSWORD)), Duration.ofSeconds(5),
                    Duration.ofSeconds(10));
            Mailbox m = mailboxes.find(orgId, mailboxes.add(orgId, server, List.of("INBOX"))).orElseThrow();
            watched.add(m);
            inbound.watch(m);
        }
        try {
            long[] expected = new long[4];
            Session session = Session.getInstance(new Properties());
            try (Transport smtp = session.getTransport("smtp")) {
                smtp.connect("127.0.0.1", greenMail.getSmtp().getPort(), null, null);
                for (int n = 0; n < MESSAGES; n++) {
                    boolean toAll = n % 10 == 0;
                    List<Address> to = new ArrayList<>();
                    for (int i = 0; i < 4; i++) {
                        if (toAll || n % 4 == i) {
                            to.add(new InternetAddress(users.get(i)));
                            expected[i]++;
                        }
                    }
                    TestMail mail = burstMessage(tag, n, String.join(", ", users));
                    smtp.sendMessage(new MimeMessage(session, new ByteArrayInputStream(mail.bytes())),
                            to.toArray(Address[]::new));
                }
            }
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                for (int i = 0; i < 4; i++) {
                    assertThat(jdbc.sql("SELECT count(*) FROM message_location WHERE mailbox_id = ?")
                            .param(watched.get(i).id()).query(Long.class).single())
                            .as("messages stored from mailbox %d", i).isEqualTo(expected[i]);
                }
            });
            assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE org_id = ?").param(orgId)
                    .query(Long.class).single()).as("one row per distinct message").isEqualTo(MESSAGES);
            assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE org_id = ? AND quarantine_reason IS NOT "
                    + "NULL").param(orgId).query(Long.class).single()).isZero();
            assertThat(jdbc.sql("SELECT count(*) FROM email_message m JOIN email_message_label ml "
                    + "ON ml.message_id = m.id JOIN email_label l ON l.id = ml.label_id AND l.slug = 'billing' "
                    + "WHERE m.org_id = ?").param(orgId).query(Long.class).single())
                    .as("every message about an invoice is labelled").isEqualTo(MESSAGES / 3 + 1);
            assertThat(jdbc.sql("SELECT count(*) FROM mailbox_folder f JOIN mailbox b ON b.id = f.mailbox_id "
                    + "WHERE b.org_id = ? AND f.last_error IS NOT NULL").param(orgId).query(Long.class).single())
                    .as("no watcher is left failing").isZero();
        } finally {
            watched.forEach(m -> inbound.unwatch(m.id()));
        }
    }

    @Test
    void aNewOrganizationHasEverySystemLabelFromTheStart() {
        long orgId = organizations.create("Labels", "labels-" + UUID.randomUUID().toString().substring(0, 8) + ".test");
        assertThat(jdbc.sql("SELECT slug FROM email_label WHERE org_id = ?").param(orgId).query(String.class).list())
                .containsAll(Classifier.SYSTEM_LABELS);
    }

    @Test
    void aDeletedSystemLabelIsCreatedAgainInsteadOfWedgingIngest() {
        long orgId = organizations.primary().orElseThrow().id();
        MailboxFixture fixture = new MailboxFixture(sandbox.server().orElseThrow().greenMail(), mailboxes, inbound,
                jdbc, orgId);
        fixture.deliver(TestMail.message().subject("Invoice 1"));
        long billing = labels.bySlug(orgId, "billing").orElseThrow().id();
        labels.delete(orgId, billing);

        UUID second = fixture.deliver(TestMail.message().subject("Invoice 2")).get(0);

        assertThat(labels.slugsOf(second)).contains("billing");
    }

    @Test
    void aMessageTheDatabaseRefusesIsQuarantinedAndTheMailBehindItIsStored() {
        long orgId = organizations.primary().orElseThrow().id();
        MailboxFixture fixture = new MailboxFixture(sandbox.server().orElseThrow().greenMail(), mailboxes, inbound,
                jdbc, orgId);
        String poison = MailboxFixture.word();
        // Stands in for whatever a real message may carry that the database refuses (a constraint, a value).
        jdbc.sql("CREATE FUNCTION refuse_" + poison + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "RAISE EXCEPTION 'refused by the test' USING ERRCODE = 'check_violation'; END $$").update();
        jdbc.sql("CREATE TRIGGER refuse_" + poison + " BEFORE INSERT ON email_message FOR EACH ROW WHEN "
                + "(NEW.subject LIKE '%" + poison + "%') EXECUTE FUNCTION refuse_" + poison + "()").update();
        try {
            TestMail before = TestMail.message().subject("Before " + MailboxFixture.word());
            TestMail bad = TestMail.message().subject("Poison " + poison);
            TestMail after = TestMail.message().subject("After " + MailboxFixture.word());

            List<UUID> ids = fixture.deliver(before, bad, after);

            assertThat(jdbc.sql("SELECT quarantine_reason FROM email_message WHERE id = ?").param(ids.get(1))
                    .query(String.class).single()).startsWith("Could not be stored: ").contains("refused by the test");
            assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE id IN (?, ?) AND quarantine_reason IS NULL")
                    .params(ids.get(0), ids.get(2)).query(Long.class).single()).isEqualTo(2);
            assertThat(fixture.sync().total(FolderSync.Counts::fetched)).as("nothing is fetched twice").isZero();
        } finally {
            jdbc.sql("DROP TRIGGER refuse_" + poison + " ON email_message").update();
            jdbc.sql("DROP FUNCTION refuse_" + poison + "()").update();
        }
    }

    private static TestMail burstMessage(String tag, int n, String to) {
        String topic = n % 3 == 0 ? "Invoice " + n + " for transport" : n % 3 == 1 ? "Court date " + n
                : "Scanned form " + n + " retention policy";
        TestMail mail = TestMail.message().from("Sender " + n + " <sender" + n + "@example.org>").to(to)
                .subject(topic + " " + tag).messageId("<burst." + tag + "." + n + "@example.org>")
                .text("Message " + n + " of the burst " + tag + ".");
        if (n % 7 == 0) {
            mail.attach("scan-" + n + ".pdf", "application/pdf", ("%PDF-1.4 " + n).getBytes(), null);
        }
        return mail;
    }
}
