package com.postroom.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.PostroomApplication;
import com.postroom.cluster.Instance;
import com.postroom.cluster.Instances;
import com.postroom.mail.Secret;
import com.postroom.mail.MailServer;
import com.postroom.mail.MailSessions;
import com.postroom.mail.TlsMode;
import com.postroom.org.Organizations;
import com.postroom.support.Api;
import com.postroom.support.CuttingProxy;
import com.postroom.support.ImapClient;
import com.postroom.support.RealMailServer;

/**
 * Inbound sync against the real Dovecot over IMAPS (certificate checked against the test CA), with mail delivered by
 * the real Postfix. Each test syncs its own Dovecot account on demand; the context's own account (alice) is watched in
 * IDLE as in production.
 */
@ExtendWith(RealMailServer.Condition.class)
class RealInboundIT {

    static final String ALICE = "alice@postroom.test";
    static RealMailServer server;
    static ConfigurableApplicationContext context;
    static Api api;
    static JdbcClient jdbc;
    static InboundSync inbound;
    static Mailboxes mailboxes;
    static long orgId;

    @BeforeAll
    static void start() throws Exception {
        server = RealMailServer.load();
        Map<String, Object> props = new java.util.HashMap<>(server.postroomProperties(ALICE));
        props.putAll(Map.of("POSTROOM_DATA_DIR", "target/it-data/real-inbound-" + UUID.randomUUID(),
                "SERVER_PORT", "0", "FOUNDER_EMAIL", ALICE, "POSTROOM_ADMIN_PASSWORD", "real-inbound-admin",
                "OUTBOX_RETRY_BASE_DELAY", "200ms", "OUTBOX_POLL_INTERVAL", "200ms"));
        try (ImapClient alice = client(ALICE)) {
            alice.empty("INBOX");
        }
        context = new SpringApplicationBuilder(PostroomApplication.class).properties(props).run();
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        api = new Api(port).login(ALICE, "real-inbound-admin");
        jdbc = context.getBean(JdbcClient.class);
        inbound = context.getBean(InboundSync.class);
        mailboxes = context.getBean(Mailboxes.class);
        orgId = context.getBean(Organizations.class).primary().orElseThrow().id();
    }

    @AfterAll
    static void stop() {
        if (context == null) {
            return;
        }
        try {
            // Every test here changed mail through the real Dovecot (syncs, expunges, moves, a new UIDVALIDITY, a
            // cut link, two instances, mailboxes removed and added): the kept sidebar counts still agree with a
            // recount, for the organization and for each mailbox.
            com.postroom.mailbox.MailboxCounts counts = context.getBean(com.postroom.mailbox.MailboxCounts.class);
            assertThat(counts.of(orgId)).isEqualTo(counts.recount(orgId, Optional.empty()));
            for (com.postroom.store.MailboxScope scope : jdbc.sql("SELECT id, username FROM mailbox WHERE org_id = ?")
                    .param(orgId).query((rs, i) -> new com.postroom.store.MailboxScope(rs.getLong(1),
                            rs.getString(2))).list()) {
                assertThat(counts.of(orgId, Optional.of(scope))).as(scope.address())
                        .isEqualTo(counts.recount(orgId, Optional.of(scope)));
            }
        } finally {
            context.close();
        }
    }

    static MailServer imaps(String user, int port) {
        return new MailServer(server.host(), port, TlsMode.IMPLICIT, Optional.of(user),
                Optional.of(Secret.of(server.password())), Duration.ofSeconds(5), Duration.ofSeconds(15));
    }

    static ImapClient client(String user) throws Exception {
        MailSessions sessions = context != null ? context.getBean(MailSessions.class)
                : new MailSessions(Optional.of(java.nio.file.Path.of(server.caFile())));
        return new ImapClient(sessions.connectImap(imaps(user, server.imapsPort())));
    }

    /** A Dovecot account, emptied, registered as a synced mailbox without a watcher. */
    private static Mailbox mailbox(String user, int port, List<String> folders) throws Exception {
        try (ImapClient c = client(user)) {
            for (String f : folders) {
                c.folder(f);
                c.empty(f);
            }
        }
        jdbc.sql("DELETE FROM mailbox WHERE username = ? AND source = 'api'").param(user).update();
        long id = mailboxes.add(orgId, imaps(user, port), folders);
        return mailboxes.find(orgId, id).orElseThrow();
    }

    private static long stored(Mailbox m) {
        return jdbc.sql("SELECT count(*) FROM message_location WHERE mailbox_id = ?").param(m.id())
                .query(Long.class).single();
    }

    private static long messagesTagged(String tag) {
        return jdbc.sql("SELECT count(*) FROM email_message WHERE message_id LIKE ?").param("<" + tag + ".%")
                .query(Long.class).single();
    }

    @Test
    void incrementalSyncOverImapsIsExactlyOnceUnreadAndByteIdentical() throws Exception {
        Mailbox m = mailbox("bob@postroom.test", server.imapsPort(), List.of("INBOX"));
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try (ImapClient c = client("bob@postroom.test")) {
            for (int i = 0; i < 30; i++) {
                c.append("INBOX", InboundSyncTest.message(tag, i, 3000));
            }
            c.append("INBOX", ImapClient.resource("8bit-headers.eml"));
            assertThat(inbound.syncMailbox(m).total(FolderSync.Counts::stored)).isEqualTo(31);
            for (int i = 30; i < 40; i++) {
                c.append("INBOX", InboundSyncTest.message(tag, i, 3000));
            }
            assertThat(inbound.syncMailbox(m).total(FolderSync.Counts::stored)).isEqualTo(10);
            assertThat(inbound.syncMailbox(m).total(FolderSync.Counts::fetched)).isZero();
            IMAPFolder inboxFolder = c.folder("INBOX");
            inboxFolder.open(Folder.READ_ONLY);
            assertThat(inboxFolder.getUnreadMessageCount()).isEqualTo(41);
            inboxFolder.close(false);
        }
        assertThat(stored(m)).isEqualTo(41);
        assertThat(messagesTagged(tag)).isEqualTo(30 + 10);
        String id = jdbc.sql("SELECT l.message_id::text FROM message_location l JOIN email_message e ON e.id = "
                + "l.message_id WHERE l.mailbox_id = ? AND e.message_id = '<8bit-headers@example.de>'").param(m.id())
                .query(String.class).single();
        assertThat(api.getBytes("/api/email/messages/" + id + "/raw"))
                .as("Dovecot keeps the bytes it was given; Postroom hands them back unchanged")
                .isEqualTo(ImapClient.resource("8bit-headers.eml"));
    }

    @Test
    void readElsewhereFirstStillIngestedAndFlagsFollowTheServer() throws Exception {
        Mailbox m = mailbox("alice@example.test", server.imapsPort(), List.of("INBOX"));
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try (ImapClient c = client("alice@example.test")) {
            c.append("INBOX", InboundSyncTest.message(tag, 1, 500));
            c.append("INBOX", InboundSyncTest.message(tag, 2, 500));
            c.setFlagOnAll("INBOX", Flags.Flag.SEEN, true);
            inbound.syncMailbox(m);
            assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE message_id LIKE ? AND seen")
                    .param("<" + tag + ".%").query(Long.class).single()).isEqualTo(2);
            c.setFlagOnAll("INBOX", Flags.Flag.FLAGGED, true);
            inbound.syncMailbox(m);
        }
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE message_id LIKE ? AND flagged")
                .param("<" + tag + ".%").query(Long.class).single()).isEqualTo(2);
    }

    /**
     * Dovecot has CONDSTORE: after the first sync only flags changed since are read (the folder's mod-sequence moves
     * on), and a message another client expunges is still noticed, also when new mail arrived in the same interval.
     */
    @Test
    void withCondstoreOnlyChangedFlagsAreReadAndExpungesAreStillFound() throws Exception {
        String user = "alice@example.test";
        Mailbox m = mailbox(user, server.imapsPort(), List.of("INBOX"));
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try (ImapClient c = client(user)) {
            for (int i = 0; i < 5; i++) {
                c.append("INBOX", InboundSyncTest.message(tag, i, 500));
            }
            inbound.syncMailbox(m);
            Long first = modseq(m);
            assertThat(first).as("the mod-sequence is kept after a full read").isNotNull();

            c.setFlagOnAll("INBOX", Flags.Flag.FLAGGED, true);
            double changedReads = flagReads("changed");
            inbound.syncMailbox(m);
            assertThat(flagReads("changed")).as("only what changed was read").isEqualTo(changedReads + 1);
            assertThat(modseq(m)).isGreaterThan(first);
            assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE message_id LIKE ? AND flagged")
                    .param("<" + tag + ".%").query(Long.class).single()).isEqualTo(5);

            // One expunged and one new one at once: the new one is stored first, so Postroom's count is ahead of the
            // server's and every flag is read, which finds the expunged one.
            IMAPFolder inbox = c.folder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.getMessage(1).setFlag(Flags.Flag.DELETED, true);
            inbox.close(true);
            c.append("INBOX", InboundSyncTest.message(tag, 5, 500));
            inbound.syncMailbox(m);
        }
        assertThat(stored(m)).as("five locations: one expunged, one new").isEqualTo(5);
        assertThat(jdbc.sql("SELECT folder FROM email_message WHERE message_id = ?").param("<" + tag + ".0@example.org>")
                .query(String.class).single()).isEqualTo("archive");
        assertThat(messagesTagged(tag)).isEqualTo(6);
    }

    private static double flagReads(String read) {
        return context.getBean(io.micrometer.core.instrument.MeterRegistry.class)
                .counter("postroom_inbound_flag_reads", "read", read).count();
    }

    private static Long modseq(Mailbox m) {
        return jdbc.sql("SELECT highest_modseq FROM mailbox_folder WHERE mailbox_id = ? AND folder = 'INBOX'")
                .param(m.id()).query(Long.class).single();
    }

    @Test
    void aNewUidValidityRescansWithoutDuplicates() throws Exception {
        Mailbox m = mailbox("bob@example.test", server.imapsPort(), List.of("Archive"));
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try (ImapClient c = client("bob@example.test")) {
            for (int i = 0; i < 6; i++) {
                c.append("Archive", InboundSyncTest.message(tag, i, 800));
            }
            inbound.syncMailbox(m);
            long before = c.uidValidity("Archive");
            c.delete("Archive");
            Thread.sleep(1100);
            c.folder("Archive");
            for (int i = 0; i < 7; i++) {
                c.append("Archive", InboundSyncTest.message(tag, i, 800));
            }
            assertThat(c.uidValidity("Archive")).isNotEqualTo(before);
        }
        InboundSync.MailboxCounts rescan = inbound.syncMailbox(m);
        assertThat(rescan.total(FolderSync.Counts::stored)).isEqualTo(1);
        assertThat(rescan.total(FolderSync.Counts::duplicates)).isEqualTo(6);
        assertThat(stored(m)).isEqualTo(7);
        assertThat(messagesTagged(tag)).isEqualTo(7);
    }

    @Test
    void aLinkCutMidFetchOverTlsRecoversWithoutLossOrDuplicates() throws Exception {
        String user = "support@example.test";
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try (ImapClient c = client(user)) {
            c.empty("INBOX");
            for (int i = 0; i < 60; i++) {
                c.append("INBOX", InboundSyncTest.message(tag, i, 4000));
            }
        }
        try (CuttingProxy proxy = new CuttingProxy(server.imapsPort(), 120_000)) {
            Mailbox m = mailbox(user, proxy.port(), List.of());
            jdbc.sql("UPDATE mailbox SET folders = '{INBOX}' WHERE id = ?").param(m.id()).update();
            m = mailboxes.find(orgId, m.id()).orElseThrow();
            assertThat(inbound.syncMailbox(m).error()).isNotNull();
            assertThat(stored(m)).isLessThan(60);
            proxy.heal();
            assertThat(inbound.syncMailbox(m).error()).isNull();
            assertThat(stored(m)).isEqualTo(60);
        }
        assertThat(messagesTagged(tag)).isEqualTo(60);
    }

    @Test
    void twoInstancesOnOneFolderStoreEachMessageOnce() throws Exception {
        Mailbox m = mailbox("billing@example.test", server.imapsPort(), List.of("INBOX"));
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try (ImapClient c = client("billing@example.test")) {
            for (int i = 0; i < 150; i++) {
                c.append("INBOX", InboundSyncTest.message(tag, i, 1500));
            }
        }
        Instance other = Instances.another(jdbc);
        FolderSync second = new FolderSync(jdbc, context.getBean(JdbcTemplate.class), context.getBean(Ingest.class),
                other, context.getBean(FlagMirror.class), context.getBean(SyncHealth.class),
                context.getBean(com.postroom.store.Locations.class));
        FolderSync first = context.getBean(FolderSync.class);
        Thread a = new Thread(() -> syncQuietly(first, m));
        Thread b = new Thread(() -> syncQuietly(second, m));
        a.start();
        b.start();
        a.join();
        b.join();
        syncQuietly(second, m);
        Instances.stop(other);
        assertThat(stored(m)).isEqualTo(150);
        assertThat(messagesTagged(tag)).isEqualTo(150);
    }

    private static void syncQuietly(FolderSync sync, Mailbox m) {
        try (Store store = context.getBean(MailSessions.class).connectImap(m.server())) {
            IMAPFolder folder = (IMAPFolder) store.getFolder("INBOX");
            folder.open(Folder.READ_ONLY);
            sync.sync(m, folder, false);
        } catch (Exception e) {
            // A busy or lost lease: the other instance stores the batch.
        }
    }

    @Test
    void idleMakesMailDeliveredByPostfixVisibleWithinTwoSeconds() throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", server.host());
        props.put("mail.smtp.port", String.valueOf(server.plainSmtpPort()));
        props.put("mail.smtp.connectiontimeout", "5000");
        props.put("mail.smtp.timeout", "10000");
        Session session = Session.getInstance(props);
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String subject = "postfix idle " + UUID.randomUUID();
            MimeMessage msg = new MimeMessage(session);
            msg.setFrom(new InternetAddress("outside@example.test"));
            msg.setRecipient(Message.RecipientType.TO, new InternetAddress(ALICE));
            msg.setSubject(subject);
            msg.setText("Delivered by Postfix, then Dovecot LMTP.");
            long start = System.nanoTime();
            Transport.send(msg);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> jdbc.sql(
                    "SELECT count(*) FROM email_message WHERE subject = ?").param(subject).query(Long.class).single()
                    == 1);
            millis.add((System.nanoTime() - start) / 1_000_000);
        }
        Collections.sort(millis);
        assertThat(millis.get(millis.size() - 1)).as("slowest of 20, ms: " + millis).isLessThan(2000);
    }

    @Test
    void aRealPostfixBounceMarksTheMessageBouncedAndSuppressesTheAddress() {
        // Postfix accepts any user of its own domains and hands the mail to Dovecot's LMTP, which refuses an unknown
        // one: Postfix then returns a delivery status notification to the sender, as a real server does.
        String target = "ghost-" + UUID.randomUUID().toString().substring(0, 6) + "@example.test";
        Api.Response sent = api.post("/api/email/send", Map.of("sender", ALICE, "recipients", List.of(target),
                "subject", "Will bounce", "body_plain", "x"));
        assertThat(sent.status()).isEqualTo(201);
        String id = sent.body().get("message").get("id").asString();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> "bounced".equals(
                jdbc.sql("SELECT status FROM email_message WHERE id = ?::uuid").param(id).query(String.class).single()));
        assertThat(api.get("/api/email/suppressions").raw()).contains(target);
        assertThat(new String(api.getBytes("/api/email/suppressions"), StandardCharsets.UTF_8)).contains("hard bounce");
    }

    /**
     * Postmark's API end to end on the real servers: a message sent with Postmark's official Java client to an
     * unknown user bounces in Postfix, the bounce report arrives over IMAP, and the platform's webhook handler gets
     * Postmark's Bounce event for it.
     */
    @Test
    void aBounceThroughRealPostfixReachesAPostmarkWebhookHandler() throws Exception {
        java.util.List<tools.jackson.databind.JsonNode> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer handler = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        handler.createContext("/postmark", exchange -> {
            events.add(Api.JSON.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        handler.start();
        try {
            String token = api.post("/api/postmark/servers", Map.of("name", "platform", "senders", List.of(ALICE)))
                    .body().get("token").asString();
            int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
            var created = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://localhost:" + port + "/webhooks"))
                    .header("X-Postmark-Server-Token", token).header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"Url\": \"http://127.0.0.1:"
                            + handler.getAddress().getPort() + "/postmark\", \"Triggers\": {\"Bounce\": "
                            + "{\"Enabled\": true}, \"Delivery\": {\"Enabled\": true}}}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
            var client = com.postmarkapp.postmark.Postmark.getApiClient(token, false, "localhost:" + port);
            String target = "ghost-" + UUID.randomUUID().toString().substring(0, 6) + "@example.test";
            String id = client.deliverMessage(new com.postmarkapp.postmark.client.data.model.message.Message(ALICE,
                    target, "Will bounce through Postmark's API", null, "x")).getMessageId();

            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).until(() -> events.stream()
                    .anyMatch(e -> e.path("RecordType").asString("").equals("Bounce")
                            && e.path("MessageID").asString("").equals(id)));
            var bounce = events.stream().filter(e -> e.path("RecordType").asString("").equals("Bounce")).findFirst()
                    .orElseThrow();
            assertThat(bounce.path("Email").asString()).isEqualTo(target);
            assertThat(bounce.path("Type").asString()).isEqualTo("HardBounce");
            assertThat(bounce.path("Inactive").asBoolean()).isTrue();
            // Postfix took it first (its 250): the Delivery event, as Postroom sees delivery.
            assertThat(events).anySatisfy(e -> assertThat(e.path("RecordType").asString()).isEqualTo("Delivery"));
        } finally {
            handler.stop(0);
        }
    }

    /**
     * Write-back on the real Dovecot: a flag set in Postroom is seen by a plain IMAP client, a move lands in the folder
     * Dovecot marks with SPECIAL-USE (Trash, Junk, and "Archives" for \Archive), and the reverse: a flag set by that
     * client shows in Postroom after the next sync.
     */
    @Test
    void changesAreWrittenBackToDovecotAndChangesThereComeBack() throws Exception {
        String user = "noreply@example.test";
        Mailbox m = mailbox(user, server.imapsPort(), List.of("INBOX"));
        try (ImapClient c = client(user)) {
            for (String f : List.of("Trash", "Junk", "Archives")) {
                c.empty(f);
            }
        }
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try (ImapClient c = client(user)) {
            for (int i = 0; i < 3; i++) {
                c.append("INBOX", InboundSyncTest.message(tag, i, 500));
            }
        }
        assertThat(inbound.syncMailbox(m).total(FolderSync.Counts::stored)).isEqualTo(3);
        List<UUID> ids = jdbc.sql("SELECT id FROM email_message WHERE message_id LIKE ? ORDER BY message_id")
                .param("<" + tag + ".%").query(UUID.class).list();
        ImapWriteback writeback = context.getBean(ImapWriteback.class);
        change("read", ids.get(0));
        change("star", ids.get(0));
        change("archive", ids.get(1));
        change("trash", ids.get(2));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            writeback.runOnce();
            return jdbc.sql("SELECT count(*) FROM imap_writeback WHERE mailbox_id = ?").param(m.id())
                    .query(Long.class).single() == 0;
        });
        try (ImapClient c = client(user)) {
            IMAPFolder inbox = c.folder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).isEqualTo(1);
            Message first = inbox.getMessage(1);
            assertThat(first.isSet(Flags.Flag.SEEN)).isTrue();
            assertThat(first.isSet(Flags.Flag.FLAGGED)).isTrue();
            inbox.close(false);
            assertThat(count(c, "Archives")).as("found by SPECIAL-USE \\Archive").isEqualTo(1);
            assertThat(count(c, "Trash")).isEqualTo(1);
            Folder[] all = c.folder("INBOX").getParent().list("*");
            assertThat(java.util.Arrays.stream(all).map(Folder::getFullName)).doesNotContain("Archive");
        }
        assertThat(jdbc.sql("SELECT folder FROM message_location WHERE message_id = ?").param(ids.get(2))
                .query(String.class).single()).isEqualTo("Trash");

        // The reverse: another client clears \Seen and sets \Answered.
        try (ImapClient c = client(user)) {
            IMAPFolder inbox = c.folder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.getMessage(1).setFlags(new Flags(Flags.Flag.SEEN), false);
            inbox.getMessage(1).setFlags(new Flags(Flags.Flag.ANSWERED), true);
            inbox.close(false);
        }
        inbound.syncMailbox(m);
        assertThat(jdbc.sql("SELECT NOT seen AND flagged AND answered FROM email_message WHERE id = ?")
                .param(ids.get(0)).query(Boolean.class).single()).isTrue();
        assertThat(messagesTagged(tag)).as("nothing stored twice").isEqualTo(3);
    }

    /** Deleting or marking as spam in another client (Mailu's webmail) moves to Trash or Junk; Postroom follows. */
    @Test
    void messagesAnotherClientMovesToTrashOrJunkAreThereInPostroomToo() throws Exception {
        String user = "noreply@example.test";
        Mailbox m = mailbox(user, server.imapsPort(), List.of("INBOX"));
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try (ImapClient c = client(user)) {
            for (String f : List.of("Trash", "Junk")) {
                c.empty(f);
            }
            for (int i = 0; i < 2; i++) {
                c.append("INBOX", InboundSyncTest.message(tag, i, 500));
            }
        }
        inbound.syncMailbox(m);
        List<UUID> ids = jdbc.sql("SELECT id FROM email_message WHERE message_id LIKE ? ORDER BY message_id")
                .param("<" + tag + ".%").query(UUID.class).list();
        try (ImapClient c = client(user)) {
            IMAPFolder inbox = c.folder("INBOX");
            inbox.open(Folder.READ_WRITE);
            for (Message message : inbox.getMessages()) {
                String id = message.getHeader("Message-ID")[0];
                if (id.startsWith("<" + tag + ".0")) {
                    inbox.moveMessages(new Message[] {message}, c.folder("Trash"));
                } else if (id.startsWith("<" + tag + ".1")) {
                    inbox.moveMessages(new Message[] {message}, c.folder("Junk"));
                }
            }
            inbox.close(true);
        }
        inbound.syncMailbox(m);
        assertThat(jdbc.sql("SELECT folder FROM email_message WHERE id = ?").param(ids.get(0)).query(String.class)
                .single()).isEqualTo("trash");
        assertThat(jdbc.sql("SELECT folder FROM email_message WHERE id = ?").param(ids.get(1)).query(String.class)
                .single()).isEqualTo("spam");

        change("restore", ids.get(0));
        ImapWriteback writeback = context.getBean(ImapWriteback.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            writeback.runOnce();
            return jdbc.sql("SELECT count(*) FROM imap_writeback WHERE mailbox_id = ?").param(m.id())
                    .query(Long.class).single() == 0;
        });
        try (ImapClient c = client(user)) {
            assertThat(count(c, "Trash")).as("restored in Postroom, back in INBOX on Dovecot").isZero();
            assertThat(count(c, "Junk")).isEqualTo(1);
        }
        inbound.syncMailbox(m);
        assertThat(jdbc.sql("SELECT folder FROM email_message WHERE id = ?").param(ids.get(0)).query(String.class)
                .single()).isEqualTo("inbox");
        assertThat(messagesTagged(tag)).as("nothing stored twice").isEqualTo(2);
    }

    /**
     * Another client (Mailu's webmail, a phone) moves, copies, deletes, expunges and flags while Postroom waits in
     * IDLE on its long-lived connection: each change is in Postroom within seconds, without a poll or a restart.
     */
    @Test
    void changesByAnotherClientReachAWatchedMailboxWithinSeconds() throws Exception {
        String user = "support@example.test";
        Mailbox m = mailbox(user, server.imapsPort(), List.of("INBOX"));
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try (ImapClient c = client(user)) {
            for (String f : List.of("Trash", "Junk", "Archive")) {
                c.folder(f);
                c.empty(f);
            }
            for (int i = 0; i < 5; i++) {
                c.append("INBOX", InboundSyncTest.message(tag, i, 500));
            }
        }
        inbound.watch(m);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> messagesTagged(tag) == 5);
            Map<Integer, UUID> ids = new java.util.HashMap<>();
            for (int i = 0; i < 5; i++) {
                ids.put(i, jdbc.sql("SELECT id FROM email_message WHERE message_id = ?")
                        .param("<" + tag + "." + i + "@example.org>").query(UUID.class).single());
            }
            try (ImapClient c = client(user)) {
                IMAPFolder inbox = c.folder("INBOX");
                inbox.open(Folder.READ_WRITE);
                inbox.moveMessages(new Message[] {byTag(inbox, tag, 0)}, c.folder("Trash"));
                inbox.copyMessages(new Message[] {byTag(inbox, tag, 1)}, c.folder("Archive"));
                byTag(inbox, tag, 2).setFlag(Flags.Flag.DELETED, true);
                inbox.expunge();
                byTag(inbox, tag, 3).setFlag(Flags.Flag.FLAGGED, true);
                inbox.moveMessages(new Message[] {byTag(inbox, tag, 4)}, c.folder("Archive"));
                inbox.close(true);
            }
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                assertThat(folderOf(ids.get(0))).as("moved to Trash").isEqualTo("trash");
                assertThat(folderOf(ids.get(1))).as("copied: still in INBOX").isEqualTo("inbox");
                assertThat(folderOf(ids.get(2))).as("expunged").isEqualTo("archive");
                assertThat(jdbc.sql("SELECT flagged FROM email_message WHERE id = ?").param(ids.get(3))
                        .query(Boolean.class).single()).as("flagged").isTrue();
                assertThat(folderOf(ids.get(4))).as("moved to another folder").isEqualTo("archive");
            });
            assertThat(messagesTagged(tag)).as("nothing stored twice").isEqualTo(5);
        } finally {
            inbound.unwatch(m.id());
        }
    }

    private static Message byTag(IMAPFolder folder, String tag, int i) throws Exception {
        for (Message message : folder.getMessages()) {
            if (!message.isExpunged() && message.getHeader("Message-ID")[0].equals("<" + tag + "." + i + "@example.org>")) {
                return message;
            }
        }
        throw new AssertionError("message " + i + " not in " + folder.getFullName());
    }

    private static String folderOf(UUID id) {
        return jdbc.sql("SELECT folder FROM email_message WHERE id = ?").param(id).query(String.class).single();
    }

    private static void change(String action, UUID id) {
        Api.Response r = api.post("/api/mail/changes", Map.of("action", action, "message_ids", List.of(id)));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
    }

    private static int count(ImapClient c, String folder) throws Exception {
        IMAPFolder f = c.folder(folder);
        f.open(Folder.READ_ONLY);
        try {
            return f.getMessageCount();
        } finally {
            f.close(false);
        }
    }
}
