package com.postroom.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.postroom.support.Api;
import com.postroom.support.Inboxes;
import com.postroom.support.PostroomProcess;
import com.postroom.support.SmtpFaultProxy;

import tools.jackson.databind.JsonNode;

/**
 * Sends and arrivals while the packaged Postroom is killed (SIGKILL) and stopped (SIGTERM) again and again, then
 * every message counted where it ends up: each send at the receiving server, each arrival in Postroom. Nothing may
 * be lost; a send may reach the server twice only when the kill fell between the end of DATA and the server's 250,
 * and then both copies carry one Message-ID so the receiver can drop one; no arrival is stored twice.
 */
class ChaosIT {

    private static final String SMTP_PASSWORD = "chaos-smtp-password";
    private static final String ADMIN_PASSWORD = "chaos-admin-password";
    private static final String INBOX = "inbox@chaos.test";
    private static final int ROUNDS = 4;
    private static final int SENDS_PER_ROUND = 12;

    @Test
    void killsAndRestartsDuringSendingAndSyncingLoseNothingAndDuplicateNothing() throws Exception {
        GreenMail greenMail = new GreenMail(new ServerSetup[] {
                new ServerSetup(SmtpFaultProxy.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
                new ServerSetup(SmtpFaultProxy.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_IMAP)});
        greenMail.start();
        greenMail.setUser("founder@chaos.test", "founder@chaos.test", SMTP_PASSWORD);
        greenMail.setUser(INBOX, INBOX, SMTP_PASSWORD);
        String tag = "chaos" + UUID.randomUUID().toString().substring(0, 6);
        Random random = new Random(42);
        AtomicBoolean arriving = new AtomicBoolean(true);
        AtomicInteger arrivals = new AtomicInteger();
        try (SmtpFaultProxy proxy = new SmtpFaultProxy(greenMail.getSmtp().getPort());
             PostroomProcess postroom = new PostroomProcess("chaos", SmtpFaultProxy.freePort(),
                     env(greenMail, proxy))) {
            // A little time between the end of DATA and the 250, as a real server spends it, so kills land there too.
            proxy.delayEndOfData(Duration.ofMillis(30));
            Thread arrivalsThread = new Thread(() -> arrive(greenMail, tag, arriving, arrivals), "chaos-arrivals");
            arrivalsThread.start();
            List<String> sends = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                Api api = postroom.start().login("founder@chaos.test", ADMIN_PASSWORD);
                for (int i = 0; i < SENDS_PER_ROUND; i++) {
                    sends.add(send(api, tag + " send " + sends.size() + ";"));
                }
                Thread.sleep(200 + random.nextInt(1200));
                if (round % 2 == 0) {
                    postroom.kill();
                } else {
                    assertThat(postroom.terminate(Duration.ofSeconds(40))).as("SIGTERM stops it").isTrue();
                }
            }
            arriving.set(false);
            arrivalsThread.join();
            proxy.delayEndOfData(Duration.ZERO);

            Api api = postroom.start().login("founder@chaos.test", ADMIN_PASSWORD);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> sends.stream()
                    .allMatch(id -> api.get("/api/email/outbound/" + id).body().path("status").asString()
                            .equals("sent")));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(storedArrivals(api, tag)).as("arrivals stored").hasSize(arrivals.get()));

            for (int i = 0; i < sends.size(); i++) {
                List<MimeMessage> copies = Inboxes.withSubjectContaining(greenMail, tag + " send " + i + ";");
                assertThat(copies).as("send %d reached the server", i).isNotEmpty();
                Set<String> ids = new HashSet<>();
                for (MimeMessage copy : copies) {
                    ids.add(copy.getMessageID());
                }
                assertThat(ids).as("send %d: a repeat carries the same Message-ID", i).hasSize(1);
            }
            Map<String, Integer> stored = storedArrivals(api, tag);
            assertThat(stored.values()).as("no arrival stored twice").allMatch(n -> n == 1);
        } finally {
            arriving.set(false);
            greenMail.stop();
        }
    }

    private static Map<String, String> env(GreenMail greenMail, SmtpFaultProxy proxy) {
        Map<String, String> env = new HashMap<>();
        env.put("POSTROOM_DATA_DIR", Path.of("target/it-data/chaos-" + UUID.randomUUID()).toString());
        env.put("SMTP_HOST", "127.0.0.1");
        env.put("SMTP_PORT", String.valueOf(proxy.port()));
        env.put("SMTP_USE_TLS", "false");
        env.put("SMTP_USERNAME", "founder@chaos.test");
        env.put("SMTP_PASSWORD", SMTP_PASSWORD);
        env.put("IMAP_HOST", "127.0.0.1");
        env.put("IMAP_PORT", String.valueOf(greenMail.getImap().getPort()));
        env.put("IMAP_USE_TLS", "false");
        env.put("IMAP_USERNAME", INBOX);
        env.put("IMAP_PASSWORD", SMTP_PASSWORD);
        env.put("IMAP_SENT_FOLDER", "");
        env.put("IMAP_DRAFTS_FOLDER", "");
        env.put("FOUNDER_EMAIL", "founder@chaos.test");
        env.put("POSTROOM_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("OUTBOX_RETRY_BASE_DELAY", "100ms");
        env.put("OUTBOX_RETRY_MAX_DELAY", "300ms");
        env.put("OUTBOX_POLL_INTERVAL", "100ms");
        env.put("MAIL_READ_TIMEOUT", "30s");
        return env;
    }

    private static String send(Api api, String subject) {
        Api.Response r = api.post("/api/email/send", Map.of("sender", "founder@chaos.test",
                "recipients", List.of("someone@example.com"), "subject", subject, "body_plain", subject));
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.body().at("/message/id").asString();
    }

    /** Mail from outside, arriving in the synced mailbox all the time, whatever Postroom is doing. */
    private static void arrive(GreenMail greenMail, String tag, AtomicBoolean arriving, AtomicInteger count) {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(greenMail.getSmtp().getPort()));
        Session session = Session.getInstance(props);
        while (arriving.get()) {
            try {
                MimeMessage m = new MimeMessage(session);
                m.setFrom(new InternetAddress("patient" + count.get() + "@example.org"));
                m.setRecipient(Message.RecipientType.TO, new InternetAddress(INBOX));
                m.setSubject(tag + " arrival " + count.get());
                m.setText("Arrival " + count.get());
                Transport.send(m);
                count.incrementAndGet();
                Thread.sleep(150);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Subject → how many stored messages carry it, for the arrivals of this run. */
    private static Map<String, Integer> storedArrivals(Api api, String tag) {
        Map<String, Integer> stored = new HashMap<>();
        for (int offset = 0; ; offset += 100) {
            JsonNode page = api.get("/api/email/search?q=" + tag + "&limit=100&offset=" + offset).body();
            for (JsonNode m : page) {
                String subject = m.path("subject").asString();
                if (subject.contains(" arrival ")) {
                    stored.merge(subject, 1, Integer::sum);
                }
            }
            if (page.size() < 100) {
                return stored;
            }
        }
    }
}
