package com.postroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.inbound.InboundSync;
import com.postroom.inbound.Mailboxes;
import com.postroom.mail.Identities;
import com.postroom.mail.MailServer;
import com.postroom.mail.Secret;
import com.postroom.mail.TlsMode;
import com.postroom.org.Organizations;
import com.postroom.outbound.OutboundDraft;
import com.postroom.outbound.SendingCore;
import com.postroom.sandbox.Sandbox;
import com.postroom.store.MailboxScope;
import com.postroom.support.Api;
import com.postroom.support.ImapClient;
import com.postroom.support.MailboxFixture;
import com.postroom.support.SandboxTest;
import com.postroom.support.TestMail;

/**
 * The sidebar's kept counts (migration 28) against a recount from the messages, after every kind of change: mail
 * arriving and sent, read and unread, starred, labelled and unlabelled, moved between folders, deleted (and refused
 * while retention covers it), changed by another IMAP client, a label deleted, and many changes to the same messages
 * at once; folded or not.
 */
@SandboxTest
class MailCountsTest {

    @LocalServerPort
    int port;
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
    MailboxCounts counts;
    @Autowired
    CountCompactor compactor;
    @Autowired
    SendingCore core;

    Api api;
    long orgId;
    MailboxFixture box;

    @BeforeEach
    void setUp() {
        api = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        orgId = organizations.primary().orElseThrow().id();
        box = new MailboxFixture(sandbox.server().orElseThrow().greenMail(), mailboxes, inbound, jdbc, orgId);
    }

    /** The organization's counts, and each mailbox's (the switcher's), as a recount from the messages says. */
    private void agree(String after) {
        assertThat(counts.of(orgId)).as("after " + after).isEqualTo(counts.recount(orgId, Optional.empty()));
        for (MailboxScope scope : jdbc.sql("SELECT id, username FROM mailbox WHERE org_id = ?").param(orgId)
                .query((rs, i) -> new MailboxScope(rs.getLong(1), rs.getString(2))).list()) {
            assertThat(counts.of(orgId, Optional.of(scope))).as("in " + scope.address() + " after " + after)
                    .isEqualTo(counts.recount(orgId, Optional.of(scope)));
        }
        // Each synced folder's stored count (migration 43) against its places, in one snapshot.
        assertThat(jdbc.sql("SELECT mailbox_id || ' ' || folder || ': kept ' || coalesce(k.n, 0) || ', places ' "
                        + "|| coalesce(r.n, 0) FROM (SELECT mailbox_id, folder, sum(n) AS n FROM place_count "
                        + "GROUP BY 1, 2 HAVING sum(n) <> 0) k FULL JOIN (SELECT mailbox_id, folder, count(*) AS n "
                        + "FROM message_location GROUP BY 1, 2) r USING (mailbox_id, folder) "
                        + "WHERE k.n IS DISTINCT FROM r.n").query(String.class).list())
                .as("stored counts after " + after).isEmpty();
    }

    /** A folder's {@code messages_stored} as {@code GET /api/email/mailboxes} gives it. */
    private long storedThroughTheApi(long mailboxId, String folder) {
        for (var m : api.get("/api/email/mailboxes").body()) {
            for (var f : m.path("sync")) {
                if (m.get("id").asLong() == mailboxId && f.get("folder").asString().equals(folder)) {
                    return f.get("messages_stored").asLong();
                }
            }
        }
        throw new AssertionError("no folder " + folder + " in mailbox " + mailboxId);
    }

    private void change(String action, List<UUID> ids, String... label) {
        Map<String, Object> body = label.length == 0 ? Map.of("action", action, "message_ids", ids)
                : Map.of("action", action, "message_ids", ids, "label", label[0]);
        Api.Response r = api.post("/api/mail/changes", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
    }

    @Test
    void everyKindOfChangeKeepsTheCountsEqualToARecount() throws Exception {
        String word = MailboxFixture.word();
        agree("the start");
        List<UUID> ids = box.deliver(TestMail.message().subject("Claim " + word),
                TestMail.message().subject("Denial " + word),
                TestMail.message().subject("Remit " + word).attach("remit.pdf", "application/pdf", new byte[600], null),
                TestMail.message().subject("Webmail " + word));
        agree("mail arrived");
        core.queue(OutboundDraft.builder(orgId, Identities.Flow.NOREPLY).to(List.of("patient@postroom.test"))
                .subject("Statement " + word).text("Your statement").build());
        agree("mail sent");

        UUID claim = ids.get(0);
        UUID denial = ids.get(1);
        UUID remit = ids.get(2);
        change("read", List.of(claim, remit));
        agree("read");
        change("star", List.of(denial));
        agree("starred");
        change("add_label", List.of(claim, denial), "Appeals " + word);
        agree("labelled");
        change("unread", List.of(claim));
        agree("unread while labelled");
        change("archive", List.of(claim));
        change("spam", List.of(denial));
        agree("archived and marked as spam");
        change("not_spam", List.of(denial));
        change("trash", List.of(remit));
        agree("back from spam, trashed");
        change("restore", List.of(remit));
        change("inbox", List.of(claim));
        change("remove_label", List.of(denial), "Appeals " + word);
        agree("restored, back in the inbox, unlabelled");

        assertThat(api.put("/api/retention-policies/legal", Map.of("retain_days", 3650)).status()).isEqualTo(200);
        String classification = jdbc.sql("SELECT classification FROM email_message WHERE id = ?").param(claim)
                .query(String.class).single();
        api.put("/api/retention-policies/" + classification, Map.of("retain_days", 3650));
        assertThat(api.delete("/api/email/messages/" + claim).status()).as("retention refuses").isEqualTo(423);
        agree("a delete refused by retention");
        api.delete("/api/retention-policies/" + classification);
        api.delete("/api/retention-policies/legal");
        assertThat(api.delete("/api/email/messages/" + claim).status()).isEqualTo(200);
        agree("a labelled message deleted");

        try (ImapClient c = box.client()) {
            IMAPFolder inboxFolder = c.folder("INBOX");
            inboxFolder.open(Folder.READ_WRITE);
            for (Message m : inboxFolder.getMessages()) {
                String subject = m.getSubject();
                if (subject.startsWith("Webmail")) {
                    inboxFolder.moveMessages(new Message[] {m}, c.folder("Trash"));
                } else if (subject.startsWith("Remit")) {
                    m.setFlags(new Flags(Flags.Flag.SEEN), false);
                    m.setFlags(new Flags(Flags.Flag.FLAGGED), true);
                } else if (subject.startsWith("Denial")) {
                    m.setFlags(new Flags(Flags.Flag.DELETED), true);
                }
            }
            inboxFolder.close(true); // expunges the denial
        }
        box.sync();
        agree("changes and an expunge by another IMAP client");

        change("add_label", ids.subList(2, 4), "Appeals " + word);
        long label = jdbc.sql("SELECT label_id FROM email_message_label WHERE message_id = ?").param(ids.get(3))
                .query(Long.class).single();
        assertThat(api.delete("/api/mail/labels/" + label).status()).isEqualTo(204);
        agree("a label deleted");

        // A second place of a message in the same mailbox (a copy in another folder) counts it once; it leaves the
        // mailbox's counts with its last place.
        UUID remitId = ids.get(2);
        jdbc.sql("INSERT INTO message_location (mailbox_id, folder, uidvalidity, uid, message_id) "
                + "VALUES (?, 'Archive', 1, 77, ?)").params(box.mailbox.id(), remitId).update();
        agree("a second place in the same mailbox");
        jdbc.sql("UPDATE message_location SET folder = 'Archive 2', uid = 78 WHERE message_id = ? AND folder = 'Archive'")
                .param(remitId).update();
        agree("a place moved to another folder");
        jdbc.sql("UPDATE message_location SET flags = '{\\Seen}' WHERE message_id = ?").param(remitId).update();
        agree("a place's flags changed");
        jdbc.sql("DELETE FROM message_location WHERE message_id = ? AND folder = 'INBOX'").param(remitId).update();
        agree("the first place gone");
        jdbc.sql("DELETE FROM message_location WHERE message_id = ?").param(remitId).update();
        agree("the last place gone");

        // A mailbox for the address that sent mail: that mail counts in it from the start, and goes with it.
        long sender = mailboxes.add(orgId, new MailServer("127.0.0.1", 9, TlsMode.NONE,
                Optional.of("noreply@postroom.test"), Optional.of(Secret.of("unused")), Duration.ofSeconds(1),
                Duration.ofSeconds(1)), List.of("INBOX"));
        agree("a mailbox added for the sending address");
        core.queue(OutboundDraft.builder(orgId, Identities.Flow.NOREPLY).to(List.of("patient@postroom.test"))
                .subject("Second statement " + word).text("Your statement").build());
        agree("mail sent from a synced mailbox's address");
        // Its stored counts, folded: one row per folder (nothing syncs this mailbox, so no place comes meanwhile).
        for (int uid = 1; uid <= 3; uid++) {
            jdbc.sql("INSERT INTO message_location (mailbox_id, folder, uidvalidity, uid, message_id) "
                    + "VALUES (?, 'INBOX', 1, ?, ?)").params(sender, uid, ids.get(uid % 2 == 0 ? 2 : 3)).update();
        }
        agree("places in the sender's mailbox");
        assertThat(compactor.foldPlaces(sender)).as("one row per folder with places").isEqualTo(1);
        assertThat(jdbc.sql("SELECT n FROM place_count WHERE mailbox_id = ?").param(sender).query(Long.class)
                .single()).isEqualTo(3);
        agree("its stored counts folded");
        assertThat(mailboxes.remove(orgId, sender)).isTrue();
        agree("that mailbox removed");
        assertThat(jdbc.sql("SELECT count(*) FROM mail_count WHERE mailbox_id = ?").param(sender).query(Long.class)
                .single()).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM place_count WHERE mailbox_id = ?").param(sender)
                .query(Long.class).single()).as("its stored counts go with it").isZero();
        long stored = jdbc.sql("SELECT count(*) FROM message_location WHERE mailbox_id = ? AND folder = 'INBOX'")
                .param(box.mailbox.id()).query(Long.class).single();
        assertThat(stored).isPositive();
        assertThat(storedThroughTheApi(box.mailbox.id(), "INBOX")).as("GET /api/email/mailboxes").isEqualTo(stored);

        compactor.fold(orgId);
        // The synced mailbox's places may still be moving (Postroom's own changes are written back to the server in
        // the background), so only the sums are compared here; the sender's mailbox above showed one row per folder.
        assertThat(compactor.foldPlaces(box.mailbox.id())).isPositive();
        agree("folding");
        assertThat(jdbc.sql("SELECT count(*) FROM mail_count WHERE org_id = ? AND n = 0").param(orgId)
                .query(Long.class).single()).as("a folded group that sums to nothing is gone").isZero();

        // The scheduled fold leaves folded rows alone, and folds them once changes have piled up.
        String folded = "SELECT count(*) FROM mail_count WHERE org_id = ?";
        String rows = "SELECT string_agg(ctid::text, ',' ORDER BY ctid) FROM mail_count WHERE org_id = ?";
        String before = jdbc.sql(rows).param(orgId).query(String.class).single();
        compactor.foldWhereNeeded();
        assertThat(jdbc.sql(rows).param(orgId).query(String.class).single()).as("nothing rewritten").isEqualTo(before);
        long groups = jdbc.sql(folded).param(orgId).query(Long.class).single();
        for (int i = 0; i < CountCompactor.FOLD_ABOVE / 2; i++) { // each adds two rows or more
            change(i % 2 == 0 ? "read" : "unread", List.of(ids.get(2)));
        }
        assertThat(jdbc.sql(folded).param(orgId).query(Long.class).single()).isGreaterThan(groups
                + CountCompactor.FOLD_ABOVE);
        compactor.foldWhereNeeded();
        assertThat(jdbc.sql(folded).param(orgId).query(Long.class).single()).isLessThanOrEqualTo(groups + 4);
        agree("the scheduled fold");
    }

    @Test
    void changesToTheSameMessagesAtOnceLeaveTheCountsRight() throws Exception {
        String word = MailboxFixture.word();
        List<UUID> ids = box.deliver(TestMail.message().subject("A " + word), TestMail.message().subject("B " + word),
                TestMail.message().subject("C " + word), TestMail.message().subject("D " + word));
        String[] actions = {"read", "unread", "star", "unstar", "archive", "inbox", "add_label", "remove_label"};
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                Random random = new Random(t);
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        String action = actions[random.nextInt(actions.length)];
                        List<UUID> some = ids.subList(0, 1 + random.nextInt(ids.size()));
                        Map<String, Object> body = action.endsWith("_label")
                                ? Map.of("action", action, "message_ids", some, "label", "Busy " + word)
                                : Map.of("action", action, "message_ids", some);
                        Api.Response r = api.post("/api/mail/changes", body);
                        assertThat(r.status()).as(r.raw()).isEqualTo(200);
                    }
                    return null;
                }));
                if (t == 3) {
                    runs.add(pool.submit(() -> compactor.fold(orgId)));
                }
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }
        agree("many changes at once");
        compactor.fold(orgId);
        assertThat(compactor.foldPlaces(box.mailbox.id())).isPositive();
        agree("folding");
    }
}
