package com.postroom.inbound;

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
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import com.postroom.mime.ContentKey;
import com.postroom.mime.MailParser;
import com.postroom.mime.ParsedMail;
import com.postroom.mime.UnparseableMail;
import com.postroom.store.Labels;
import com.postroom.store.ReceivedMail;
import com.postroom.mime.RawMail;

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
    public static final String INGEST_ALLOW = "EMAIL.INGEST.ALLOW.v1";
    public static final String SPAM_BLOCK = "EMAIL.SPAM.BLOCK.v1";

    private final JdbcClient jdbc;
    private final ReceivedMail received;
    private final TransactionTemplate tx;
    private final MailParser parser;
    private final Threading threading;
    private final Labels labels;
    private final Bounces bounces;
    private final JsonMapper json;
    private final ProbeFilter probeFilter;

    Ingest(JdbcClient jdbc, ReceivedMail received, TransactionTemplate tx, MailParser parser, Threading threading,
           Labels labels, Bounces bounces, JsonMapper json, ProbeFilter probeFilter) {
        this.probeFilter = probeFilter;
        this.jdbc = jdbc;
        this.received = received;
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
            String key = in.externalKey().orElseGet(() -> ContentKey.external("raw", in.raw().sha256Hex()));
            return new Prepared(in, null, e.getMessage(), key, ContentKey.syntheticMessageId(key), true, null);
        } catch (RuntimeException e) {
            // A parser bug must not stop the mailbox: keep the message, say why it is quarantined.
            log.warn("Parser failed on a message; quarantined", e);
            String key = in.externalKey().orElseGet(() -> ContentKey.external("raw", in.raw().sha256Hex()));
            return new Prepared(in, null, "The parser failed: " + e.getClass().getSimpleName(), key,
                    ContentKey.syntheticMessageId(key), true, null);
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
        List<ReceivedMail.Row> rows = new ArrayList<>();
        for (Prepared p : fresh) {
            ParsedMail m = p.mail();
            Optional<OffsetDateTime> date = m == null ? Optional.empty() : m.date();
            boolean spam = m != null && p.meaning().spam();
            rows.add(new ReceivedMail.Row(ids.get(p.contentKey()), orgId, threads.threadOf(p.contentKey()),
                    m == null ? "ops" : p.meaning().classification(), m == null ? null : m.from().orElse(null),
                    m == null ? List.of() : m.to(), m == null ? List.of() : m.cc(),
                    m == null ? null : m.replyTo().orElse(null), m == null ? "" : m.subject(),
                    m == null ? "" : m.text(), m == null ? "" : m.html(), p.messageIdHeader(),
                    m == null ? null : m.inReplyTo().orElse(null), m == null ? List.of() : m.references(),
                    json.writeValueAsString(MessageMeta.of(p)),
                    p.in().receivedAt().or(() -> date).orElse(OffsetDateTime.now()), p.contentKey(),
                    date.orElse(null), p.in().raw().size(), m != null && m.hasAttachments(),
                    m != null && p.meaning().autoReply(), spam, p.quarantine(), p.in().flags(),
                    spam ? "spam" : "inbox", m != null && p.meaning().bulk(),
                    m == null ? "" : ReceivedMail.attachmentNames(m)));
        }
        received.insertMessages(rows);
    }

    private void insertRaw(List<Prepared> fresh, Map<String, UUID> ids) {
        Map<UUID, com.postroom.mime.RawMail> raws = new LinkedHashMap<>();
        fresh.forEach(p -> raws.put(ids.get(p.contentKey()), p.in().raw()));
        received.insertRaw(raws);
    }

    private void insertAttachments(long orgId, List<Prepared> fresh, Map<String, UUID> ids) {
        Map<UUID, ParsedMail> mails = new LinkedHashMap<>();
        fresh.stream().filter(p -> p.mail() != null).forEach(p -> mails.put(ids.get(p.contentKey()), p.mail()));
        received.insertAttachments(orgId, mails);
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
        received.addLabels(rows);
    }

    private void insertLocations(List<Prepared> batch, Map<String, UUID> ids) {
        List<ReceivedMail.Location> rows = new ArrayList<>();
        for (Prepared p : batch) {
            p.in().location().ifPresent(l -> rows.add(new ReceivedMail.Location(l.mailboxId(), l.folder(),
                    l.uidValidity(), l.uid(), ids.get(p.contentKey()), p.in().flags())));
        }
        received.insertLocations(rows);
    }
}
