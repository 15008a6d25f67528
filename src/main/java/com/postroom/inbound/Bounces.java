package com.postroom.inbound;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.postroom.mime.ParsedMail;
import com.postroom.outbound.MessageIds;
import com.postroom.outbound.Suppressions;
import com.postroom.store.MessageStates;


/**
 * Bounces matched to the outbound message and recipient they report on. Standard delivery status notifications
 * (RFC 3464: {@code multipart/report; report-type=delivery-status}) are read field by field; the common non-standard
 * ones (qmail, Exchange and older servers: a text message from MAILER-DAEMON or postmaster) by their subject, the
 * returned Message-ID and the recipient named in the text. Only a Message-ID that carries Postroom's keyed tag is
 * matched, so a forged bounce cannot mark someone else's mail bounced. A permanent failure (5.x.x) that is about the
 * address itself suppresses it ({@link #isAddressFailure}); every other bounce is recorded only.
 */
@Component
class Bounces {

    private static final Pattern SUBJECT = Pattern.compile("undeliver|delivery (status notification|failure|failed|"
            + "has failed)|returned mail|mail delivery (failed|failure|subsystem)|failure notice|nondeliverable|"
            + "non-delivery|delivery problem", Pattern.CASE_INSENSITIVE);
    private static final Pattern DAEMON = Pattern.compile("^(mailer-daemon|postmaster|mail-daemon|mdaemon)@",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ID = Pattern.compile("<[^<>\\s@]+@[^<>\\s]+>");
    private static final Pattern ENHANCED = Pattern.compile("\\b([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");
    private static final Pattern BASIC = Pattern.compile("\\b([45])\\d\\d\\b");
    private static final Pattern UNKNOWN_ADDRESS = Pattern.compile("(?i)(user|recipient|mailbox|address|account|"
            + "addressee)\\W+(\\S+\\W+){0,4}?(unknown|not found|does ?n[o']t exist|no longer exists|invalid|disabled|"
            + "deactivated)|no such (user|recipient|mailbox|address|account)|unknown (user|recipient|mailbox|address)"
            + "|(user|recipient|mailbox) unknown|invalid (recipient|mailbox|address)");

    record Report(String recipient, boolean hard, String status, String diagnostic) {
    }

    private final JdbcClient jdbc;
    private final MessageIds messageIds;
    private final Suppressions suppressions;
    private final MessageStates states;

    Bounces(JdbcClient jdbc, MessageIds messageIds, Suppressions suppressions, MessageStates states) {
        this.jdbc = jdbc;
        this.messageIds = messageIds;
        this.suppressions = suppressions;
        this.states = states;
    }

    /** Records the bounces this received message reports, if it is a bounce of one of our messages. */
    void inspect(long orgId, UUID reportMessage, ParsedMail mail) {
        boolean dsn = mail.deliveryStatus().isPresent();
        boolean looksLikeBounce = dsn || SUBJECT.matcher(mail.subject()).find()
                || mail.from().map(f -> DAEMON.matcher(f).find()).orElse(false);
        if (!looksLikeBounce) {
            return;
        }
        Optional<Outbound> original = original(orgId, mail);
        if (original.isEmpty()) {
            return;
        }
        List<Report> reports = dsn ? fromDsn(mail.deliveryStatus().get()) : heuristic(mail, original.get());
        for (Report r : reports) {
            record(orgId, original.get().id(), reportMessage, r, dsn ? "dsn" : "heuristic");
        }
    }

    record Outbound(UUID id, List<String> recipients) {
    }

    private Optional<Outbound> original(long orgId, ParsedMail mail) {
        Set<String> candidates = new LinkedHashSet<>();
        mail.returnedMessageId().ifPresent(candidates::add);
        Matcher m = ID.matcher(mail.text());
        while (m.find() && candidates.size() < 50) {
            candidates.add(m.group());
        }
        for (String id : candidates) {
            if (!messageIds.isOurs(id)) {
                continue;
            }
            Optional<Outbound> found = jdbc.sql("SELECT id, recipients || cc || bcc AS rcpts FROM email_message "
                            + "WHERE org_id = ? AND message_id = ? AND direction = 'outbound' LIMIT 1")
                    .params(orgId, id)
                    .query((rs, n) -> new Outbound(rs.getObject(1, UUID.class),
                            List.of((String[]) rs.getArray(2).getArray())))
                    .optional();
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** RFC 3464 §2.3: one block of fields per recipient, after the per-message block. */
    static List<Report> fromDsn(String status) {
        List<Report> reports = new ArrayList<>();
        for (String block : status.replace("\r\n", "\n").split("\n\\s*\n")) {
            Map<String, String> fields = fields(block);
            String recipient = Optional.ofNullable(fields.get("final-recipient"))
                    .or(() -> Optional.ofNullable(fields.get("original-recipient"))).map(Bounces::address).orElse(null);
            String action = fields.getOrDefault("action", "").toLowerCase(Locale.ROOT);
            if (recipient == null || !action.startsWith("failed")) {
                continue; // delayed, delivered, relayed, expanded: not a bounce
            }
            // The status is the code alone; some MTAs follow it with a comment ("5.0.0 (permanent failure)",
            // RFC 3464's own example; "5.0.0 (recipient reached disk quota)"), which is the diagnosis when none is
            // given.
            String written = fields.getOrDefault("status", "5.0.0").strip();
            Matcher enhanced = ENHANCED.matcher(written);
            String code = enhanced.find() ? enhanced.group() : written;
            String diagnostic = fields.getOrDefault("diagnostic-code", "").replaceFirst("(?i)^smtp;\\s*", "").strip();
            String comment = written.replace(code, "").strip().replaceAll("^\\(|\\)$", "").strip();
            reports.add(new Report(recipient, code.startsWith("5"), code,
                    diagnostic.isEmpty() ? comment : diagnostic));
        }
        return reports;
    }

    private static Map<String, String> fields(String block) {
        Map<String, String> fields = new LinkedHashMap<>();
        String name = null;
        for (String line : block.split("\n")) {
            if (!line.isEmpty() && Character.isWhitespace(line.charAt(0)) && name != null) {
                fields.merge(name, " " + line.strip(), String::concat);
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                fields.put(name, line.substring(colon + 1).strip());
            }
        }
        return fields;
    }

    private static String address(String typed) {
        String value = typed.contains(";") ? typed.substring(typed.indexOf(';') + 1) : typed;
        return value.strip().replaceAll("^<|>$", "").toLowerCase(Locale.ROOT);
    }

    /** A non-standard bounce: the original's recipients that the text names, with the status code found near them. */
    private static List<Report> heuristic(ParsedMail mail, Outbound original) {
        String text = mail.text().isEmpty() ? mail.html().replaceAll("<[^>]+>", " ") : mail.text();
        String lower = text.toLowerCase(Locale.ROOT);
        List<Report> reports = new ArrayList<>();
        for (String rcpt : original.recipients()) {
            int at = lower.indexOf(rcpt.toLowerCase(Locale.ROOT));
            if (at < 0) {
                continue;
            }
            String near = text.substring(at, Math.min(text.length(), at + 600));
            Matcher enhanced = ENHANCED.matcher(near);
            Matcher basic = BASIC.matcher(near);
            String status = enhanced.find() ? enhanced.group() : basic.find() ? basic.group() : "5.0.0";
            String line = near.lines().limit(3).reduce("", (a, b) -> a + " " + b).strip();
            reports.add(new Report(rcpt, status.startsWith("5"), status, line));
        }
        return reports;
    }

    void record(long orgId, UUID outbound, UUID reportMessage, Report r, String source) {
        int inserted = jdbc.sql("INSERT INTO bounce (org_id, outbound_message, recipient, hard, status_code, "
                        + "diagnostic, source, report_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(orgId, outbound, r.recipient(), r.hard(), r.status(), truncate(r.diagnostic()), source,
                        reportMessage).update();
        if (inserted == 0) {
            return;
        }
        Map<String, Object> bounce = new LinkedHashMap<>();
        bounce.put("recipient", r.recipient());
        bounce.put("type", r.hard() ? "hard" : "soft");
        bounce.put("status", r.status());
        bounce.put("reason", truncate(r.diagnostic()));
        states.bounced(orgId, outbound, bounce);
        if (isAddressFailure(r)) {
            suppressions.add(orgId, r.recipient(), "hard bounce " + r.status()
                    + (r.diagnostic().isBlank() ? "" : ": " + truncate(r.diagnostic())), source);
        }
    }

    /**
     * Whether a bounce says the address itself will never take mail, which is what suppresses it: a bad mailbox or
     * domain (5.1.x), a disabled mailbox (5.2.1), no route to the domain (5.4.4), or an unspecified permanent failure
     * (5.0.0, a bare 550) whose text says the user is unknown. Not: a full mailbox (5.2.2), a message too large
     * (5.3.4), and above all a rejection for policy or as spam (5.7.x: a blocklist, DMARC, content), after which a
     * patient would otherwise get no statement again because one was once refused. Those are recorded as bounces of
     * that message only.
     */
    static boolean isAddressFailure(Report r) {
        if (!r.hard()) {
            return false;
        }
        String code = r.status().strip();
        if (code.startsWith("5.1.") || code.equals("5.2.1") || code.equals("5.4.4")) {
            return true;
        }
        boolean unspecified = code.matches("5\\d\\d") || code.matches("5\\.\\d+\\.0");
        return unspecified && !code.startsWith("5.7") && UNKNOWN_ADDRESS.matcher(r.diagnostic()).find();
    }

    private static String truncate(String s) {
        return s == null ? "" : s.length() > 500 ? s.substring(0, 500) : s;
    }
}
