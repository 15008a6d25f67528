package com.postroom.inbound;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import com.postroom.config.PostroomSettings;
import com.postroom.mime.MailParser;
import com.postroom.mime.ParsedMail;
import com.postroom.mime.UnparseableMail;
import com.postroom.store.Labels;
import com.postroom.store.MessageStates;
import com.postroom.store.RawStore;
import com.postroom.store.ReceivedMail;
import com.postroom.mime.MimeTypes;
import com.postroom.mime.RawMail;

import tools.jackson.databind.json.JsonMapper;

/**
 * Parses again, from the verbatim raw copy, the messages that an earlier version read wrongly, each kind once:
 * <ul>
 * <li>inside the packaged jar, messages parsed on a pool thread could not load Jakarta Mail's stream provider
 * ({@link MailParser#parse}), failed with an {@code IllegalArgumentException}, and were kept as plain text without
 * their attachments or HTML;</li>
 * <li>a part with a malformed Content-Type ("text; charset=...", "multipart/mixed;; boundary=...") was kept as a
 * nameless binary attachment, hiding the text of the message or its whole structure ({@link MimeTypes} now reads
 * such headers);</li>
 * <li>a message whose header section did not end with an empty line showed no body at all
 * ({@link RawMail#missingSeparator}); every message that shows nothing is read again to find them.</li>
 * <li>a text part with a file name marked inline (a patch sent inline) was only a file.</li>
 * </ul>
 * Each repaired message gets its bodies, attachments and search document back and is marked with its task's marker,
 * so a repair runs once; a message that still cannot be read is marked too and left as it was. Runs in the background
 * after start-up, one message per transaction.
 */
@Component
class ParseRepair {

    private static final Logger log = LoggerFactory.getLogger(ParseRepair.class);
    static final String BUG_WARNING = MailParser.structureWarning("IllegalArgumentException");
    /** What versions before 2026-11-25 wrote for a Content-Type that Jakarta Mail could not parse. */
    static final String OLD_CONTENT_TYPE_WARNING = "has an unreadable Content-Type; treated as application/octet-stream.";
    private static final int PAGE = 100;

    /** One kind of wrongly read message: its maintenance task, how to find it, and the mark a repaired one gets. */
    record Task(String name, String condition, Object parameter, String marker) {
    }

    static final Task PLAIN_TEXT = new Task("reparse-plain-text-2026-11",
            "meta -> 'parse_warnings' @> jsonb_build_array(?::text)", BUG_WARNING, "reparsed");
    static final Task CONTENT_TYPES = new Task("reparse-content-types-2026-11",
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text(meta -> 'parse_warnings') w WHERE strpos(w, ?) > 0)",
            OLD_CONTENT_TYPE_WARNING, "reparsed_content_types");
    /** Found by what they showed: no text, no HTML, no attachment (octet_length reads no stored body to tell). */
    static final Task MISSING_SEPARATOR = new Task("reparse-missing-separator-2026-11",
            "octet_length(body_plain) + octet_length(body_html) = ? AND NOT has_attachments AND quarantine_reason IS NULL",
            0, "reparsed_separator");
    /**
     * Named text parts marked inline (a patch or log sent inline) were only listed as files; a message
     * without HTML now shows them. Found by what they kept: a text/plain file and no HTML.
     */
    static final Task NAMED_INLINE_TEXT = new Task("reparse-named-inline-text-2026-12",
            "octet_length(body_html) = ? AND EXISTS (SELECT 1 FROM email_attachment a "
                    + "WHERE a.message_id = email_message.id AND a.content_type = 'text/plain')",
            0, "reparsed_named_text");
    static final List<Task> TASKS = List.of(PLAIN_TEXT, CONTENT_TYPES, MISSING_SEPARATOR, NAMED_INLINE_TEXT);

    private final JdbcClient jdbc;
    private final ReceivedMail received;
    private final TransactionTemplate tx;
    private final MailParser parser;
    private final RawStore raws;
    private final JsonMapper json;
    private final Labels labels;
    private final MessageStates states;
    private final PostroomSettings settings;

    ParseRepair(JdbcClient jdbc, ReceivedMail received, TransactionTemplate tx, MailParser parser, RawStore raws,
                JsonMapper json, Labels labels, MessageStates states, PostroomSettings settings) {
        this.settings = settings;
        this.labels = labels;
        this.states = states;
        this.jdbc = jdbc;
        this.received = received;
        this.tx = tx;
        this.parser = parser;
        this.raws = raws;
        this.json = json;
    }

    @EventListener(ApplicationReadyEvent.class)
    void startInBackground() {
        if (!settings.runsBackgroundWork()) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                int repaired = repairAll();
                if (repaired > 0) {
                    log.info("Parsed {} messages again that an earlier version had stored as plain text", repaired);
                }
            } catch (RuntimeException e) {
                log.warn("Repairing messages stored as plain text stopped: {}", e.getMessage());
            }
        }, "postroom-parse-repair");
        t.setDaemon(true);
        t.start();
    }

    /** Repairs every affected message of every task not yet done; answers how many got their structure back. */
    int repairAll() {
        int repaired = 0;
        for (Task task : TASKS) {
            repaired += repairAll(task);
        }
        return repaired;
    }

    private int repairAll(Task task) {
        if (!jdbc.sql("SELECT task FROM maintenance_done WHERE task = ?").param(task.name()).query(String.class).list()
                .isEmpty()) {
            return 0;
        }
        int repaired = 0;
        while (true) {
            List<Object[]> page = jdbc.sql("SELECT id, org_id FROM email_message WHERE direction = 'inbound' AND "
                            + task.condition() + " AND meta -> ? IS NULL LIMIT " + PAGE)
                    .params(task.parameter(), task.marker())
                    .query((rs, i) -> new Object[] {rs.getObject(1, UUID.class), rs.getLong(2)}).list();
            if (page.isEmpty()) {
                jdbc.sql("INSERT INTO maintenance_done (task) VALUES (?) ON CONFLICT DO NOTHING").param(task.name())
                        .update();
                return repaired;
            }
            for (Object[] row : page) {
                if (repair(task, (UUID) row[0], (Long) row[1])) {
                    repaired++;
                }
            }
        }
    }

    /** In one transaction with the message's row locked, so a second instance doing the same skips it. */
    private boolean repair(Task task, UUID id, long orgId) {
        return Boolean.TRUE.equals(tx.execute(status -> {
            boolean ours = !jdbc.sql("SELECT id FROM email_message WHERE id = ? AND meta -> ? IS NULL "
                    + "FOR UPDATE SKIP LOCKED").params(id, task.marker()).query(UUID.class).list().isEmpty();
            return ours && repairLocked(task, id, orgId);
        }));
    }

    private boolean repairLocked(Task task, UUID id, long orgId) {
        ParsedMail mail;
        try (RawMail raw = RawMail.spooled(raws.toTempFile(id))) {
            mail = raw.size() == 0 ? null : parser.parse(raw);
        } catch (IOException | UnparseableMail | RuntimeException e) {
            log.debug("Message {} could not be parsed again", id, e);
            mail = null;
        }
        if (mail == null || mail.warnings().stream().anyMatch(MailParser::isStructureWarning)) {
            states.mark(id, task.marker());
            return false;
        }
        if (!received.reparsed(orgId, id, mail, json.writeValueAsString(meta(task, mail)),
                labels.ensure(orgId, List.of("attachments")).get("attachments"))) {
            states.mark(id, task.marker()); // read as it was: nothing to repair
            return false;
        }
        return true;
    }

    private static Map<String, Object> meta(Task task, ParsedMail mail) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put(task.marker(), true);
        MessageMeta.putParseNotes(mail, meta);
        return meta;
    }
}
