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
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import com.postroom.mailbox.Labels;
import com.postroom.mailbox.RawStore;

import tools.jackson.databind.json.JsonMapper;

/**
 * Parses again, from the verbatim raw copy, the messages that an earlier version stored as plain text because of a
 * bug rather than because of the mail: inside the packaged jar, messages parsed on a pool thread could not load
 * Jakarta Mail's stream provider ({@link MailParser#parse}), failed with an {@code IllegalArgumentException}, and were
 * kept as plain text without their attachments or HTML. Each repaired message gets its bodies, attachments and
 * search document back and is marked {@code reparsed}, so the repair runs once; a message that still cannot be read
 * is marked too and left as it was. Runs in the background after start-up, one message per transaction.
 */
@Component
class ParseRepair {

    private static final Logger log = LoggerFactory.getLogger(ParseRepair.class);
    static final String BUG_WARNING = MailParser.structureWarning("IllegalArgumentException");
    private static final int PAGE = 100;
    static final String TASK = "reparse-plain-text-2026-11";

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final TransactionTemplate tx;
    private final MailParser parser;
    private final RawStore raws;
    private final JsonMapper json;
    private final Labels labels;

    ParseRepair(JdbcClient jdbc, JdbcTemplate template, TransactionTemplate tx, MailParser parser, RawStore raws,
                JsonMapper json, Labels labels) {
        this.labels = labels;
        this.jdbc = jdbc;
        this.template = template;
        this.tx = tx;
        this.parser = parser;
        this.raws = raws;
        this.json = json;
    }

    @EventListener(ApplicationReadyEvent.class)
    void startInBackground() {
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

    /** Repairs every affected message; answers how many got their structure back. */
    int repairAll() {
        if (!jdbc.sql("SELECT task FROM maintenance_done WHERE task = ?").param(TASK).query(String.class).list()
                .isEmpty()) {
            return 0;
        }
        int repaired = 0;
        while (true) {
            List<Object[]> page = jdbc.sql("SELECT id, org_id FROM email_message WHERE direction = 'inbound' "
                            + "AND meta -> 'parse_warnings' @> jsonb_build_array(?::text) AND meta -> 'reparsed' IS NULL "
                            + "LIMIT " + PAGE)
                    .param(BUG_WARNING)
                    .query((rs, i) -> new Object[] {rs.getObject(1, UUID.class), rs.getLong(2)}).list();
            if (page.isEmpty()) {
                jdbc.sql("INSERT INTO maintenance_done (task) VALUES (?) ON CONFLICT DO NOTHING").param(TASK).update();
                return repaired;
            }
            for (Object[] row : page) {
                if (repair((UUID) row[0], (Long) row[1])) {
                    repaired++;
                }
            }
        }
    }

    /** In one transaction with the message's row locked, so a second instance doing the same skips it. */
    private boolean repair(UUID id, long orgId) {
        return Boolean.TRUE.equals(tx.execute(status -> {
            boolean ours = !jdbc.sql("SELECT id FROM email_message WHERE id = ? AND meta -> 'reparsed' IS NULL "
                    + "FOR UPDATE SKIP LOCKED").param(id).query(UUID.class).list().isEmpty();
            return ours && repairLocked(id, orgId);
        }));
    }

    private boolean repairLocked(UUID id, long orgId) {
        ParsedMail mail;
        try (RawMail raw = RawMail.spooled(raws.toTempFile(id))) {
            mail = raw.size() == 0 ? null : parser.parse(raw);
        } catch (IOException | UnparseableMail | RuntimeException e) {
            log.debug("Message {} could not be parsed again", id, e);
            mail = null;
        }
        if (mail == null || mail.warnings().stream().anyMatch(MailParser::isStructureWarning)) {
            jdbc.sql("UPDATE email_message SET meta = meta || '{\"reparsed\": true}'::jsonb WHERE id = ?").param(id)
                    .update();
            return false;
        }
        jdbc.sql("UPDATE email_message SET body_plain = ?, body_html = ?, has_attachments = ?, "
                        + "attachment_names = ?, meta = (meta - 'parse_warnings' - 'body_truncated') || ?::jsonb, "
                        + "updated_at = now() WHERE id = ?")
                .params(Ingest.clean(mail.text()), Ingest.clean(mail.html()), mail.hasAttachments(),
                        Ingest.clean(Ingest.attachmentNames(mail)), json.writeValueAsString(meta(mail)), id)
                .update();
        jdbc.sql("DELETE FROM email_attachment WHERE message_id = ?").param(id).update();
        template.batchUpdate(Ingest.INSERT_ATTACHMENT, Ingest.attachmentRows(id, orgId, mail));
        // The one system label the structure decides; classification and the word-based labels stay as they
        // are, people may have acted on them since.
        if (mail.hasAttachments()) {
            for (Long label : labels.ensure(orgId, List.of("attachments")).values()) {
                jdbc.sql("INSERT INTO email_message_label (message_id, label_id) VALUES (?, ?) "
                        + "ON CONFLICT DO NOTHING").params(id, label).update();
            }
        }
        return true;
    }

    private static Map<String, Object> meta(ParsedMail mail) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("reparsed", true);
        Ingest.putParseNotes(mail, meta);
        return meta;
    }
}
