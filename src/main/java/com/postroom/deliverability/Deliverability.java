package com.postroom.deliverability;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import com.postroom.mail.Identities;
import com.postroom.config.PostroomSettings;
import com.postroom.inbound.Mailbox;
import com.postroom.inbound.Mailboxes;
import com.postroom.mail.EmailAddress;
import com.postroom.mail.MailEndpoints;
import com.postroom.mail.MailServer;
import com.postroom.mail.MailSessions;
import com.postroom.problem.Problem;

/**
 * The doctor inside the server: runs it with the checks that need Postroom's state (logins to the configured and
 * added mailboxes, the outbox, the round trip), keeps every report, remembers the last known status of each check,
 * and when one gets worse sends one alert from NOREPLY_EMAIL to FOUNDER_EMAIL and moves the metrics.
 */
@Component
public class Deliverability {

    private static final Logger log = LoggerFactory.getLogger(Deliverability.class);

    /** A finished run as stored: its id and the report. */
    public record Run(long id, Report report, List<Check> alerted) {
    }

    /** One line of the history. */
    public record RunSummary(long id, String domain, Status status, String trigger, OffsetDateTime checkedAt,
                             int problems) {
    }

    private final PostroomSettings.Deliverability settings;
    private final Doctor doctor;
    private final MailEndpoints endpoints;
    private final MailSessions sessions;
    private final Mailboxes mailboxes;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final com.postroom.outbound.FounderAlerts founderAlerts;
    private final JsonMapper json;
    private final MultiGauge checkGauge;
    private final Counter alerts;

    private final SendingRates rates;
    private final BulkReadiness bulk;

    Deliverability(PostroomSettings settings, MailEndpoints endpoints, MailSessions sessions, Mailboxes mailboxes,
                   JdbcClient jdbc, TransactionTemplate tx, JsonMapper json, MeterRegistry meters,
                   com.postroom.outbound.FounderAlerts founderAlerts, SendingRates rates, BulkReadiness bulk) {
        this.founderAlerts = founderAlerts;
        this.bulk = bulk;
        this.rates = rates;
        this.settings = settings.deliverability();
        this.endpoints = endpoints;
        this.sessions = sessions;
        this.mailboxes = mailboxes;
        this.jdbc = jdbc;
        this.tx = tx;
        this.json = json;
        this.doctor = new Doctor(this.settings, Dns.using(this.settings.dnsResolver(), this.settings.dnsTimeout()),
                MailSessions.socketFactory(settings.tlsCaFile()), endpoints.smtp().filter(s -> !endpoints.sandbox())
                .map(MailServer::host));
        this.checkGauge = MultiGauge.builder("postroom.deliverability.check")
                .description("Last known status of each doctor check: 0 OK, 1 warning, 2 missing or invalid, -1 unknown")
                .register(meters);
        this.alerts = Counter.builder("postroom.deliverability.alerts")
                .description("Checks that got worse and were alerted").register(meters);
        refreshMetrics();
    }

    /** The domains a caller may check: its organization's, and those of the configured identities. */
    public Set<String> domains(String orgDomain) {
        Set<String> out = new LinkedHashSet<>();
        if (!orgDomain.isBlank()) {
            out.add(orgDomain);
        }
        Identities ids = endpoints.identities();
        for (var flow : Identities.Flow.values()) {
            ids.sender(flow).map(EmailAddress::domain).ifPresent(out::add);
        }
        return out;
    }

    /**
     * The domain to check: the one asked for when it is one of {@link #domains}, the organization's when none is
     * asked for; otherwise 422 naming the allowed ones.
     */
    public String checkedDomain(String orgDomain, String requested) {
        Set<String> allowed = domains(orgDomain);
        if (requested == null || requested.isBlank()) {
            if (allowed.isEmpty()) {
                throw Problem.refused("The organization has no mail domain; pass domain=.");
            }
            return allowed.iterator().next();
        }
        String d = requested.trim().toLowerCase(java.util.Locale.ROOT).replaceAll("\\.$", "");
        if (!allowed.contains(d)) {
            throw Problem.refused("Postroom checks only the domains it sends for (" + String.join(", ",
                    allowed) + "); '" + requested + "' is not one of them.");
        }
        return d;
    }

    public Run run(long orgId, String domain, boolean roundTrip, String trigger) {
        Report report = doctor.run(domain, extras(orgId, roundTrip));
        Run run = record(orgId, report, trigger);
        refreshMetrics();
        return run;
    }

    private List<Doctor.Extra> extras(long orgId, boolean roundTrip) {
        List<Doctor.Extra> extras = new ArrayList<>();
        Duration limit = settings.checkTimeout();
        endpoints.smtp().ifPresent(smtp -> extras.add(DoctorTools.smtpLogin(sessions, smtp, settings)));
        for (Mailbox m : mailboxes.enabled(orgId)) {
            String id = m.source().equals("env") ? "login:imap" : "login:mailbox:" + m.id();
            String variables = m.source().equals("env") ? "IMAP_USERNAME and IMAP_PASSWORD"
                    : "the password of mailbox " + m.id() + " (remove it with DELETE /api/email/mailboxes/" + m.id()
                    + " and add it again)";
            extras.add(new Doctor.Extra(id, "IMAP login " + m.name(), limit,
                    () -> LoginCheck.imap(sessions, m.server(), id, variables)));
        }
        extras.add(new Doctor.Extra("queue", "Outbound queue", limit, () -> queue(orgId)));
        extras.add(new Doctor.Extra("rates", "Bounce and complaint rates, 7 days", limit, () -> rates.check(orgId)));
        extras.add(new Doctor.Extra("bulk", "One-click unsubscribe in statements", limit, () -> bulk.check(orgId)));
        Optional<EmailAddress> to = endpoints.imap().flatMap(MailServer::username).filter(u -> u.contains("@"))
                .map(EmailAddress::parse).or(() -> endpoints.identities().founder());
        Optional<EmailAddress> from = endpoints.identities().sender(Identities.Flow.NOREPLY);
        if (roundTrip && endpoints.smtp().isPresent() && endpoints.imap().isPresent() && to.isPresent()
                && from.isPresent()) {
            extras.add(new Doctor.Extra("round-trip", "Round trip", settings.roundTripTimeout().plusSeconds(10),
                    (dns, target) -> RoundTrip.run(sessions, endpoints.smtp().get(), endpoints.imap().get(),
                            from.get(), to.get(), settings.roundTripTimeout(), this::registerProbe,
                            raw -> Alignment.judge(raw, dns, target.addresses()))));
        }
        return extras;
    }

    private void registerProbe(String token) {
        jdbc.sql("DELETE FROM doctor_probe WHERE created_at < now() - interval '7 days'").update();
        jdbc.sql("INSERT INTO doctor_probe (token) VALUES (?)").param(token).update();
    }

    private Check queue(long orgId) {
        Map<String, Object> row = jdbc.sql("SELECT count(*) AS depth, min(created_at) AS oldest FROM outbox "
                + "WHERE org_id = ? AND status IN ('queued', 'sending')").param(orgId).query().singleRow();
        long depth = ((Number) row.get("depth")).longValue();
        Check.Builder c = Check.of("queue", "Outbound queue").detail("depth", depth)
                .detail("threshold", settings.outboxAlertDepth());
        if (row.get("oldest") != null) {
            c.detail("oldest", row.get("oldest").toString());
        }
        if (depth > settings.outboxAlertDepth()) {
            return c.warning(depth + " messages wait in the outbox, more than the " + settings.outboxAlertDepth()
                    + " of OUTBOX_ALERT_DEPTH; see why at /api/founder/email/failed-deliveries and in the SMTP login "
                    + "check.");
        }
        return c.ok(depth + " messages wait in the outbox.");
    }

    private Run record(long orgId, Report report, String trigger) {
        return tx.execute(status -> {
            // One run at a time per organization and domain, so two instances never both alert on one change.
            jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('deliverability:' || ? || ':' || ?))")
                    .params(orgId, report.domain()).query().singleRow();
            long id = jdbc.sql("INSERT INTO deliverability_run (org_id, domain, status, trigger, checked_at, report) "
                            + "VALUES (?, ?, ?, ?, ?, ?::jsonb) RETURNING id")
                    .params(orgId, report.domain(), report.status().name(), trigger,
                            java.sql.Timestamp.from(report.checkedAt()), json.writeValueAsString(report))
                    .query(Long.class).single();
            List<Check> worse = new ArrayList<>();
            for (Check c : report.checks()) {
                if (c.informational() || c.status() == Status.UNKNOWN) {
                    continue; // no news: keep the last known status
                }
                Optional<Status> before = jdbc.sql("SELECT status FROM deliverability_state WHERE org_id = ? "
                                + "AND domain = ? AND check_id = ?").params(orgId, report.domain(), c.id())
                        .query(String.class).optional().map(Status::valueOf);
                // A check seen for the first time alerts when it is a problem; a warning waits for a change.
                boolean alert = before.map(c.status()::worseThan).orElse(c.status().severity() == 2);
                jdbc.sql("INSERT INTO deliverability_state (org_id, domain, check_id, status, message, since, "
                                + "alerted_at) VALUES (?, ?, ?, ?, ?, now(), CASE WHEN ? THEN now() END) "
                                + "ON CONFLICT (org_id, domain, check_id) DO UPDATE SET message = EXCLUDED.message, "
                                + "since = CASE WHEN deliverability_state.status = EXCLUDED.status "
                                + "THEN deliverability_state.since ELSE now() END, status = EXCLUDED.status, "
                                + "alerted_at = CASE WHEN ? THEN now() ELSE deliverability_state.alerted_at END")
                        .params(orgId, report.domain(), c.id(), c.status().name(), c.message(), alert, alert)
                        .update();
                if (alert) {
                    worse.add(c);
                }
            }
            if (!worse.isEmpty()) {
                alert(orgId, report, worse);
            }
            return new Run(id, report, List.copyOf(worse));
        });
    }

    private void alert(long orgId, Report report, List<Check> worse) {
        alerts.increment(worse.size());
        StringBuilder text = new StringBuilder("Postroom's daily check of " + report.domain() + " (mail host "
                + report.mailHost() + ") found " + worse.size() + (worse.size() == 1 ? " check" : " checks")
                + " worse than before:\n\n");
        for (Check c : worse) {
            text.append("* ").append(c.title()).append(": ").append(c.status()).append("\n  ")
                    .append(c.message()).append('\n');
            if (c.record() != null) {
                text.append("  Publish: ").append(c.record()).append('\n');
            }
            text.append('\n');
        }
        text.append("The full report: GET /api/email/deliverability/runs/{id} or the founder dashboard.\n");
        founderAlerts.send(orgId, "Postroom: " + worse.size() + " deliverability "
                + (worse.size() == 1 ? "problem" : "problems") + " on " + report.domain(), text.toString());
        log.warn("Deliverability of {} got worse: {}", report.domain(),
                worse.stream().map(c -> c.id() + "=" + c.status()).toList());
    }

    public Optional<JsonNode> report(long orgId, long id) {
        return jdbc.sql("SELECT report::text FROM deliverability_run WHERE org_id = ? AND id = ?").params(orgId, id)
                .query(String.class).optional().map(json::readTree);
    }

    public Optional<JsonNode> latest(long orgId) {
        return jdbc.sql("SELECT report::text FROM deliverability_run WHERE org_id = ? ORDER BY checked_at DESC, id DESC "
                + "LIMIT 1").param(orgId).query(String.class).optional().map(json::readTree);
    }

    public List<RunSummary> history(long orgId, Optional<String> domain, int limit) {
        return jdbc.sql("SELECT id, domain, status, trigger, checked_at, (SELECT count(*) FROM "
                        + "jsonb_array_elements(report -> 'checks') c WHERE c ->> 'status' <> 'OK' "
                        + "AND NOT (c ->> 'informational')::boolean) FROM deliverability_run WHERE org_id = ? "
                        + "AND (?::text IS NULL OR domain = ?) ORDER BY checked_at DESC, id DESC LIMIT ?")
                .params(orgId, domain.orElse(null), domain.orElse(null), limit)
                .query((rs, n) -> new RunSummary(rs.getLong(1), rs.getString(2), Status.valueOf(rs.getString(3)),
                        rs.getString(4), rs.getObject(5, OffsetDateTime.class), rs.getInt(6)))
                .list();
    }

    /** Checks whose last known status is not OK, for the founder dashboard. */
    public List<Map<String, Object>> openProblems(long orgId) {
        return jdbc.sql("SELECT domain, check_id, status, message, since, alerted_at FROM deliverability_state "
                        + "WHERE org_id = ? AND status <> 'OK' ORDER BY status DESC, since")
                .param(orgId).query().listOfRows();
    }

    /** The gauges follow the shared state table, so every instance reports the same, whichever ran the doctor. */
    void refreshMetrics() {
        try {
            List<MultiGauge.Row<?>> rows = jdbc.sql("SELECT domain, check_id, status FROM deliverability_state")
                    .query((rs, n) -> MultiGauge.Row.of(Tags.of("domain", rs.getString(1), "check", rs.getString(2)),
                            Status.valueOf(rs.getString(3)).severity()))
                    .list().stream().<MultiGauge.Row<?>>map(r -> r).toList();
            checkGauge.register(rows, true);
        } catch (RuntimeException e) {
            log.debug("Deliverability metrics not refreshed", e);
        }
    }
}
