package com.postroom.inbound;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import com.postroom.mime.ContentKey;
import com.postroom.mime.MailParser;
import com.postroom.mime.ParsedMail;
import com.postroom.mime.UnparseableMail;
import com.postroom.store.Labels;
import com.postroom.mime.RawMail;
import com.postroom.policy.Decision;

import tools.jackson.databind.json.JsonMapper;

/**
 * The one way a received message enters Postroom, from IMAP or from a webhook. A batch is stored in one transaction
 * together with whatever the caller commits with it (the folder's new high-water mark), so a crash anywhere leaves
 * either all of it or none of it. A message already stored (same content key) only gains a location; a message that
 * cannot be parsed is stored raw and quarantined; nothing in one message stops the others.
 */
@Service
public class Ingest {

    private static final Logger log = LoggerFactory.getLogger(Ingest.class);
    static final int RAW_CHUNK = 1024 * 1024;
    public static final String INGEST_ALLOW = "EMAIL.INGEST.ALLOW.v1";
    public static final String SPAM_BLOCK = "EMAIL.SPAM.BLOCK.v1";

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final TransactionTemplate tx;
    private final MailParser parser;
    private final Threading threading;
    private final Labels labels;
    private final Bounces bounces;
    private final JsonMapper json;
    private final ProbeFilter probeFilter;

    Ingest(JdbcClient jdbc, JdbcTemplate template, TransactionTemplate tx, MailParser parser, Threading threading,
           Labels labels, Bounces bounces, JsonMapper json, ProbeFilter probeFilter) {
        this.probeFilter = probeFilter;
        this.jdbc = jdbc;
        this.template = template;
        this.tx = tx;
        this.parser = parser;
        this.threading = threading;
        this.labels = labels;
        this.bounces = bounces;
        this.json = json;
    }

    /** What happened to each message of a batch, in order. */
    /** The header that marks the doctor's round-trip probe (see {@link #withoutProbes}). */
    public static final String PROBE_HEADER = "X-Postroom-Probe";

    public enum Outcome { STORED, DUPLICATE, QUARANTINED }

    public record Stored(UUID messageId, Outcome outcome) {
    }

    public record Result(List<Stored> items) {
        public long count(Outcome outcome) {
            return items.stream().filter(s -> s.outcome() == outcome).count();
        }
    }

    /** A parsed message on its way into the database. */
    record Prepared(Incoming in, ParsedMail mail, String quarantine, String contentKey, String messageIdHeader,
                    boolean syntheticId, Classifier.Meaning meaning, Optional<String> legacyKey) {

        Prepared(Incoming in, ParsedMail mail, String quarantine, String contentKey, String messageIdHeader,
                 boolean syntheticId, Classifier.Meaning meaning) {
            this(in, mail, quarantine, contentKey, messageIdHeader, syntheticId, meaning, Optional.empty());
        }

        /** The same message, to be stored raw and quarantined for this reason (its parse could not be stored). */
        Prepared quarantined(String reason) {
            return new Prepared(in, null, reason, contentKey, messageIdHeader, syntheticId, null, legacyKey);
        }
    }

    public Result store(long orgId, List<Incoming> batch, Consumer<JdbcClient> alsoInTransaction) {
        return storePrepared(orgId, prepare(batch), alsoInTransaction);
    }

    /** Parses a batch, on all cores; no database access, so it can run ahead of the batch being stored. */
    List<Prepared> prepare(List<Incoming> batch) {
        return batch.size() > 1 ? batch.parallelStream().map(this::prepare).toList()
                : batch.stream().map(this::prepare).toList();
    }

    Result storePrepared(long orgId, List<Prepared> prepared, Consumer<JdbcClient> alsoInTransaction) {
        for (int attempt = 1; ; attempt++) {
            try {
                return tx.execute(status -> write(orgId, prepared, alsoInTransaction));
            } catch (DuplicateKeyException race) {
                // Another instance stored one of these between our check and our insert: the retry finds it.
                if (attempt == 3) {
                    throw race;
                }
                log.debug("Ingest raced with another writer; retrying the batch", race);
            }
        }
    }

    Prepared prepare(Incoming in) {
        try {
            ParsedMail mail = parser.parse(in.raw());
            String key = in.externalKey().orElseGet(() -> ContentKey.of(in.raw(), mail.headers()));
            boolean synthetic = mail.messageId().isEmpty();
            String messageId = mail.messageId().orElseGet(() -> ContentKey.syntheticMessageId(key));
            Optional<String> legacy = in.externalKey().isPresent() ? Optional.empty()
                    : ContentKey.legacy(in.raw(), mail.headers());
            return new Prepared(in, mail, null, key, messageId, synthetic, Classifier.of(mail, in.junkFolder()),
                    legacy);
        } catch (UnparseableMail e) {
            String key = in.externalKey().orElseGet(() -> ContentKey.external("raw", hex(in.raw())));
            return new Prepared(in, null, e.getMessage(), key, ContentKey.syntheticMessageId(key), true, null);
        } catch (RuntimeException e) {
            // A parser bug must not stop the mailbox: keep the message, say why it is quarantined.
            log.warn("Parser failed on a message; quarantined", e);
            String key = in.externalKey().orElseGet(() -> ContentKey.external("raw", hex(in.raw())));
            return new Prepared(in, null, "The parser failed: " + e.getClass().getSimpleName(), key,
                    ContentKey.syntheticMessageId(key), true, null);
        }
    }

    private static String hex(RawMail raw) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            try (InputStream in = raw.open()) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    sha.update(buffer, 0, n);
                }
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Result write(long orgId, List<Prepared> all, Consumer<JdbcClient> alsoInTransaction) {
        List<Prepared> batch = withoutProbes(all);
        Map<String, UUID> known = new HashMap<>();
        Map<String, String> byLegacyKey = new HashMap<>();
        batch.forEach(p -> p.legacyKey().ifPresent(k -> byLegacyKey.put(k, p.contentKey())));
        jdbc.sql("SELECT content_key, id FROM email_message WHERE org_id = ? AND content_key = ANY(?)")
                .params(orgId, java.util.stream.Stream.concat(batch.stream().map(Prepared::contentKey),
                        byLegacyKey.keySet().stream()).distinct().toArray(String[]::new))
                .query(rs -> {
                    // A row stored before Cc and the others were part of the key is found by its old key.
                    String stored = rs.getString(1);
                    known.putIfAbsent(byLegacyKey.getOrDefault(stored, stored), rs.getObject(2, UUID.class));
                });
        List<Prepared> fresh = new ArrayList<>();
        Set<String> freshKeys = new LinkedHashSet<>();
        for (Prepared p : batch) {
            if (!known.containsKey(p.contentKey()) && freshKeys.add(p.contentKey())) {
                fresh.add(p);
            }
        }
        Map<String, UUID> ids = new LinkedHashMap<>(known);
        fresh.forEach(p -> ids.put(p.contentKey(), UUID.randomUUID()));
        Threading.Assignment threads = threading.assign(orgId, fresh);
        insertMessages(orgId, fresh, ids, threads);
        insertRaw(fresh, ids);
        insertAttachments(orgId, fresh, ids);
        insertLabels(orgId, fresh, ids);
        insertLocations(batch, ids);
        threading.touch(threads);
        for (Prepared p : fresh) {
            if (p.mail() != null) {
                bounces.inspect(orgId, ids.get(p.contentKey()), p.mail());
            }
        }
        alsoInTransaction.accept(jdbc);
        List<Stored> items = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Prepared p : batch) {
            UUID id = ids.get(p.contentKey());
            boolean first = !known.containsKey(p.contentKey()) && seen.add(p.contentKey());
            items.add(new Stored(id, !first ? Outcome.DUPLICATE
                    : p.quarantine() != null ? Outcome.QUARANTINED : Outcome.STORED));
        }
        return new Result(items);
    }

    /**
     * Drops the doctor's round-trip probes: a message whose {@value #PROBE_HEADER} carries the token of a probe in
     * flight (a random token the doctor recorded before sending). A forged header with any other value is ordinary
     * mail and is stored.
     */
    private List<Prepared> withoutProbes(List<Prepared> batch) {
        List<String> tokens = batch.stream().filter(p -> p.mail() != null)
                .flatMap(p -> p.mail().headers().all(PROBE_HEADER).stream()).map(String::trim).toList();
        if (tokens.isEmpty()) {
            return batch;
        }
        Set<String> probes = probeFilter.probesAmong(tokens);
        if (probes.isEmpty()) {
            return batch;
        }
        return batch.stream().filter(p -> p.mail() == null
                || p.mail().headers().all(PROBE_HEADER).stream().map(String::trim).noneMatch(probes::contains))
                .toList();
    }

    private void insertMessages(long orgId, List<Prepared> fresh, Map<String, UUID> ids,
                                Threading.Assignment threads) {
        template.batchUpdate("INSERT INTO email_message (id, org_id, thread_id, direction, status, classification, "
                        + "sender, recipients, cc, reply_to, subject, body_plain, body_html, message_id, in_reply_to, "
                        + "references_ids, meta, created_at, updated_at, content_key, sent_date, raw_size, "
                        + "has_attachments, auto_reply, spam, quarantine_reason, seen, flagged, answered, folder, bulk, "
                        + "attachment_names) VALUES "
                        + "(?, ?, ?, 'inbound', 'received', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, now(), ?, ?, "
                        + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                fresh, 200, (ps, p) -> {
                    ParsedMail m = p.mail();
                    Set<String> flags = p.in().flags();
                    Optional<OffsetDateTime> date = m == null ? Optional.empty() : m.date();
                    OffsetDateTime received = p.in().receivedAt().or(() -> date).orElse(OffsetDateTime.now());
                    var connection = ps.getConnection();
                    int i = 1;
                    ps.setObject(i++, ids.get(p.contentKey()));
                    ps.setLong(i++, orgId);
                    ps.setObject(i++, threads.threadOf(p.contentKey()));
                    ps.setString(i++, m == null ? "ops" : p.meaning().classification());
                    ps.setString(i++, m == null ? null : m.from().orElse(null));
                    ps.setArray(i++, connection.createArrayOf("text",
                            m == null ? new String[0] : m.to().toArray(String[]::new)));
                    ps.setArray(i++, connection.createArrayOf("text",
                            m == null ? new String[0] : m.cc().toArray(String[]::new)));
                    ps.setString(i++, m == null ? null : m.replyTo().orElse(null));
                    ps.setString(i++, m == null ? "" : clean(m.subject()));
                    ps.setString(i++, m == null ? "" : clean(m.text()));
                    ps.setString(i++, m == null ? "" : clean(m.html()));
                    ps.setString(i++, p.messageIdHeader());
                    ps.setString(i++, m == null ? null : m.inReplyTo().orElse(null));
                    ps.setArray(i++, connection.createArrayOf("text",
                            m == null ? new String[0] : m.references().toArray(String[]::new)));
                    ps.setString(i++, json.writeValueAsString(meta(p)));
                    ps.setTimestamp(i++, Timestamp.from(received.toInstant()));
                    ps.setString(i++, p.contentKey());
                    ps.setTimestamp(i++, date.map(d -> Timestamp.from(d.toInstant())).orElse(null));
                    ps.setLong(i++, p.in().raw().size());
                    ps.setBoolean(i++, m != null && m.hasAttachments());
                    ps.setBoolean(i++, m != null && p.meaning().autoReply());
                    ps.setBoolean(i++, m != null && p.meaning().spam());
                    ps.setString(i++, p.quarantine());
                    ps.setBoolean(i++, flags.contains("\\Seen"));
                    ps.setBoolean(i++, flags.contains("\\Flagged"));
                    ps.setBoolean(i++, flags.contains("\\Answered"));
                    ps.setString(i++, m != null && p.meaning().spam() ? "spam" : "inbox");
                    ps.setBoolean(i++, m != null && p.meaning().bulk());
                    ps.setString(i, m == null ? "" : clean(attachmentNames(m)));
                });
    }

    /** File names of a message's attachments, for search ({@code filename:} and plain words). */
    static String attachmentNames(ParsedMail m) {
        StringBuilder names = new StringBuilder();
        for (ParsedMail.Part part : m.attachments()) {
            if (part.filename() != null && !part.filename().isBlank()) {
                names.append(names.length() == 0 ? "" : " ").append(part.filename());
            }
        }
        return names.toString();
    }

    /** PostgreSQL text cannot hold NUL; mail sometimes does. */
    static String clean(String s) {
        return s.indexOf('\0') < 0 ? s : s.replace("\0", "");
    }

    private Map<String, Object> meta(Prepared p) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("source", p.in().source());
        if (p.syntheticId()) {
            meta.put("synthetic_message_id", true);
        }
        if (p.mail() == null) {
            meta.put("decision", decision(INGEST_ALLOW, "Stored raw and quarantined: " + p.quarantine(), "warning"));
            return meta;
        }
        ParsedMail m = p.mail();
        m.fromName().filter(n -> !n.isBlank()).ifPresent(n -> meta.put("from_name", clean(n)));
        Classifier.Meaning meaning = p.meaning();
        meta.put("decision", meaning.spam()
                ? decision(SPAM_BLOCK, "Spam: " + meaning.spamReason().orElse("") + "; stored, kept out of the inbox",
                "warning")
                : decision(INGEST_ALLOW, "Inbound message stored", "info"));
        if (meaning.bulk()) {
            meta.put("bulk", true);
        }
        putParseNotes(m, meta);
        return meta;
    }

    /** What the parse itself says about a message ({@code body_truncated}, {@code parse_warnings}), into its meta. */
    static void putParseNotes(ParsedMail m, Map<String, Object> meta) {
        if (m.bodyTruncated()) {
            meta.put("body_truncated", true);
        }
        if (!m.warnings().isEmpty()) {
            meta.put("parse_warnings", m.warnings());
        }
    }

    private static Decision decision(String rule, String message, String severity) {
        return new Decision(rule.equals(SPAM_BLOCK) ? "BLOCK" : "ALLOW", List.of(rule),
                List.of(new Decision.Reason(rule, message, severity)));
    }

    private void insertRaw(List<Prepared> fresh, Map<String, UUID> ids) {
        List<Prepared> small = fresh.stream().filter(p -> p.in().raw().size() <= RAW_CHUNK).toList();
        template.batchUpdate("INSERT INTO message_raw (message_id, seq, data) VALUES (?, 0, ?)", small, 200,
                (ps, p) -> {
                    ps.setObject(1, ids.get(p.contentKey()));
                    try (InputStream in = p.in().raw().open()) {
                        ps.setBytes(2, in.readAllBytes());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
        for (Prepared p : fresh) {
            if (p.in().raw().size() > RAW_CHUNK) {
                insertChunked(ids.get(p.contentKey()), p.in().raw());
            }
        }
    }

    /** One row per megabyte, each read and sent on its own: a 50 MB message never sits whole in the heap. */
    private void insertChunked(UUID id, RawMail raw) {
        try (InputStream in = raw.open()) {
            int seq = 0;
            byte[] chunk;
            while ((chunk = in.readNBytes(RAW_CHUNK)).length > 0) {
                template.update("INSERT INTO message_raw (message_id, seq, data) VALUES (?, ?, ?)", id, seq++, chunk);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void insertAttachments(long orgId, List<Prepared> fresh, Map<String, UUID> ids) {
        List<Object[]> rows = new ArrayList<>();
        for (Prepared p : fresh) {
            if (p.mail() != null) {
                rows.addAll(attachmentRows(ids.get(p.contentKey()), orgId, p.mail()));
            }
        }
        template.batchUpdate(INSERT_ATTACHMENT, rows);
    }

    static final String INSERT_ATTACHMENT = "INSERT INTO email_attachment (message_id, org_id, part_path, filename, "
            + "content_type, size_bytes, sha256, content_id, inline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** One message's attachment rows for {@link #INSERT_ATTACHMENT}; a part its HTML shows by cid: is inline. */
    static List<Object[]> attachmentRows(UUID messageId, long orgId, ParsedMail mail) {
        List<Object[]> rows = new ArrayList<>();
        boolean htmlRefs = mail.html().contains("cid:");
        for (ParsedMail.Part part : mail.attachments()) {
            boolean inline = part.inline() || (htmlRefs && part.contentId() != null
                    && mail.html().contains("cid:" + part.contentId()));
            rows.add(new Object[] {messageId, orgId, part.path(),
                    part.filename() == null ? null : clean(part.filename()), part.contentType(), part.size(),
                    part.sha256(), part.contentId() == null ? null : clean(part.contentId()), inline});
        }
        return rows;
    }

    /**
     * Label ids are looked up in this transaction, never kept across transactions: an id cached from a transaction
     * that rolled back (or of a label an admin deleted since) names no row, and every later batch would fail on it.
     * The system labels exist from the organization's creation (migration 15), so this is one SELECT per batch.
     */
    private void insertLabels(long orgId, List<Prepared> fresh, Map<String, UUID> ids) {
        Set<String> wanted = new LinkedHashSet<>();
        fresh.stream().filter(p -> p.meaning() != null).forEach(p -> wanted.addAll(p.meaning().labels()));
        if (wanted.isEmpty()) {
            return;
        }
        Map<String, Long> labelIds = labels.ensure(orgId, wanted);
        List<Object[]> rows = new ArrayList<>();
        for (Prepared p : fresh) {
            if (p.meaning() != null) {
                for (String slug : p.meaning().labels()) {
                    rows.add(new Object[] {ids.get(p.contentKey()), labelIds.get(slug)});
                }
            }
        }
        template.batchUpdate("INSERT INTO email_message_label (message_id, label_id) VALUES (?, ?) "
                + "ON CONFLICT DO NOTHING", rows);
    }

    private void insertLocations(List<Prepared> batch, Map<String, UUID> ids) {
        List<Object[]> rows = new ArrayList<>();
        for (Prepared p : batch) {
            p.in().location().ifPresent(l -> rows.add(new Object[] {l.mailboxId(), l.folder(), l.uidValidity(),
                    l.uid(), ids.get(p.contentKey()), p.in().flags().toArray(String[]::new)}));
        }
        template.batchUpdate("INSERT INTO message_location (mailbox_id, folder, uidvalidity, uid, message_id, flags) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", rows);
    }
}
