package com.postroom.founder;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import com.postroom.search.AddressKeys;
import com.postroom.store.MessageStatus;

/**
 * The founder dashboard's figures. The two definitions that matter, also in docs/api.md:
 * <p>
 * <b>Needs response</b>: an inbound message in the inbox, not deleted, not spam, not quarantined, not an auto-reply
 * and not bulk mail, from an address outside the organization's own domain, not marked answered, and with no later
 * outbound message (queued or sent) in its thread. Only the newest such message of a thread counts.
 * <p>
 * <b>Urgency</b>: {@code high} when the subject or the start of the body has an urgent word (urgent, asap, emergency,
 * immediately, subpoena, court, lawsuit, deadline, final notice) or the message has waited more than 48 hours;
 * {@code medium} when it has waited more than 24 hours or is classified billing or legal; else {@code normal}.
 */
@Repository
public class FounderMail {

    /**
     * The words that make a message urgent however long it has waited, as whole words in any case (the regular
     * expression {@code \b(urgent|asap|...)\b} with CASE_INSENSITIVE, which {@link #urgentWords} answers the same as,
     * UrgentWordsTest): tested on the first 2,000 characters of every message of the last two days each time the
     * dashboard asks, so not with the expression, which took 0.1 ms a message (0.25 s of a 0.35 s request at a million).
     */
    static final List<String> URGENT_WORDS = List.of("urgent", "asap", "emergency", "immediately", "subpoena", "court",
            "lawsuit", "deadline", "final notice");

    /**
     * A sender that says no one reads replies (noreply@, no-reply@, do-not-reply@, donotreply+tag@ ...): receipts and
     * notifications without list headers. Its mail needs no response unless a Reply-To names someone who does read
     * (a web form sent from noreply@ with the patient's address as Reply-To does).
     */
    static final String NO_REPLY = "^(no[-_.]?reply|do[-_.]?not[-_.]?reply)([-_.+].*)?$";

    /** The needs-response condition over a message {@code m}; the organization's domain is the one parameter. */
    // Its first four lines are the condition of migration 40's index of the messages that can need a response: keep
    // them the same, or counting them reads the whole messages' table again (FounderMailTest checks the plan).
    static final String NEEDS_RESPONSE = "m.direction = 'inbound' AND m.folder = 'inbox' AND m.deleted_at IS NULL "
            + "AND NOT m.spam AND NOT m.auto_reply AND NOT m.bulk AND NOT m.answered AND m.quarantine_reason IS NULL "
            + "AND m.sender IS NOT NULL AND NOT (split_part(m.sender, '@', 1) ~* '" + NO_REPLY + "' "
            + "AND (m.reply_to IS NULL OR split_part(m.reply_to, '@', 1) ~* '" + NO_REPLY + "')) "
            + "AND split_part(m.sender, '@', 2) <> ? "
            + "AND NOT EXISTS (SELECT 1 FROM email_message o WHERE o.thread_id = m.thread_id "
            + "AND o.direction = 'outbound' AND o.created_at > m.created_at AND o.status NOT IN (" + MessageStatus.BLOCKED.sql() + ", " + MessageStatus.FAILED.sql() + ") "
            + "AND o.deleted_at IS NULL)";

    /**
     * How many threads need a response (the organization, then its domain): DISTINCT in a sub-select, as the index
     * gives the threads in order and count(DISTINCT) would sort them again.
     */
    static final String NEEDS_COUNT = "SELECT count(*) FROM (SELECT DISTINCT m.thread_id FROM email_message m "
            + "WHERE m.org_id = ? AND " + NEEDS_RESPONSE + ") t";

    /**
     * The deliveries that failed, each as {@code (id, at)}: the attempt that failed for good (the only way a message
     * becomes failed, outbound.DeliveryWorker) and the latest bounce of a message, from the rows migration 39 indexes
     * by time; the messages' own status and updated_at have no index, so that delivery outcomes stay updates in place.
     * A message is here once, and only while its status is still the failure's: an attempt that failed for some
     * recipients after others had accepted it leaves the message sent. Each is checked on its message by a lookup
     * that the planner cannot turn into a join: newest first, it reads only as many failures as it keeps. The
     * organization is a parameter of each.
     */
    static final String FAILED_ATTEMPTS = "SELECT d.message_id AS id, d.finished_at AS at FROM delivery_attempt d "
            + stillFailed("d.message_id", MessageStatus.FAILED) + " WHERE d.outcome = 'failed'";
    static final String LATEST_BOUNCES = "SELECT b.outbound_message AS id, b.created_at AS at FROM bounce b "
            + stillFailed("b.outbound_message", MessageStatus.BOUNCED) + " WHERE b.org_id = ? "
            + "AND b.outbound_message IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bounce l "
            + "WHERE l.outbound_message = b.outbound_message AND l.id > b.id)";

    private static String stillFailed(String id, MessageStatus status) {
        return "CROSS JOIN LATERAL (SELECT 1 FROM email_message m WHERE m.id = " + id + " AND m.org_id = ? "
                + "AND m.status = " + status.sql() + " AND m.direction = 'outbound' AND m.deleted_at IS NULL LIMIT 1) "
                + "still";
    }

    /**
     * The first 2,000 characters of a message's text (its HTML without tags when it has no plain text), read as a
     * slice: a long body stored out of line is not read whole for them (substr reads only the first part of a
     * TOASTed value where left would read all of it; octet_length reads the stored length only).
     */
    static final String BODY_START = "CASE WHEN octet_length(m.body_plain) > 0 THEN substr(m.body_plain, 1, 2000) "
            + "ELSE left(regexp_replace(substr(m.body_html, 1, 20000), '<[^>]*>', ' ', 'g'), 2000) END";

    private final JdbcClient jdbc;

    FounderMail(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public record Stats(long unreadMessages, long messagesNeedingResponse, long failedDeliveries24h, long recentActivity7d,
                 double avgResponseMinutes) {
    }

    public Stats stats(long orgId, String domain) {
        // From the kept counts (migration 28: the whole organization's folder counts are mailbox 0, label 0), which
        // change in the same transaction as the mail: counting the messages took 1.3 s at a million.
        long unread = count("SELECT coalesce(sum(n), 0) FROM mail_count WHERE org_id = ? AND mailbox_id = 0 "
                + "AND label_id = 0 AND folder = 'inbox' AND direction = 'inbound' AND NOT seen", orgId);
        long needs = jdbc.sql(NEEDS_COUNT).params(orgId, domain).query(Long.class).single();
        long failed = jdbc.sql("SELECT (SELECT count(*) FROM (" + FAILED_ATTEMPTS + " AND d.finished_at > now() - "
                        + "interval '24 hours') a) + (SELECT count(*) FROM (" + LATEST_BOUNCES + " AND b.created_at > "
                        + "now() - interval '24 hours') b)")
                .params(orgId, orgId, orgId).query(Long.class).single();
        long recent = count("SELECT count(*) FROM email_message m WHERE m.org_id = ? AND m.deleted_at IS NULL "
                + "AND m.created_at > now() - interval '7 days'", orgId);
        double avg = averageResponse(orgId);
        return new Stats(unread, needs, failed, recent, avg);
    }

    /** How long the average response time is kept (per organization, in this instance). */
    static final Duration AVERAGE_KEPT = Duration.ofMinutes(5);

    private record Average(double minutes, Instant at) {
    }

    private final Map<Long, Average> averages = new ConcurrentHashMap<>();
    private volatile Clock clock = Clock.systemUTC();

    /** Sets the clock of the kept averages (tests move it); answers the one it replaces. */
    Clock useClock(Clock next) {
        Clock previous = clock;
        clock = next;
        return previous;
    }

    /**
     * Minutes from an inbound message to the first later outbound one in its thread, over 30 days. It reads every
     * inbound message of the month and its thread (2.5 s from disk at a million, 0.6 s cached), on every view of the
     * dashboard, for a figure that a few more minutes of mail hardly move: computed at most every
     * {@link #AVERAGE_KEPT} per organization.
     */
    private double averageResponse(long orgId) {
        Average kept = averages.get(orgId);
        Instant now = clock.instant();
        if (kept != null && kept.at().plus(AVERAGE_KEPT).isAfter(now)) {
            return kept.minutes();
        }
        Double avg = jdbc.sql("SELECT avg(extract(epoch FROM r.replied - m.created_at) / 60) FROM email_message m "
                        + "CROSS JOIN LATERAL (SELECT min(o.created_at) AS replied FROM email_message o "
                        + "WHERE o.thread_id = m.thread_id AND o.direction = 'outbound' AND o.created_at > m.created_at "
                        + "AND o.status NOT IN (" + MessageStatus.BLOCKED.sql() + ", " + MessageStatus.FAILED.sql()
                        + ")) r WHERE m.org_id = ? AND m.direction = 'inbound' "
                        + "AND r.replied IS NOT NULL AND m.created_at > now() - interval '30 days' AND NOT m.spam")
                .param(orgId).query(Double.class).optional().orElse(null);
        double minutes = avg == null ? 0 : Math.round(avg * 10) / 10.0;
        averages.put(orgId, new Average(minutes, now));
        return minutes;
    }

    private long count(String sql, long orgId) {
        return jdbc.sql(sql).param(orgId).query(Long.class).single();
    }

    public record Recent(String id, String direction, String sender, List<String> recipients, String subject,
                  String bodyPreview, String status, OffsetDateTime createdAt, boolean isRead, boolean needsResponse,
                  String messageId) {
    }

    public List<Recent> recent(long orgId, String domain, int limit) {
        return jdbc.sql("SELECT m.id, m.direction, m.sender, m.recipients, m.subject, "
                        + BODY_START + " AS body, m.status, m.created_at, m.seen, "
                        + "(" + NEEDS_RESPONSE + ") AS needs, m.message_id FROM email_message m "
                        + "WHERE m.org_id = ? AND m.deleted_at IS NULL AND NOT m.spam "
                        + "ORDER BY m.created_at DESC, m.id DESC LIMIT ?")
                .params(domain, orgId, limit)
                .query((rs, i) -> new Recent(rs.getString(1), rs.getString(2), rs.getString(3),
                        List.of((String[]) rs.getArray(4).getArray()), rs.getString(5), preview(rs.getString(6), 200),
                        rs.getString(7), rs.getObject(8, OffsetDateTime.class),
                        rs.getBoolean(9) || "outbound".equals(rs.getString(2)), rs.getBoolean(10), rs.getString(11)))
                .list();
    }

    public record NeedsResponse(String id, String fromAddress, String subject, String bodyPreview, OffsetDateTime createdAt,
                         String urgency, List<String> labels) {
    }

    /** Messages read per query while looking for the mail that needs a response. */
    static final int NEEDS_RESPONSE_PAGE = 200;
    /** Mail older than this is urgent however it reads ({@link #urgency}). */
    static final long URGENT_AFTER_HOURS = 48;

    /**
     * The newest message of each thread that needs a response, urgent first and newest first within an urgency, at
     * most {@code limit}. Read newest first a page at a time, not all at once: a mailbox of years holds hundreds of
     * thousands of such threads (600,000 in the million-message benchmark mailbox, each read with 2,000 characters of
     * its body, more than the server's heap). Every message older than {@link #URGENT_AFTER_HOURS} is high, so once
     * {@code limit} threads older than that are found, whatever is older still would come after them in the order,
     * and the reading stops there: the answer is the one sorting them all would give.
     */
    public List<NeedsResponse> needsResponse(long orgId, String domain, int limit) {
        List<NeedsResponse> found = new ArrayList<>();
        java.util.Set<String> threads = new java.util.HashSet<>();
        int older = 0;
        Object[] after = null;
        while (older < limit) {
            List<NeedsRow> page = needsResponsePage(orgId, domain, after);
            for (NeedsRow row : page) {
                // The first (newest) message of a thread in this order is the one that stands for it.
                if (!threads.add(row.threadId())) {
                    continue;
                }
                found.add(row.item());
                if (urgentByAge(row.item().createdAt())) {
                    older++;
                }
            }
            if (page.size() < NEEDS_RESPONSE_PAGE) {
                break;
            }
            NeedsRow last = page.get(page.size() - 1);
            after = new Object[] {last.item().createdAt(), java.util.UUID.fromString(last.item().id())};
        }
        return found.stream()
                // Urgent first, and within an urgency the newest first, as the mail list orders them.
                .sorted(java.util.Comparator.comparingInt((NeedsResponse n) -> rank(n.urgency()))
                        .thenComparing(NeedsResponse::createdAt, java.util.Comparator.reverseOrder()))
                .limit(limit).toList();
    }

    private record NeedsRow(String threadId, NeedsResponse item) {
    }

    private List<NeedsRow> needsResponsePage(long orgId, String domain, Object[] after) {
        List<Object> params = new ArrayList<>(List.of(orgId, domain));
        String before = "";
        if (after != null) {
            before = " AND (m.created_at, m.id) < (?, ?)";
            params.addAll(List.of(after));
        }
        params.add(NEEDS_RESPONSE_PAGE);
        return jdbc.sql("SELECT m.id, m.sender, m.subject, "
                        + BODY_START + " AS body, m.created_at, m.classification, "
                        + "coalesce((SELECT array_agg(l.slug ORDER BY l.slug) FROM email_message_label ml "
                        + "JOIN email_label l ON l.id = ml.label_id WHERE ml.message_id = m.id), '{}') AS labels, "
                        + "m.thread_id FROM email_message m WHERE m.org_id = ? AND " + NEEDS_RESPONSE + before
                        + " ORDER BY m.created_at DESC, m.id DESC LIMIT ?")
                .params(params)
                .query((rs, i) -> {
                    String body = rs.getString(4);
                    OffsetDateTime created = rs.getObject(5, OffsetDateTime.class);
                    return new NeedsRow(rs.getString(8), new NeedsResponse(rs.getString(1), rs.getString(2),
                            rs.getString(3), preview(body, 300), created,
                            urgency(rs.getString(3), body, created, rs.getString(6)),
                            List.of((String[]) rs.getArray(7).getArray())));
                })
                .list();
    }

    static String urgency(String subject, String body, OffsetDateTime created, String classification) {
        String start = body == null ? "" : body.substring(0, Math.min(body.length(), 2000));
        long hours = hoursWaited(created);
        if (urgentByAge(created) || urgentWords(subject == null ? "" : subject) || urgentWords(start)) {
            return "high";
        }
        if (hours > 24 || "billing".equals(classification) || "legal".equals(classification)) {
            return "medium";
        }
        return "normal";
    }

    private static long hoursWaited(OffsetDateTime created) {
        return java.time.Duration.between(created, OffsetDateTime.now()).toHours();
    }

    /** Waited long enough to be urgent however it reads: what lets {@link #needsResponse} stop early. */
    private static boolean urgentByAge(OffsetDateTime created) {
        return hoursWaited(created) > URGENT_AFTER_HOURS;
    }

    private static int rank(String urgency) {
        return switch (urgency) {
            case "high" -> 0;
            case "medium" -> 1;
            default -> 2;
        };
    }

    /** Whether {@code text} has one of {@link #URGENT_WORDS} as a whole word, in any case. */
    static boolean urgentWords(String text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = (char) (text.charAt(i) | 0x20);
            if ("uaeisclfd".indexOf(c) < 0 || (i > 0 && wordBefore(text, i))) {
                continue;
            }
            for (String word : URGENT_WORDS) {
                int end = i + word.length();
                if (word.charAt(0) == c && end <= n && asciiIgnoringCase(text, i, word)
                        && (end == n || !wordAt(text, end))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code text} has {@code word} (lower-case ASCII) at {@code from}, in any case of ASCII letters only. */
    private static boolean asciiIgnoringCase(String text, int from, String word) {
        for (int k = 0; k < word.length(); k++) {
            char t = text.charAt(from + k);
            char w = word.charAt(k);
            if (t != w && !(w >= 'a' && w <= 'z' && t == w - 32)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a word character (as {@code \b} sees them) ends just before {@code at}. */
    private static boolean wordBefore(String text, int at) {
        int cp = text.codePointBefore(at);
        return word(cp) || (Character.getType(cp) == Character.NON_SPACING_MARK && hasBase(text, at - 1));
    }

    /** Whether a word character (as {@code \b} sees them) starts at {@code at}. */
    private static boolean wordAt(String text, int at) {
        int cp = text.codePointAt(at);
        return word(cp) || (Character.getType(cp) == Character.NON_SPACING_MARK && hasBase(text, at));
    }

    private static boolean word(int cp) {
        return cp == '_' || Character.isLetterOrDigit(cp);
    }

    /** A combining mark belongs to the letter or digit before it (java.util.regex's rule for {@code \b}). */
    private static boolean hasBase(String text, int from) {
        for (int x = from; x >= 0; x--) {
            int cp = text.codePointAt(x);
            if (Character.isLetterOrDigit(cp)) {
                return true;
            }
            if (Character.getType(cp) != Character.NON_SPACING_MARK) {
                return false;
            }
        }
        return false;
    }

    /**
     * The start of a text for a list: runs of spaces, tabs and line breaks made one space, the ends stripped, at most
     * {@code length} characters. What {@code body.replaceAll("\\s+", " ").strip()} cut to length gives (UrgentWordsTest),
     * reading only as much of the body as the preview needs: it is made for every message the dashboard reads.
     */
    static String preview(String body, int length) {
        if (body == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(length, body.length()));
        int i = 0;
        int n = body.length();
        while (i < n && Character.isWhitespace(body.charAt(i))) {
            i++;
        }
        boolean space = false;
        for (; i < n && out.length() < length; i++) {
            char c = body.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r') {
                space = true;
                continue;
            }
            if (space) {
                out.append(' ');
                space = false;
                if (out.length() == length) {
                    i--; // the character after the space is still to be looked at
                    break;
                }
            }
            out.append(c);
        }
        // Cut at the length: the text's end is further on unless only white space follows, which strip() removes.
        for (; i < n; i++) {
            if (!Character.isWhitespace(body.charAt(i))) {
                return out.toString();
            }
        }
        return out.toString().stripTrailing();
    }

    /** Communication with one address over 30 days: how often, and how readily they answer. */
    public Map<String, Object> trackingScore(long orgId, String address) {
        String a = address.toLowerCase(Locale.ROOT);
        record Counts(long communication, long outbound, long responses, Double avgHours) {
        }
        // Through the month keys (search.AddressKeys) when the address is one word to the index; else every message of
        // the organization is read (4-6 s at a million).
        boolean indexed = jdbc.sql(AddressKeys.ONE_WORD).params(a, a).query(Boolean.class).single();
        OffsetDateTime now = OffsetDateTime.now();
        List<Object> params = new ArrayList<>();
        if (indexed) {
            params.add(orgId);
            params.add(AddressKeys.keys(a, now.minusDays(31), now.plusDays(1)));
        }
        params.addAll(List.of(orgId, a, a, a, a));
        Counts c = jdbc.sql("WITH mine AS (SELECT m.id, m.thread_id, m.direction, m.created_at, m.sender FROM "
                        + (indexed ? AddressKeys.candidates(TRACKED) : "email_message m")
                        + " WHERE m.org_id = ? AND m.deleted_at IS NULL "
                        + "AND m.created_at > now() - interval '30 days' AND (lower(m.sender) = ? OR ? = ANY(m.recipients) "
                        + "OR ? = ANY(m.cc))), "
                        + "answers AS (SELECT i.id, min(extract(epoch FROM i.created_at - o.created_at)) / 3600 AS hours "
                        + "FROM mine i JOIN mine o ON o.thread_id = i.thread_id AND o.direction = 'outbound' "
                        + "AND o.created_at < i.created_at WHERE i.direction = 'inbound' AND lower(i.sender) = ? "
                        + "GROUP BY i.id) "
                        + "SELECT (SELECT count(*) FROM mine), (SELECT count(*) FROM mine WHERE direction = 'outbound'), "
                        + "(SELECT count(*) FROM answers), (SELECT avg(hours) FROM answers)")
                .params(params)
                .query((rs, i) -> new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3),
                        rs.getObject(4) == null ? null : rs.getDouble(4)))
                .single();
        OffsetDateTime last = lastContact(orgId, a, indexed);
        double rate = c.outbound() == 0 ? 0 : Math.min(1.0, (double) c.responses() / c.outbound());
        String status = rate >= 0.7 ? "responsive" : rate >= 0.3 ? "moderately_responsive" : "needs_followup";
        Map<String, Object> score = new java.util.LinkedHashMap<>();
        score.put("communication_count_30d", c.communication());
        score.put("response_count_30d", c.responses());
        score.put("response_rate", Math.round(rate * 100) / 100.0);
        score.put("avg_response_hours", c.avgHours() == null ? null : Math.round(c.avgHours() * 10) / 10.0);
        score.put("relationship_status", status);
        score.put("last_contact", last);
        return score;
    }

    /** The columns of a message that the tracking score reads. */
    private static final String TRACKED = "m.id, m.org_id, m.thread_id, m.direction, m.created_at, m.sender, "
            + "m.recipients, m.cc, m.deleted_at";

    /**
     * The last contact is looked for newest first, half a year of months at first (most addresses are found there),
     * then twice as many each time: an address never written to costs a few lookups even after ten years.
     */
    private static final int CONTACT_MONTHS = 6;

    /** When the address last wrote or was written to (cc aside), or null. */
    private OffsetDateTime lastContact(long orgId, String a, boolean indexed) {
        String last = "SELECT max(m.created_at) FROM %s WHERE m.org_id = ? AND m.deleted_at IS NULL "
                + "AND (lower(m.sender) = ? OR ? = ANY(m.recipients))";
        if (!indexed) {
            return jdbc.sql(last.formatted("email_message m")).params(orgId, a, a).query(OffsetDateTime.class)
                    .optional().orElse(null);
        }
        record Span(OffsetDateTime first, OffsetDateTime last) {
        }
        Span span = jdbc.sql("SELECT min(created_at), max(created_at) FROM email_message WHERE org_id = ?")
                .param(orgId).query((rs, i) -> new Span(rs.getObject(1, OffsetDateTime.class),
                        rs.getObject(2, OffsetDateTime.class))).single();
        if (span.first() == null) {
            return null;
        }
        // Up to now as well: mail just accepted for sending may be newer than the newest row read above.
        YearMonth to = month(span.last().isAfter(OffsetDateTime.now()) ? span.last() : OffsetDateTime.now());
        YearMonth first = month(span.first());
        int months = CONTACT_MONTHS;
        while (!to.isBefore(first)) {
            YearMonth from = to.minusMonths(months - 1);
            // Within these months' dates too: a month's keys are the same a century apart (V32), and a message of
            // 1926 must not stand for the last contact of this December.
            OffsetDateTime start = from.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC);
            OffsetDateTime end = to.plusMonths(1).atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC);
            OffsetDateTime found = jdbc.sql(last.formatted(AddressKeys.candidates(TRACKED))
                            + " AND m.created_at >= ? AND m.created_at < ?")
                    .params(orgId, AddressKeys.keys(a, start, end.minusNanos(1)), orgId, a, a, start, end)
                    .query(OffsetDateTime.class).optional().orElse(null);
            if (found != null) {
                return found;
            }
            to = from.minusMonths(1);
            months = Math.min(months * 2, 96);
        }
        return null;
    }

    /** The month of a time as the keys have it (UTC). */
    private static YearMonth month(OffsetDateTime time) {
        return YearMonth.from(time.withOffsetSameInstant(ZoneOffset.UTC));
    }

    public record FailedDelivery(String id, String threadId, String sender, List<String> recipients, String subject,
                          String status, int attempts, String lastError, Integer smtpCode, String smtpReply,
                          List<String> failedRecipients, OffsetDateTime createdAt, OffsetDateTime failedAt) {
    }

    public List<FailedDelivery> failedDeliveries(long orgId, int limit) {
        return jdbc.sql("SELECT m.id, m.thread_id, m.sender, m.recipients, m.subject, m.status, "
                        + "coalesce(o.attempts, 0), o.last_error, "
                        // A bounce came after the server's 250: its report says what went wrong, not the 250.
                        + "CASE WHEN bn.diagnostic IS NULL THEN a.smtp_code END, coalesce(bn.diagnostic, a.smtp_reply), "
                        + "coalesce(o.failed_rcpts, '{}'), m.created_at, latest.at FROM "
                        // The latest failures first, from their own indexes; the details of only those.
                        + "((" + FAILED_ATTEMPTS + " ORDER BY d.finished_at DESC LIMIT ?) UNION ALL (" + LATEST_BOUNCES
                        + " ORDER BY b.created_at DESC LIMIT ?) ORDER BY at DESC LIMIT ?) latest "
                        + "JOIN email_message m ON m.id = latest.id "
                        + "LEFT JOIN outbox o ON o.message_id = m.id "
                        + "LEFT JOIN LATERAL (SELECT smtp_code, smtp_reply FROM delivery_attempt d "
                        + "WHERE d.message_id = m.id ORDER BY attempt_no DESC LIMIT 1) a ON true "
                        + "LEFT JOIN LATERAL (SELECT coalesce(b.diagnostic, b.status_code) AS diagnostic FROM bounce b "
                        + "WHERE b.outbound_message = m.id AND m.status = " + MessageStatus.BOUNCED.sql()
                        + " ORDER BY b.id DESC LIMIT 1) bn "
                        + "ON true "
                        + "ORDER BY latest.at DESC")
                .params(orgId, limit, orgId, orgId, limit, limit)
                .query((rs, i) -> new FailedDelivery(rs.getString(1), rs.getString(2), rs.getString(3),
                        List.of((String[]) rs.getArray(4).getArray()), rs.getString(5), rs.getString(6), rs.getInt(7),
                        rs.getString(8), (Integer) rs.getObject(9), rs.getString(10),
                        List.of((String[]) rs.getArray(11).getArray()), rs.getObject(12, OffsetDateTime.class),
                        rs.getObject(13, OffsetDateTime.class)))
                .list();
    }
}
