package com.postroom.deliverability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import jakarta.mail.Folder;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.xbill.DNS.Type;

import tools.jackson.databind.JsonNode;

import com.postroom.inbound.InboundSync;
import com.postroom.inbound.Mailboxes;
import com.postroom.org.Organizations;
import com.postroom.org.Users;
import com.postroom.sandbox.Sandbox;
import com.postroom.support.Api;
import com.postroom.support.FakeDns;
import com.postroom.support.FakeMailPorts;
import com.postroom.support.ImapClient;
import com.postroom.support.MailboxFixture;
import com.postroom.support.SandboxTest;
import com.postroom.support.TestMail;

/**
 * The doctor in the running server, sandbox mode, against a fake DNS server: the admin route and its errors, history,
 * alerts sent once per change for the worse, the schedule claimed once across instances, the round trip through the
 * sandbox mail server, and probes never stored.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "POSTROOM_DATA_DIR=target/test-data/doctor-${random.uuid}",
        "SANDBOX_SMTP_PORT=0", "SANDBOX_IMAP_PORT=0",
        "POSTROOM_ADMIN_PASSWORD=" + SandboxTest.ADMIN_PASSWORD,
        "OUTBOX_RETRY_BASE_DELAY=200ms", "OUTBOX_POLL_INTERVAL=200ms",
        "DOCTOR_MAIL_HOST=mail.postroom.test", "DNS_TIMEOUT=400ms", "DOCTOR_CHECK_TIMEOUT=3s",
        "DNS_BLOCKLISTS=zen.bl.test", "DNS_DOMAIN_BLOCKLISTS=dbl.bl.test", "DOCTOR_ROUND_TRIP_TIMEOUT=15s"})
class DeliverabilityApiTest {

    static final String DOMAIN = "postroom.test";
    static final FakeDns DNS = FakeDns.start();

    @DynamicPropertySource
    static void doctor(DynamicPropertyRegistry registry) {
        registry.add("DNS_RESOLVER", DNS::address);
        registry.add("DOCTOR_PORTS", () -> "smtp=" + FakeMailPorts.closedPort() + ",submission="
                + FakeMailPorts.closedPort());
    }

    @AfterAll
    static void stopDns() {
        DNS.close();
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    DoctorSchedule schedule;
    @Autowired
    Organizations organizations;
    @Autowired
    Users users;
    @Autowired
    PasswordEncoder passwords;
    @Autowired
    Sandbox sandbox;
    @Autowired
    Mailboxes mailboxes;
    @Autowired
    InboundSync inbound;
    @Autowired
    SendingRates rates;

    Api admin;

    @BeforeEach
    void setUp() {
        admin = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        jdbc.sql("DELETE FROM deliverability_state").update();
        DNS.clear();
        DNS.mx(DOMAIN, 10, "mail." + DOMAIN).a("mail." + DOMAIN, "127.0.0.1").ptr("127.0.0.1", "mail." + DOMAIN)
                .txt(DOMAIN, "v=spf1 mx ~all")
                .txt("dkim._domainkey." + DOMAIN, "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(
                        DkimCheck.generate(2048).getPublic().getEncoded()))
                .txt("_dmarc." + DOMAIN, "v=DMARC1; p=reject; rua=mailto:dmarc@" + DOMAIN);
    }

    private long alertMails() {
        return jdbc.sql("SELECT count(*) FROM email_message WHERE direction = 'outbound' AND subject LIKE "
                + "'Postroom: % deliverability %'").query(Long.class).single();
    }

    private static String status(JsonNode report, String id) {
        for (JsonNode c : report.path("checks")) {
            if (c.path("id").asString().equals(id)) {
                return c.path("status").asString();
            }
        }
        throw new AssertionError("no check " + id);
    }

    @Test
    void aChangeForTheWorseIsAlertedOnceAndShowsOnTheDashboardAndInMetrics() {
        long before = alertMails();
        Api.Response first = admin.get("/api/email/deliverability");
        assertThat(first.status()).isEqualTo(200);
        JsonNode report = first.body().path("report");
        assertThat(report.path("domain").asString()).isEqualTo(DOMAIN);
        assertThat(report.path("mail_host").asString()).isEqualTo("mail." + DOMAIN);
        assertThat(status(report, "spf")).isEqualTo("OK");
        assertThat(status(report, "dkim")).isEqualTo("OK");
        assertThat(status(report, "login:smtp")).isEqualTo("OK");
        assertThat(status(report, "login:imap")).isEqualTo("OK");
        assertThat(status(report, "queue")).isEqualTo("OK");
        assertThat(status(report, "port:submission")).isEqualTo("INVALID");
        // Problems seen for the first time alert; the loopback address's warning does not.
        assertThat(first.body().path("alerted").valueStream().map(JsonNode::asString).toList())
                .containsExactlyInAnyOrder("port:smtp", "port:submission");
        assertThat(alertMails()).isEqualTo(before + 1);

        Api.Response again = admin.get("/api/email/deliverability");
        assertThat(again.body().path("alerted").isEmpty()).as("the same problems are not alerted twice").isTrue();
        assertThat(alertMails()).isEqualTo(before + 1);

        DNS.remove("dkim._domainkey." + DOMAIN);
        DNS.silent("_dmarc." + DOMAIN);
        Api.Response worse = admin.get("/api/email/deliverability");
        assertThat(status(worse.body().path("report"), "dkim")).isEqualTo("MISSING");
        assertThat(status(worse.body().path("report"), "dmarc")).isEqualTo("UNKNOWN");
        assertThat(worse.body().path("alerted").valueStream().map(JsonNode::asString).toList())
                .as("UNKNOWN is no news; a key gone is").containsExactly("dkim");
        assertThat(alertMails()).isEqualTo(before + 2);
        String text = jdbc.sql("SELECT body_plain FROM email_message WHERE subject = ? ORDER BY created_at DESC "
                + "LIMIT 1").param("Postroom: 1 deliverability problem on " + DOMAIN).query(String.class).single();
        assertThat(text).contains("DKIM", "dkim-keygen");
        assertThat(jdbc.sql("SELECT sender, recipients[1] FROM email_message WHERE subject = ? LIMIT 1")
                .param("Postroom: 1 deliverability problem on " + DOMAIN).query().singleRow().values())
                .containsExactly("noreply@postroom.test", "founder@postroom.test");
        assertThat(jdbc.sql("SELECT status FROM deliverability_state WHERE check_id = 'dmarc'").query(String.class)
                .single()).as("the last known status is kept").isEqualTo("OK");

        JsonNode dashboard = admin.get("/api/founder/email/deliverability").body();
        assertThat(dashboard.path("status").asString()).isEqualTo("INVALID");
        assertThat(dashboard.path("problems").valueStream().map(p -> p.path("check_id").asString()).toList())
                .contains("dkim", "port:submission");
        assertThat(admin.get("/actuator/prometheus").raw())
                .contains("postroom_deliverability_check{check=\"dkim\",domain=\"postroom.test\"} 2.0")
                .contains("postroom_deliverability_check{check=\"spf\",domain=\"postroom.test\"} 0.0");

        JsonNode history = admin.get("/api/email/deliverability/history?limit=2").body();
        assertThat(history.path("count").asInt()).isEqualTo(2);
        long id = history.path("runs").get(0).path("id").asLong();
        assertThat(history.path("runs").get(0).path("problems").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(admin.get("/api/email/deliverability/runs/" + id).body().path("domain").asString())
                .isEqualTo(DOMAIN);
    }

    @Test
    void onlyAdminsRunItOnlyForTheirOwnDomainsAndRunsOfOthersAreNotFound() {
        Api.Response foreign = admin.get("/api/email/deliverability?domain=example.com");
        assertThat(foreign.status()).isEqualTo(422);
        assertThat(foreign.detail()).contains("postroom.test").contains("example.com");

        long org = organizations.primary().orElseThrow().id();
        String clerk = "clerk-" + System.nanoTime() + "@postroom.test";
        users.create(org, clerk, passwords.encode("a-clerk-password"), Set.of("billing"));
        assertThat(new Api(port).login(clerk, "a-clerk-password").get("/api/email/deliverability").status())
                .isEqualTo(403);

        long other = organizations.byDomain("doctor-other.example").map(Organizations.Organization::id)
                .orElseGet(() -> organizations.create("Other", "doctor-other.example"));
        long foreignRun = jdbc.sql("INSERT INTO deliverability_run (org_id, domain, status, trigger, checked_at, "
                        + "report) VALUES (?, 'doctor-other.example', 'OK', 'api', now(), '{}') RETURNING id")
                .param(other).query(Long.class).single();
        assertThat(admin.get("/api/email/deliverability/runs/" + foreignRun).status()).isEqualTo(404);
        assertThat(admin.get("/api/email/deliverability/history?limit=0").status()).isEqualTo(422);
    }

    @Test
    void theScheduleRunsOnceWhenDueEvenWithTwoInstancesTicking() throws Exception {
        jdbc.sql("DELETE FROM deliverability_schedule").update();
        schedule.tick();
        long runs = scheduledRuns();
        assertThat(runs).as("the first run waits a minute after start").isZero();

        jdbc.sql("UPDATE deliverability_schedule SET next_run_at = now() - interval '1 second'").update();
        CompletableFuture<Void> a = CompletableFuture.runAsync(schedule::tick);
        CompletableFuture<Void> b = CompletableFuture.runAsync(schedule::tick);
        CompletableFuture.allOf(a, b).get();
        // One per organization (the test organizations included), never two.
        long orgs = jdbc.sql("SELECT count(*) FROM organization").query(Long.class).single();
        assertThat(scheduledRuns()).isEqualTo(orgs);
        assertThat(jdbc.sql("SELECT count(*) FROM deliverability_run WHERE trigger = 'schedule' AND domain = ?")
                .param(DOMAIN).query(Long.class).single()).isEqualTo(1);
        schedule.tick();
        assertThat(scheduledRuns()).as("not due again for DOCTOR_INTERVAL").isEqualTo(orgs);
    }

    private long scheduledRuns() {
        return jdbc.sql("SELECT count(*) FROM deliverability_run WHERE trigger = 'schedule'").query(Long.class)
                .single();
    }

    @Test
    void theRoundTripTimesAProbeThroughTheSandboxAndRemovesIt() throws Exception {
        Api.Response response = admin.get("/api/email/deliverability?round_trip=true");
        JsonNode roundTrip = null;
        for (JsonNode c : response.body().path("report").path("checks")) {
            if (c.path("id").asString().equals("round-trip")) {
                roundTrip = c;
            }
        }
        assertThat(roundTrip).isNotNull();
        assertThat(roundTrip.path("status").asString()).as(roundTrip.path("message").asString()).isEqualTo("OK");
        assertThat(roundTrip.path("details").path("seconds").asDouble()).isLessThan(15);
        assertThat(roundTrip.path("details").path("removed").asBoolean()).isTrue();
        System.out.println("Round trip through the sandbox: " + roundTrip.path("details").path("seconds") + " s");

        MailboxFixture box = new MailboxFixture(sandbox.server().orElseThrow().greenMail(), mailboxes, inbound, jdbc,
                organizations.primary().orElseThrow().id());
        try (ImapClient client = box.client()) {
            Folder inbox = client.folder("INBOX");
            inbox.open(Folder.READ_ONLY);
            List<String> subjects = new ArrayList<>();
            for (var m : inbox.getMessages()) {
                subjects.add(m.getSubject());
            }
            assertThat(subjects).noneMatch(s -> s != null && s.startsWith("Postroom delivery probe"));
        }
    }

    @Test
    void aProbeInFlightIsNeverStoredButAForgedProbeHeaderIsOrdinaryMail() {
        long org = organizations.primary().orElseThrow().id();
        MailboxFixture box = new MailboxFixture(sandbox.server().orElseThrow().greenMail(), mailboxes, inbound, jdbc,
                org);
        String token = "probe-" + System.nanoTime();
        jdbc.sql("INSERT INTO doctor_probe (token) VALUES (?)").param(token).update();
        TestMail probe = TestMail.message().subject("A real probe " + token).header("X-Postroom-Probe: " + token);
        TestMail forged = TestMail.message().subject("A forged probe " + token).header("X-Postroom-Probe: guess");
        try (ImapClient client = box.client()) {
            client.append("INBOX", probe.bytes());
            client.append("INBOX", forged.bytes());
        }
        box.sync();
        assertThat(jdbc.sql("SELECT subject FROM email_message WHERE subject LIKE ?").param("%probe " + token)
                .query(String.class).list()).containsExactly("A forged probe " + token);
    }

    /** The rates come from the organization's own records: sent mail, its bounce rows, its spam complaints. */
    @Test
    void bounceAndComplaintRatesAreCountedFromTheRecords() {
        long org = organizations.primary().orElseThrow().id();
        SendingRates.Rates before = rates.lastWeek(org);
        java.util.UUID thread = jdbc.sql("INSERT INTO email_thread (org_id, subject, normalized_subject, "
                + "last_message_at) VALUES (?, 'rates', 'rates', now()) RETURNING id").param(org)
                .query(java.util.UUID.class).single();
        List<java.util.UUID> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(jdbc.sql("INSERT INTO email_message (org_id, thread_id, direction, status, sender, recipients, "
                    + "subject, folder, seen, meta) VALUES (?, ?, 'outbound', 'sent', 'noreply@postroom.test', "
                    + "'{patient@example.org}', 'Statement', 'sent', true, ?::jsonb) RETURNING id")
                    .params(org, thread, i == 0 ? "{\"spam_complaint\": \"2026-12-03\"}" : "{}")
                    .query(java.util.UUID.class).single());
        }
        jdbc.sql("INSERT INTO bounce (org_id, outbound_message, recipient, hard, status_code, source) "
                + "VALUES (?, ?, 'patient@example.org', true, '5.1.1', 'dsn')").params(org, ids.get(1)).update();
        SendingRates.Rates after = rates.lastWeek(org);
        assertThat(after.sent() - before.sent()).isEqualTo(4);
        assertThat(after.bounced() - before.bounced()).isEqualTo(1);
        assertThat(after.complained() - before.complained()).isEqualTo(1);
    }
}
