package com.postroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.postroom.support.Api;
import com.postroom.support.Inboxes;
import com.postroom.support.SmtpFaultProxy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Scaling out: two packaged Postroom processes side by side on one PostgreSQL, the same SMTP server and the same IMAP
 * mailbox. Mail queued through both is delivered once; mail arriving while both IDLE and both poll is stored once.
 */
class TwoInstancesIT {

    static final String PASSWORD = "two-instances-mail-password";
    static final String ADMIN_PASSWORD = "two-instances-admin-password";
    static final String FOUNDER = "founder@scale.test";
    static final GreenMail GREENMAIL = new GreenMail(new ServerSetup[] {
        new ServerSetup(SmtpFaultProxy.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
        new ServerSetup(SmtpFaultProxy.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_IMAP)});
    static EmbeddedPostgres postgres;
    static final List<Process> processes = new ArrayList<>();
    static Api first;
    static Api second;

    @BeforeAll
    static void start() throws Exception {
        GREENMAIL.start();
        GREENMAIL.setUser(FOUNDER, FOUNDER, PASSWORD);
        postgres = EmbeddedPostgres.builder().setRegisterShutdownHook(false)
                .setDataDirectory(Path.of("target/it-data/two-instances-pg-" + UUID.randomUUID()))
                .setCleanDataDirectory(true).start();
        // One after the other: the first creates the schema and the organization, the second finds them.
        first = launch(1);
        second = launch(2);
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        GREENMAIL.stop();
        if (postgres != null) {
            postgres.close();
        }
    }

    private static Api launch(int n) throws IOException {
        Path jar = Path.of("target/postroom.jar");
        assertThat(jar).as("run `./mvnw verify`, which packages the jar first").exists();
        Files.createDirectories(Path.of("target/it-logs"));
        File log = Path.of("target/it-logs/two-instances-" + n + ".log").toFile();
        int httpPort = SmtpFaultProxy.freePort();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-jar", jar.toString()).redirectErrorStream(true).redirectOutput(log);
        Map<String, String> env = pb.environment();
        env.put("DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres");
        env.put("DATABASE_USERNAME", "postgres");
        env.put("DATABASE_PASSWORD", "postgres");
        env.put("POSTROOM_DATA_DIR", "target/it-data/two-instances-" + n + "-" + UUID.randomUUID());
        env.put("SERVER_PORT", String.valueOf(httpPort));
        env.put("SMTP_HOST", "127.0.0.1");
        env.put("SMTP_PORT", String.valueOf(GREENMAIL.getSmtp().getPort()));
        env.put("SMTP_USE_TLS", "false");
        env.put("SMTP_USERNAME", FOUNDER);
        env.put("SMTP_PASSWORD", PASSWORD);
        env.put("IMAP_HOST", "127.0.0.1");
        env.put("IMAP_PORT", String.valueOf(GREENMAIL.getImap().getPort()));
        env.put("IMAP_USE_TLS", "false");
        env.put("IMAP_USERNAME", FOUNDER);
        env.put("IMAP_PASSWORD", PASSWORD);
        env.put("IMAP_POLL_INTERVAL", "2s");
        env.put("IMAP_SENT_FOLDER", "");
        env.put("FOUNDER_EMAIL", FOUNDER);
        env.put("POSTROOM_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("POSTROOM_SECRET_KEY", "two-instances-share-this-secret-key-of-48-chars!");
        env.put("OUTBOX_POLL_INTERVAL", "100ms");
        env.put("OUTBOX_RETRY_BASE_DELAY", "100ms");
        Process process = pb.start();
        processes.add(process);
        Api anonymous = new Api(httpPort);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> !process.isAlive() || anonymous.get("/actuator/health/readiness").status() == 200);
        assertThat(process.isAlive()).as("instance %d started; see %s", n, log).isTrue();
        return anonymous.login(FOUNDER, ADMIN_PASSWORD);
    }

    private static long count(String sql) throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void mailQueuedThroughBothInstancesIsDeliveredOnce() throws Exception {
        int each = 100;
        CompletableFuture<Void> a = CompletableFuture.runAsync(() -> queue(first, "via first", each));
        CompletableFuture<Void> b = CompletableFuture.runAsync(() -> queue(second, "via second", each));
        CompletableFuture.allOf(a, b).get();
        await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM outbox WHERE status = 'sent' "
                + "AND mime IS NOT NULL") >= 2L * each);
        Thread.sleep(1000); // a second delivery, if there were one, would land now
        for (String tag : List.of("via first", "via second")) {
            for (int i = 0; i < each; i++) {
                assertThat(Inboxes.withSubjectContaining(GREENMAIL, tag + " #" + i + ";")).as(tag + " " + i)
                        .hasSize(1);
            }
        }
        assertThat(count("SELECT count(*) FROM postroom_instance")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void mailArrivingWhileBothInstancesSyncIsStoredOnce() throws Exception {
        int total = 120;
        String tag = "arrival-" + UUID.randomUUID().toString().substring(0, 8);
        CompletableFuture<Void> polling = CompletableFuture.runAsync(() -> {
            for (int round = 0; round < 10; round++) {
                CompletableFuture.allOf(
                        CompletableFuture.runAsync(() -> first.post("/api/email/poll-inbound", Map.of())),
                        CompletableFuture.runAsync(() -> second.post("/api/email/poll-inbound", Map.of()))).join();
            }
        });
        IntStream.range(0, total).forEach(i -> GreenMailUtil.sendTextEmail(FOUNDER, "someone@outside.test",
                tag + " #" + i, "arrival " + i, GREENMAIL.getSmtp().getServerSetup()));
        polling.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM email_message WHERE "
                + "direction = 'inbound' AND subject LIKE '" + tag + "%'") >= total);
        Thread.sleep(3000); // IDLE and the next poll of both instances have had their turn
        assertThat(count("SELECT count(*) FROM email_message WHERE direction = 'inbound' AND subject LIKE '"
                + tag + "%'")).isEqualTo(total);
        assertThat(count("SELECT count(DISTINCT subject) FROM email_message WHERE direction = 'inbound' AND "
                + "subject LIKE '" + tag + "%'")).isEqualTo(total);
    }

    private static void queue(Api api, String tag, int count) {
        for (int i = 0; i < count; i++) {
            Api.Response r = api.post("/api/email/send", Map.of("sender", FOUNDER,
                    "recipients", List.of("someone@example.com"), "subject", tag + " #" + i + ";",
                    "body_plain", "message " + i));
            assertThat(r.status()).isEqualTo(201);
        }
    }
}
