package com.postroom.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.postroom.PostroomApplication;
import com.postroom.support.Api;
import com.postroom.support.Inboxes;
import com.postroom.support.SmtpFaultProxy;
import com.zaxxer.hikari.HikariDataSource;

/**
 * Delivery under failure, against a real SMTP server (GreenMail) behind a proxy that fails on command. Every test
 * checks the one property that matters: each message reaches each recipient exactly once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "POSTROOM_DATA_DIR=target/test-data/faults-${random.uuid}",
        "SMTP_HOST=127.0.0.1", "SMTP_USE_TLS=false",
        "SMTP_USERNAME=founder@faults.test", "SMTP_PASSWORD=" + DeliveryFaultTest.SMTP_SECRET,
        "FOUNDER_EMAIL=founder@faults.test", "BILLING_FROM_EMAIL=billing@faults.test",
        "POSTROOM_ORG_NAME=Faults", "POSTROOM_ORG_DOMAIN=faults.test",
        "POSTROOM_ADMIN_PASSWORD=" + DeliveryFaultTest.ADMIN_SECRET,
        "POSTROOM_SECRET_KEY=" + DeliveryFaultTest.KEY_SECRET,
        "OUTBOX_RETRY_BASE_DELAY=100ms", "OUTBOX_RETRY_MAX_DELAY=400ms", "OUTBOX_POLL_INTERVAL=100ms",
        "MAIL_CONNECT_TIMEOUT=2s", "MAIL_READ_TIMEOUT=5s",
        "logging.file.name=target/test-logs/delivery-faults.log"})
class DeliveryFaultTest {

    static final String SMTP_SECRET = "smtp-Secret-4e1f9c";
    static final String ADMIN_SECRET = "admin-Secret-77ab2d";
    static final String KEY_SECRET = "key-Secret-0123456789abcdef0123456789abcdef";
    static final GreenMail GREENMAIL = new GreenMail(
            new ServerSetup(SmtpFaultProxy.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    static final SmtpFaultProxy PROXY;

    static {
        GREENMAIL.start();
        GREENMAIL.setUser("founder@faults.test", "founder@faults.test", SMTP_SECRET);
        PROXY = new SmtpFaultProxy(GREENMAIL.getSmtp().getPort());
    }

    @DynamicPropertySource
    static void smtp(DynamicPropertyRegistry registry) {
        registry.add("SMTP_PORT", PROXY::port);
    }

    @AfterAll
    static void stop() {
        PROXY.close();
        GREENMAIL.stop();
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    HikariDataSource dataSource;
    @Autowired
    SendingCore core;
    @Autowired
    Outbox outbox;
    @Autowired
    DeliveryWorker worker;
    @Autowired
    com.postroom.cluster.Instance instance;
    @Autowired
    org.springframework.transaction.support.TransactionTemplate tx;

    Api api;

    @BeforeEach
    void setUp() {
        PROXY.up();
        api = new Api(port).login("founder@faults.test", ADMIN_SECRET);
    }

    private String send(String subject, List<String> to) {
        Api.Response r = api.post("/api/email/send", Map.of("sender", "founder@faults.test", "recipients", to,
                "subject", subject, "body_plain", "body of " + subject));
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.body().at("/message/id").asString();
    }

    private Api.Response status(String id) {
        return api.get("/api/email/outbound/" + id);
    }

    private static int delivered(String subject) {
        return Inboxes.withSubjectContaining(GREENMAIL, subject).size();
    }

    private static String tag() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void mailQueuedWhileTheServerIsDownGoesOutOnceWhenItIsBack() throws Exception {
        PROXY.down();
        String tag = tag();
        List<String> ids = IntStream.range(0, 20).mapToObj(i -> send("down " + tag + " #" + i + ";",
                List.of("a@example.com"))).toList();
        await().atMost(Duration.ofSeconds(10)).until(() -> ids.stream()
                .allMatch(id -> status(id).body().path("attempt_count").asInt() >= 1));
        Api.Response waiting = status(ids.get(0));
        assertThat(waiting.body().path("status").asString()).isIn("queued", "sending");
        assertThat(waiting.body().path("last_error").asString()).contains("connection refused");
        assertThat(delivered("down " + tag)).isZero();

        PROXY.up();
        await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream()
                .allMatch(id -> status(id).body().path("status").asString().equals("sent")));
        Thread.sleep(500);
        for (int i = 0; i < 20; i++) {
            assertThat(delivered("down " + tag + " #" + i + ";")).as("message " + i).isEqualTo(1);
        }
    }

    @Test
    void aTemporaryFailureIsRetriedWithBackoffAndThenDeliveredOnce() throws Exception {
        String subject = "temporary " + tag();
        PROXY.failNext("MAIL FROM", "451 4.3.0 Try again later", 2);
        String id = send(subject, List.of("a@example.com"));
        await().atMost(Duration.ofSeconds(15)).until(() -> status(id).body().path("status").asString().equals("sent"));
        Api.Response s = status(id);
        assertThat(s.body().path("attempt_count").asInt()).isEqualTo(3);
        assertThat(s.body().at("/attempts/0/outcome").asString()).isEqualTo("deferred");
        assertThat(s.body().at("/attempts/0/smtp_code").asInt()).isEqualTo(451);
        assertThat(s.body().at("/attempts/0/smtp_reply").asString()).contains("Try again later");
        assertThat(s.body().at("/attempts/2/outcome").asString()).isEqualTo("sent");
        assertThat(s.body().at("/attempts/2/smtp_code").asInt()).isEqualTo(250);
        assertThat(s.body().at("/attempts/2/recipients/0/address").asString()).isEqualTo("a@example.com");
        assertThat(s.body().at("/attempts/2/recipients/0/code").asInt()).isEqualTo(250);
        assertThat(s.body().at("/attempts/2/recipients/0/accepted").asBoolean()).isTrue();
        assertThat(s.body().at("/attempts/2/recipients/0/reply").asString()).isNotBlank();
        Thread.sleep(500);
        assertThat(delivered(subject)).isEqualTo(1);
    }

    @Test
    void aPermanentFailureIsFinalAtOnce() throws Exception {
        String subject = "permanent " + tag();
        PROXY.failNext("MAIL FROM", "550 5.7.1 Relaying denied", 1);
        String id = send(subject, List.of("a@example.com"));
        await().atMost(Duration.ofSeconds(10)).until(() -> status(id).body().path("status").asString().equals("failed"));
        Api.Response s = status(id);
        assertThat(s.body().path("attempt_count").asInt()).isEqualTo(1);
        assertThat(s.body().at("/attempts/0/smtp_code").asInt()).isEqualTo(550);
        assertThat(s.body().path("last_error").asString()).contains("Relaying denied");
        assertThat(jdbc.sql("SELECT status FROM email_message WHERE id = ?::uuid").param(id).query(String.class)
                .single()).isEqualTo("failed");
        Thread.sleep(300);
        assertThat(delivered(subject)).isZero();
    }

    @Test
    void anUnknownRecipientFailsWithTheServersOwnCodeAndReply() {
        String subject = "unknown " + tag();
        PROXY.failNext("RCPT TO:<NOBODY@", "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown", 1);
        String id = send(subject, List.of("nobody@example.com"));
        await().atMost(Duration.ofSeconds(10)).until(() -> status(id).body().path("status").asString().equals("failed"));
        Api.Response s = status(id);
        assertThat(s.body().path("last_error").asString()).startsWith("550 5.1.1").contains("User unknown")
                .doesNotContain("Invalid Addresses");
        assertThat(s.body().at("/attempts/0/smtp_code").asInt()).isEqualTo(550);
        assertThat(s.body().at("/refusals/0/smtp_code").asInt()).isEqualTo(550);
        assertThat(api.get("/api/founder/email/failed-deliveries").raw()).contains("550 5.1.1");
        String thread = jdbc.sql("SELECT thread_id FROM email_message WHERE id = ?::uuid").param(id)
                .query(String.class).single();
        String page = com.postroom.support.WebClient.signedIn(port, "founder@faults.test", ADMIN_SECRET)
                .get("/mail/sent/" + thread).body();
        assertThat(page).contains("Not delivered.").contains("550 5.1.1");
    }

    @Test
    void partialAcceptanceIsRecordedPerRecipientAndOnlyTheDeferredOneIsRetried() throws Exception {
        String subject = "partial " + tag();
        PROXY.failNext("RCPT TO:<REFUSED@", "550 5.1.1 No such user", 1);
        PROXY.failNext("RCPT TO:<LATER@", "452 4.2.2 Mailbox full", 1);
        String id = send(subject, List.of("ok@example.com", "refused@example.com", "later@example.com"));
        await().atMost(Duration.ofSeconds(15)).until(() -> status(id).body().path("status").asString().equals("sent"));
        Api.Response s = status(id);
        assertThat(s.body().at("/attempts/0/outcome").asString()).isEqualTo("deferred");
        assertThat(s.body().at("/attempts/0/recipients").toString()).contains("No such user").contains("Mailbox full");
        assertThat(s.body().path("accepted_recipients").toString()).contains("ok@example.com", "later@example.com");
        assertThat(s.body().path("failed_recipients").toString()).contains("refused@example.com");
        assertThat(s.body().path("last_error").asString()).as("the refusal, not the other recipient's 250")
                .contains("refused@example.com: 550 5.1.1 No such user").doesNotContain("250");
        assertThat(s.body().at("/attempts/0/smtp_code").asInt()).isEqualTo(550);
        assertThat(s.body().at("/refusals/0/recipient").asString()).isEqualTo("refused@example.com");
        assertThat(s.body().at("/refusals/0/smtp_code").asInt()).isEqualTo(550);
        assertThat(s.body().at("/refusals/0/reply").asString()).contains("No such user");
        Thread.sleep(500);
        // ok@ once (first attempt), later@ once (second attempt), refused@ never: two deliveries in all.
        assertThat(delivered(subject)).isEqualTo(2);
    }

    @Test
    void aMessageStillFailingAtItsGiveUpTimeBecomesFailed() {
        PROXY.down();
        String id = send("give up " + tag(), List.of("a@example.com"));
        await().atMost(Duration.ofSeconds(10)).until(() -> status(id).body().path("attempt_count").asInt() >= 1);
        jdbc.sql("UPDATE outbox SET give_up_at = now() WHERE message_id = ?::uuid").param(id).update();
        await().atMost(Duration.ofSeconds(10)).until(() -> status(id).body().path("status").asString().equals("failed"));
        assertThat(status(id).body().path("last_error").asString()).startsWith("Gave up after");
    }

    /**
     * Mail waiting for later (a statement run scheduled for tomorrow, thousands deferred while the server is down) is
     * not read by every claim of every worker: a claim reads what is due and what is in 'sending', however much waits.
     * With one condition for both (an OR), PostgreSQL read every waiting row at every claim (migration 46).
     */
    @Test
    void aClaimDoesNotReadTheMailThatWaitsForLater() {
        List<UUID> later = queue(400, "later", TOMORROW.get());
        try {
            jdbc.sql("ANALYZE outbox").update();
            assertReadsFewerOutboxRowsThan(50, Outbox.claimSql(8), "explain", "60 seconds");
        } finally {
            cancel(later);
        }
    }

    /**
     * Copies for the IMAP Sent folder waiting for their next try (the IMAP server down) are not read by every claim
     * of the copier either (migration 47): 400 copies tried and waiting, a claim reads next to none of them.
     */
    @Test
    void aSentCopyClaimDoesNotReadTheCopiesWaitingForTheirNextTry() {
        UUID[] ids = queue(400, "copy", TOMORROW.get()).toArray(UUID[]::new);
        try {
            jdbc.sql("UPDATE outbox SET sent_copy = 'pending', sent_copy_tries = 1, "
                    + "lease_until = now() + interval '2 minutes' WHERE message_id = ANY(?)").param(ids).update();
            jdbc.sql("ANALYZE outbox").update();
            assertReadsFewerOutboxRowsThan(50, SentCopier.CLAIM, "explain");
        } finally {
            jdbc.sql("UPDATE outbox SET sent_copy = 'none', lease_until = NULL WHERE message_id = ANY(?)").param(ids)
                    .update();
            cancel(List.of(ids));
        }
    }

    /** A copy's next try waits longer after each failure: 2, 4, 8 ... minutes, at most an hour. */
    @Test
    void aSentCopyIsTriedAgainLaterAfterEachFailure() {
        UUID id = queue(1, "copy backoff", TOMORROW.get()).get(0);
        try {
            for (int[] triesAndMinutes : new int[][] {{0, 2}, {1, 4}, {3, 16}, {5, 60}, {9, 60}}) {
                Long minutes = tx.execute(status -> {
                    status.setRollbackOnly();
                    jdbc.sql("UPDATE outbox SET sent_copy = 'pending', sent_copy_tries = ?, lease_until = NULL "
                            + "WHERE message_id = ?").params(triesAndMinutes[0], id).update();
                    jdbc.sql(SentCopier.CLAIM).param("backoff").query((rs, n) -> rs.getObject(1)).list();
                    return jdbc.sql("SELECT extract(epoch FROM lease_until - now())::bigint / 60 FROM outbox "
                            + "WHERE message_id = ?").param(id).query(Long.class).single();
                });
                assertThat(minutes).as("after %d tries", triesAndMinutes[0]).isEqualTo(triesAndMinutes[1]);
            }
        } finally {
            cancel(List.of(id));
        }
    }

    /**
     * A claim is one statement that turns off the WAL flush of its own commit (set_config, local to its
     * transaction): the setting must end with it, or the pooled connection would commit delivery outcomes, which
     * must be durable, without waiting for the disk.
     */
    @Test
    void aClaimsAsynchronousCommitEndsWithTheClaim() throws Exception {
        worker.stop(); // nothing else claims while this test does
        try {
            List<UUID> queued = queue(3, "claimed", null);
            List<Outbox.Claim> claims = outbox.claim(instance.id(), 50, Duration.ofMinutes(5));
            assertThat(claims).extracting(Outbox.Claim::messageId).containsAll(queued);
            for (int i = 0; i < 20; i++) {
                assertThat(jdbc.sql("SHOW synchronous_commit").query(String.class).single()).isEqualTo("on");
            }
            outbox.release(instance.id(), claims.stream().map(Outbox.Claim::messageId).toList());
        } finally {
            worker.start();
        }
    }

    private static final java.util.function.Supplier<java.time.Instant> TOMORROW =
            () -> java.time.Instant.now().plus(Duration.ofDays(1));

    private long org() {
        return jdbc.sql("SELECT id FROM organization ORDER BY id LIMIT 1").query(Long.class).single();
    }

    /** Messages queued through the sending core, due at {@code notBefore} (null: now); their ids. */
    private List<UUID> queue(int count, String subject, java.time.Instant notBefore) {
        long org = org();
        return core.queueAll(IntStream.range(0, count).mapToObj(i -> OutboundDraft.builder(org,
                        com.postroom.mail.Identities.Flow.FOUNDER).to(List.of("queued@example.com"))
                        .subject(subject + " " + i).text("Statement " + i).notBefore(notBefore).sentCopy(false)
                        .build()).toList())
                .stream().map(SendingCore.Outcome::messageId).toList();
    }

    /** Takes back queued messages that were never tried. */
    private void cancel(List<UUID> ids) {
        long org = org();
        ids.forEach(id -> outbox.cancel(org, id));
    }

    /** Fewer outbox rows than {@code max} read by a statement, from its plan: EXPLAIN ANALYZE, rolled back. */
    private void assertReadsFewerOutboxRowsThan(int max, String sql, Object... params) {
        String plan = tx.execute(status -> {
            status.setRollbackOnly(); // EXPLAIN ANALYZE runs the statement: take nothing
            return jdbc.sql("EXPLAIN (ANALYZE, FORMAT JSON) " + sql).params(params).query(String.class).single();
        });
        assertThat(rowsRead(tools.jackson.databind.json.JsonMapper.shared().readTree(plan).get(0).get("Plan")))
                .as(plan).isLessThan(max);
    }

    /** Rows of the outbox a plan read: those its scans returned and those their filters threw away. */
    private static long rowsRead(tools.jackson.databind.JsonNode node) {
        long read = 0;
        if ("outbox".equals(node.path("Relation Name").asString(""))) {
            read += node.path("Actual Rows").asLong() * Math.max(1, node.path("Actual Loops").asLong())
                    + node.path("Rows Removed by Filter").asLong();
        }
        for (tools.jackson.databind.JsonNode child : node.path("Plans")) {
            read += rowsRead(child);
        }
        return read;
    }

    @Test
    void twoInstancesOnOneDatabaseSendEveryMessageExactlyOnce() throws Exception {
        PROXY.down();
        String tag = tag();
        int count = 150;
        List<String> ids = IntStream.range(0, count).mapToObj(i -> send("pair " + tag + " #" + i + ";",
                List.of("a@example.com"))).toList();
        try (ConfigurableApplicationContext second = new SpringApplicationBuilder(PostroomApplication.class)
                .web(WebApplicationType.NONE)
                .properties(Map.ofEntries(Map.entry("DATABASE_URL", dataSource.getJdbcUrl()),
                        Map.entry("DATABASE_USERNAME", dataSource.getUsername()),
                        Map.entry("DATABASE_PASSWORD", dataSource.getPassword()),
                        Map.entry("POSTROOM_SECRET_KEY", KEY_SECRET),
                        Map.entry("SMTP_HOST", "127.0.0.1"), Map.entry("SMTP_PORT", String.valueOf(PROXY.port())),
                        Map.entry("SMTP_USE_TLS", "false"), Map.entry("FOUNDER_EMAIL", "founder@faults.test"),
                        Map.entry("SMTP_USERNAME", "founder@faults.test"), Map.entry("SMTP_PASSWORD", SMTP_SECRET),
                        Map.entry("OUTBOX_POLL_INTERVAL", "100ms"), Map.entry("OUTBOX_RETRY_BASE_DELAY", "100ms"),
                        Map.entry("OUTBOX_RETRY_MAX_DELAY", "400ms"), Map.entry("OUTBOX_CLAIM_BATCH", "8"),
                        Map.entry("spring.main.banner-mode", "off")))
                .run()) {
            PROXY.up();
            await().atMost(Duration.ofSeconds(60)).until(() -> jdbc.sql("SELECT count(*) FROM outbox o JOIN "
                    + "email_message m ON m.id = o.message_id WHERE m.subject LIKE ? AND o.status = 'sent'")
                    .param("pair " + tag + "%").query(Long.class).single() == count);
            long workers = jdbc.sql("SELECT count(DISTINCT a.worker) FROM delivery_attempt a JOIN email_message m "
                    + "ON m.id = a.message_id WHERE m.subject LIKE ? AND a.outcome = 'sent'")
                    .param("pair " + tag + "%").query(Long.class).single();
            assertThat(workers).as("both instances delivered some").isEqualTo(2);
        }
        Thread.sleep(500);
        for (int i = 0; i < count; i++) {
            assertThat(delivered("pair " + tag + " #" + i + ";")).as("message " + i).isEqualTo(1);
        }
        assertThat(ids).hasSize(count);
    }

    @Test
    void noSecretReachesTheLogOrAnApiAnswer() throws Exception {
        // Exercise what logs: a failure with the server's reply, a login, health details, metrics.
        PROXY.failNext("MAIL FROM", "550 5.7.1 Denied", 1);
        String id = send("secrets " + tag(), List.of("a@example.com"));
        await().atMost(Duration.ofSeconds(10)).until(() -> status(id).body().path("status").asString().equals("failed"));
        new Api(port).post("/api/auth/login", Map.of("email", "founder@faults.test", "password", "wrong"));
        String answers = api.get("/actuator/health").raw() + api.get("/actuator/prometheus").raw()
                + api.get("/actuator/env").raw() + api.get("/actuator/configprops").raw() + status(id).raw();
        String log = Files.readString(Path.of("target/test-logs/delivery-faults.log"));
        for (String secret : List.of(SMTP_SECRET, ADMIN_SECRET, KEY_SECRET, dataSource.getPassword())) {
            assertThat(log).as("log").doesNotContain(secret);
            assertThat(answers).as("API answers").doesNotContain(secret);
        }
    }
}
