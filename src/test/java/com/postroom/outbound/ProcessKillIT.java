package com.postroom.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.postroom.support.Api;
import com.postroom.support.Inboxes;
import com.postroom.support.SmtpFaultProxy;

/**
 * The packaged Postroom, killed with SIGKILL while mail is in its outbox, then started again on the same data: every
 * message reaches the server exactly once. Runs the real jar (failsafe, after {@code package}).
 */
class ProcessKillIT {

    static final String SMTP_PASSWORD = "kill-test-smtp-password";
    static final String ADMIN_PASSWORD = "kill-test-admin-password";
    static final GreenMail GREENMAIL = new GreenMail(
            new ServerSetup(SmtpFaultProxy.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    static final SmtpFaultProxy PROXY;

    static {
        GREENMAIL.start();
        GREENMAIL.setUser("founder@kill.test", "founder@kill.test", SMTP_PASSWORD);
        PROXY = new SmtpFaultProxy(GREENMAIL.getSmtp().getPort());
    }

    final Path dataDir = Path.of("target/it-data/kill-" + UUID.randomUUID());
    final int httpPort = SmtpFaultProxy.freePort();
    Process process;
    static int starts;

    @AfterEach
    void stopGracefully() throws InterruptedException {
        // SIGTERM: Postroom shuts down and stops its PostgreSQL, so no server outlives the test.
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @AfterAll
    static void stop() {
        PROXY.close();
        GREENMAIL.stop();
    }

    private Api start() throws Exception {
        Path jar = Path.of("target/postroom.jar");
        assertThat(jar).as("run `./mvnw verify`, which packages the jar first").exists();
        Files.createDirectories(Path.of("target/it-logs"));
        File log = Path.of("target/it-logs/process-kill-" + (++starts) + ".log").toFile();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-jar", jar.toString()).redirectErrorStream(true).redirectOutput(log);
        Map<String, String> env = pb.environment();
        env.put("POSTROOM_DATA_DIR", dataDir.toString());
        env.put("SERVER_PORT", String.valueOf(httpPort));
        env.put("SMTP_HOST", "127.0.0.1");
        env.put("SMTP_PORT", String.valueOf(PROXY.port()));
        env.put("SMTP_USE_TLS", "false");
        env.put("SMTP_USERNAME", "founder@kill.test");
        env.put("SMTP_PASSWORD", SMTP_PASSWORD);
        env.put("FOUNDER_EMAIL", "founder@kill.test");
        env.put("POSTROOM_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("OUTBOX_RETRY_BASE_DELAY", "100ms");
        env.put("OUTBOX_RETRY_MAX_DELAY", "300ms");
        env.put("OUTBOX_POLL_INTERVAL", "100ms");
        env.put("MAIL_READ_TIMEOUT", "30s");
        process = pb.start();
        Api anonymous = new Api(httpPort);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> anonymous.get("/actuator/health/readiness").status() == 200);
        return anonymous.login("founder@kill.test", ADMIN_PASSWORD);
    }

    private List<String> queue(Api api, String tag, int count) {
        return IntStream.range(0, count).mapToObj(i -> {
            Api.Response r = api.post("/api/email/send", Map.of("sender", "founder@kill.test",
                    "recipients", List.of("someone@example.com"), "subject", tag + " #" + i + ";",
                    "body_plain", "message " + i));
            assertThat(r.status()).isEqualTo(201);
            return r.body().at("/message/id").asString();
        }).toList();
    }

    private static void assertEachDeliveredOnce(String tag, int count) {
        for (int i = 0; i < count; i++) {
            assertThat(Inboxes.withSubjectContaining(GREENMAIL, tag + " #" + i + ";")).as("message " + i).hasSize(1);
        }
    }

    @Test
    void mailQueuedWhenTheProcessIsKilledIsSentOnceAfterRestart() throws Exception {
        PROXY.down();
        Api api = start();
        String tag = "killed-queued-" + UUID.randomUUID().toString().substring(0, 6);
        List<String> ids = queue(api, tag, 30);
        process.destroyForcibly().waitFor();

        PROXY.up();
        Api restarted = start();
        await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream()
                .allMatch(id -> restarted.get("/api/email/outbound/" + id).body().path("status").asString()
                        .equals("sent")));
        Thread.sleep(1000);
        assertEachDeliveredOnce(tag, 30);
    }

    /**
     * SIGTERM (systemd stop, docker stop) while messages are in the middle of DATA: the process finishes what it
     * handed to the server, gives back what it had claimed but not started, and exits; after the restart every
     * message has reached the server exactly once.
     */
    @Test
    void aGracefulStopDuringDeliveryFinishesInFlightMailAndSendsNothingTwice() throws Exception {
        PROXY.up();
        PROXY.delayEndOfData(Duration.ofMillis(700));
        try {
            Api api = start();
            String tag = "sigterm-" + UUID.randomUUID().toString().substring(0, 6);
            List<String> ids = queue(api, tag, 20);
            await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream()
                    .anyMatch(id -> api.get("/api/email/outbound/" + id).body().path("status").asString()
                            .equals("sent")));
            process.destroy();
            assertThat(process.waitFor(40, java.util.concurrent.TimeUnit.SECONDS)).as("stopped within the grace")
                    .isTrue();

            PROXY.delayEndOfData(Duration.ZERO);
            Api restarted = start();
            await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream()
                    .allMatch(id -> restarted.get("/api/email/outbound/" + id).body().path("status").asString()
                            .equals("sent")));
            Thread.sleep(1000);
            assertEachDeliveredOnce(tag, 20);
        } finally {
            PROXY.delayEndOfData(Duration.ZERO);
        }
    }

    @Test
    void aMessageClaimedByAKilledProcessIsTakenOverAfterRestartAndSentOnce() throws Exception {
        PROXY.up();
        PROXY.stall(true);
        Api api = start();
        String tag = "killed-sending-" + UUID.randomUUID().toString().substring(0, 6);
        List<String> ids = queue(api, tag, 5);
        // The worker has claimed them and hangs waiting for the server's greeting.
        await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream()
                .anyMatch(id -> api.get("/api/email/outbound/" + id).body().path("status").asString().equals("sending")));
        process.destroyForcibly().waitFor();

        PROXY.stall(false);
        Api restarted = start();
        await().atMost(Duration.ofSeconds(90)).until(() -> ids.stream()
                .allMatch(id -> restarted.get("/api/email/outbound/" + id).body().path("status").asString()
                        .equals("sent")));
        Thread.sleep(1000);
        assertEachDeliveredOnce(tag, 5);
    }
}
