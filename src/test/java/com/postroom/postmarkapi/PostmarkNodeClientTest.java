package com.postroom.postmarkapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import tools.jackson.databind.JsonNode;

import com.postroom.sandbox.Sandbox;
import com.postroom.support.Api;
import com.postroom.support.Inboxes;
import com.postroom.support.SandboxTest;

/**
 * Postmark's official Node client (npm "postmark" 5.x, src/test/node/postmark-client) against Postroom: a message
 * with an inline image and an attachment, a batch of 500 with attachments, a template made and sent with, an invalid
 * request, a bad token and a suppressed recipient as the client's own errors, and a message's details. Needs Node
 * and `npm ci` in that folder (.ci/run does both and sets POSTROOM_NODE_REQUIRED=true); skipped elsewhere without them.
 */
@SandboxTest
class PostmarkNodeClientTest {

    static final Path CLIENT = Path.of("src/test/node/postmark-client");

    @LocalServerPort
    int port;
    @Autowired
    Sandbox sandbox;
    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    @Test
    void theNodeClientSendsReadsAndGetsPostmarksErrors() throws Exception {
        boolean ready = Files.isDirectory(CLIENT.resolve("node_modules/postmark")) && onPath("node");
        if (!ready && "true".equals(System.getenv("POSTROOM_NODE_REQUIRED"))) {
            throw new IllegalStateException("Node or the client's node_modules are missing but "
                    + "POSTROOM_NODE_REQUIRED=true: run `npm ci --prefix " + CLIENT + "`.");
        }
        Assumptions.assumeTrue(ready, "Node or " + CLIENT + "/node_modules missing: npm ci --prefix " + CLIENT);

        Api admin = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        String token = admin.post("/api/postmark/servers", Map.of("name", "node app")).body().get("token").asString();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String out;
        ProcessBuilder builder = new ProcessBuilder("node", "client.js").directory(CLIENT.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(Map.of("POSTROOM_HOST", "localhost:" + port, "POSTROOM_TOKEN", token,
                "POSTROOM_RUN", run));
        Process p = builder.start();
        out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        JsonNode result = Api.JSON.readTree(out);

        assertThat(result.path("single").path("ErrorCode").asInt()).isZero();
        assertThat(result.path("batch").path("count").asInt()).isEqualTo(500);
        assertThat(result.path("batch").path("ok").asInt()).isEqualTo(500);
        assertThat(result.path("template").path("ErrorCode").asInt()).isZero();
        assertThat(result.path("invalid").path("refused").asBoolean()).isTrue();
        assertThat(result.path("invalid").path("code").asInt()).isEqualTo(300);
        assertThat(result.path("invalid").path("status").asInt()).isEqualTo(422);
        assertThat(result.path("badToken").path("code").asInt()).isEqualTo(10);
        assertThat(result.path("badToken").path("status").asInt()).isEqualTo(401);
        assertThat(result.path("suppressed").path("code").asInt()).isEqualTo(406);
        assertThat(result.path("details").path("subject").asString()).isEqualTo("From Node " + run);
        assertThat(result.path("details").path("tag").asString()).isEqualTo("node");
        assertThat(result.path("details").path("events").get(0).asString()).isEqualTo("Queued");
        assertThat(result.path("found").asInt()).isEqualTo(1);
        assertThat(result.path("foundBefore2001").asInt()).isZero();
        System.out.println("Batch of 500 through the Postmark Node client: " + result.path("batch").path("ms") + " ms");

        // The batch's 500 are delivered before the next test: one shared sandbox, one delivery queue.
        await().atMost(Duration.ofSeconds(90)).until(() -> jdbc.sql("SELECT count(*) FROM outbox WHERE status IN "
                + "('queued', 'sending')").query(Long.class).single() == 0);
        var greenMail = sandbox.server().orElseThrow().greenMail();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> !Inboxes.withSubjectContaining(greenMail, "Receipt " + run).isEmpty());
        MimeMessage receipt = Inboxes.withSubjectContaining(greenMail, "Receipt " + run).get(0);
        assertThat(receipt.getContent().toString()).isNotNull();
        MimeMessage single = Inboxes.withSubjectContaining(greenMail, "From Node " + run).get(0);
        assertThat(single.getHeader("X-Client")[0]).isEqualTo("node");
        assertThat(List.of(single.getFrom()).get(0).toString()).isEqualTo("Billing <billing@postroom.test>");
    }

    private static boolean onPath(String command) {
        try {
            return new ProcessBuilder(command, "--version").start().waitFor(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }
}
