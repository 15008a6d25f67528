package com.postroom.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.mime.MimeTypes;
import com.postroom.mime.RawMail;
import com.postroom.org.Organizations;
import com.postroom.mime.MailParserTest;
import com.postroom.support.SandboxTest;

/**
 * Messages an earlier version kept as plain text because of its class-loader bug get their structure back from the
 * raw copy, once, without touching anything else.
 */
@SandboxTest
class ParseRepairTest {

    @Autowired
    Ingest ingest;
    @Autowired
    ParseRepair repair;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    Organizations organizations;

    @Test
    void aMessageStoredAsPlainTextByTheBugIsParsedAgainOnce() {
        long orgId = organizations.primary().orElseThrow().id();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String raw = "From: Scanner <scanner@example.org>\r\nTo: founder@postroom.test\r\nSubject: Scans " + tag
                + "\r\nMessage-ID: <repair." + tag + "@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\n"
                + "Content-Type: multipart/alternative; boundary=inner\r\n\r\n--inner\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n\r\nThe run sheets are attached.\r\n--inner\r\n"
                + "Content-Type: text/html; charset=utf-8\r\n\r\n<p>The run sheets are <b>attached</b>.</p>\r\n"
                + "--inner--\r\n--outer\r\nContent-Type: application/pdf\r\n"
                + "Content-Disposition: attachment; filename=\"runsheet-" + tag + ".pdf\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--outer--\r\n";
        UUID id = store(orgId, raw);

        // What the bug left: the whole body as text, no HTML, no attachments, the warning.
        jdbc.sql("UPDATE email_message SET body_plain = ?, body_html = '', has_attachments = false, "
                        + "attachment_names = '', meta = meta || jsonb_build_object('parse_warnings', "
                        + "jsonb_build_array(?::text)) WHERE id = ?")
                .params(raw.substring(raw.indexOf("\r\n\r\n")), ParseRepair.BUG_WARNING, id).update();
        jdbc.sql("DELETE FROM email_attachment WHERE message_id = ?").param(id).update();
        jdbc.sql("DELETE FROM email_message_label WHERE message_id = ?").param(id).update();

        // Start-up already ran the repair on the empty database and marked it done; this message came after.
        jdbc.sql("DELETE FROM maintenance_done WHERE task = ?").param(ParseRepair.PLAIN_TEXT.name()).update();
        assertThat(repair.repairAll()).isGreaterThanOrEqualTo(1);

        Map<String, Object> row = jdbc.sql("SELECT body_plain, body_html, has_attachments, attachment_names, "
                + "meta::text AS meta FROM email_message WHERE id = ?").param(id).query().singleRow();
        assertThat((String) row.get("body_plain")).isEqualTo("The run sheets are attached.");
        assertThat((String) row.get("body_html")).contains("<b>attached</b>");
        assertThat(row.get("has_attachments")).isEqualTo(true);
        assertThat((String) row.get("attachment_names")).isEqualTo("runsheet-" + tag + ".pdf");
        assertThat((String) row.get("meta")).contains("\"reparsed\": true").doesNotContain("parse_warnings");
        assertThat(jdbc.sql("SELECT filename FROM email_attachment WHERE message_id = ?").param(id)
                .query(String.class).list()).containsExactly("runsheet-" + tag + ".pdf");
        assertThat(jdbc.sql("SELECT l.slug FROM email_message_label ml JOIN email_label l ON l.id = ml.label_id "
                + "WHERE ml.message_id = ?").param(id).query(String.class).list()).contains("attachments");
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE id = ? AND search_words @@ "
                        + "plainto_tsquery(current_search_config(), 'runsheet')").param(id).query(Long.class).single())
                .as("the search document follows the repaired text").isEqualTo(1);

        assertThat(repair.repairAll()).as("once").isZero();
    }

    /** Before MimeTypes, "Content-Type: text; charset=..." hid the whole text in a nameless binary attachment. */
    @Test
    void aMessageWhoseMalformedContentTypeHidItsTextGetsItBack() {
        long orgId = organizations.primary().orElseThrow().id();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String raw = "From: Old ISP <someone@isp.example>\r\nTo: founder@postroom.test\r\nSubject: Question " + tag
                + "\r\nMessage-ID: <types." + tag + "@isp.example>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text; charset=us-ascii\r\n\r\n"
                + "When is the balance of claim " + tag + " due?\r\n";
        UUID id = store(orgId, raw);

        // What the older parser stored: no text, one nameless application/octet-stream attachment, its warning.
        jdbc.sql("UPDATE email_message SET body_plain = '', has_attachments = true, meta = meta || "
                        + "jsonb_build_object('parse_warnings', jsonb_build_array(?::text)) WHERE id = ?")
                .params("Part 1 " + ParseRepair.OLD_CONTENT_TYPE_WARNING, id).update();
        jdbc.sql("INSERT INTO email_attachment (id, message_id, org_id, part_path, filename, content_type, size_bytes, "
                        + "sha256, inline) VALUES (gen_random_uuid(), ?, ?, '1', NULL, 'application/octet-stream', 40, "
                        + "'x', false)").params(id, orgId).update();
        jdbc.sql("INSERT INTO email_message_label (message_id, label_id) SELECT ?, id FROM email_label "
                + "WHERE org_id = ? AND slug = 'attachments'").params(id, orgId).update();
        jdbc.sql("DELETE FROM maintenance_done WHERE task = ?").param(ParseRepair.CONTENT_TYPES.name()).update();

        assertThat(repair.repairAll()).isGreaterThanOrEqualTo(1);

        Map<String, Object> row = jdbc.sql("SELECT body_plain, has_attachments, meta::text AS meta FROM email_message "
                + "WHERE id = ?").param(id).query().singleRow();
        assertThat((String) row.get("body_plain")).isEqualToIgnoringWhitespace("When is the balance of claim " + tag + " due?");
        assertThat(row.get("has_attachments")).isEqualTo(false);
        assertThat((String) row.get("meta")).contains("\"reparsed_content_types\": true")
                .contains("read as text/plain").doesNotContain("application/octet-stream");
        assertThat(jdbc.sql("SELECT count(*) FROM email_attachment WHERE message_id = ?").param(id)
                .query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT l.slug FROM email_message_label ml JOIN email_label l ON l.id = ml.label_id "
                + "WHERE ml.message_id = ?").param(id).query(String.class).list()).doesNotContain("attachments");
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE id = ? AND search_words @@ "
                        + "plainto_tsquery(current_search_config(), ?)").params(id, "balance " + tag)
                .query(Long.class).single()).isEqualTo(1);

        assertThat(repair.repairAll()).as("once").isZero();
    }

    /** Migration 13: inline parts stored before that the HTML never shows become attachments. */
    @Test
    void migration13ListsUnshownInlinePartsAsAttachments(@Autowired org.springframework.transaction.support.TransactionTemplate tx)
            throws Exception {
        long orgId = organizations.primary().orElseThrow().id();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String raw = new String(MailParserTest.fixture("unreferenced-inline.eml").open().readAllBytes(),
                StandardCharsets.US_ASCII).replace("<photo-1@ems.example>", "<photo-" + tag + "@ems.example>");
        UUID id = store(orgId, raw);
        // As stored before: both parts inline, no attachments, no label.
        jdbc.sql("UPDATE email_attachment SET inline = true WHERE message_id = ?").param(id).update();
        jdbc.sql("UPDATE email_message SET has_attachments = false WHERE id = ?").param(id).update();
        jdbc.sql("DELETE FROM email_message_label WHERE message_id = ?").param(id).update();

        String script = new String(getClass().getResourceAsStream("/db/migration/V13__unshown_inline_parts.sql")
                .readAllBytes(), StandardCharsets.UTF_8);
        tx.executeWithoutResult(status -> jdbc.sql(script).update());

        assertThat(jdbc.sql("SELECT content_id || ' ' || inline FROM email_attachment WHERE message_id = ? "
                + "ORDER BY part_path").param(id).query(String.class).list())
                .containsExactly("logo@ems.example true", "6F1C2A4E-0042@ems.example false");
        assertThat(jdbc.sql("SELECT has_attachments FROM email_message WHERE id = ?").param(id).query(Boolean.class)
                .single()).isTrue();
        assertThat(jdbc.sql("SELECT l.slug FROM email_message_label ml JOIN email_label l ON l.id = ml.label_id "
                + "WHERE ml.message_id = ?").param(id).query(String.class).list()).contains("attachments");
    }

    /** Before the missing empty line was supplied, a script's mail without it showed nothing. */
    @Test
    void aMessageThatShowedNothingBecauseItsHeadersHadNoEmptyLineGetsItsBody() {
        long orgId = organizations.primary().orElseThrow().id();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        UUID id = store(orgId, "From: script@vendor.example\r\nTo: founder@postroom.test\r\nSubject: Totals " + tag
                + "\r\nMessage-ID: <sep." + tag + "@vendor.example>\r\nTotals for claim " + tag + ": 14.\r\n");
        UUID empty = store(orgId, "From: a@vendor.example\r\nTo: founder@postroom.test\r\nSubject: Empty " + tag
                + "\r\nMessage-ID: <empty." + tag + "@vendor.example>\r\n\r\n");
        jdbc.sql("UPDATE email_message SET body_plain = '', meta = meta - 'parse_warnings' WHERE id = ?").param(id)
                .update();
        jdbc.sql("DELETE FROM maintenance_done WHERE task = ?").param(ParseRepair.MISSING_SEPARATOR.name()).update();

        repair.repairAll();

        assertThat(jdbc.sql("SELECT body_plain FROM email_message WHERE id = ?").param(id).query(String.class)
                .single()).isEqualToIgnoringWhitespace("Totals for claim " + tag + ": 14.");
        assertThat(jdbc.sql("SELECT meta ->> 'reparsed_separator' FROM email_message WHERE id IN (?, ?)")
                .params(id, empty).query(String.class).list()).containsOnly("true");
        assertThat(repair.repairAll()).as("once").isZero();
    }

    /** Before named inline text was shown, a patch sent inline was only listed as a file. */
    @Test
    void aPatchSentInlineThatWasOnlyAFileIsShown() {
        long orgId = organizations.primary().orElseThrow().id();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String word = "w" + UUID.randomUUID().toString().substring(0, 8); // in the patch only
        UUID id = store(orgId, "From: dev@vendor.example\r\nTo: founder@postroom.test\r\nSubject: [PATCH] " + tag
                + "\r\nMessage-ID: <patch." + tag + "@vendor.example>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
                + "Below.\r\n--b\r\nContent-Type: text/plain\r\nContent-Disposition: inline; filename=fix.patch"
                + "\r\n\r\n+ fixed " + word + "\r\n--b--\r\n");
        UUID file = store(orgId, "From: dev@vendor.example\r\nTo: founder@postroom.test\r\nSubject: Notes " + tag
                + "\r\nMessage-ID: <notes." + tag + "@vendor.example>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
                + "Attached.\r\n--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=notes.txt"
                + "\r\n\r\nnotes\r\n--b--\r\n");
        UUID fileAttachment = jdbc.sql("SELECT id FROM email_attachment WHERE message_id = ?").param(file)
                .query(UUID.class).single();
        jdbc.sql("UPDATE email_message SET body_plain = 'Below.' WHERE id = ?").param(id).update();
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE id = ? AND search_words @@ "
                + "plainto_tsquery('simple', ?)").params(id, word).query(Long.class).single()).isZero();
        jdbc.sql("DELETE FROM maintenance_done WHERE task = ?").param(ParseRepair.NAMED_INLINE_TEXT.name()).update();

        repair.repairAll();

        assertThat(jdbc.sql("SELECT body_plain FROM email_message WHERE id = ?").param(id).query(String.class)
                .single()).contains("Below.", "+ fixed " + word);
        assertThat(jdbc.sql("SELECT filename FROM email_attachment WHERE message_id = ?").param(id)
                .query(String.class).list()).containsExactly("fix.patch");
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE id = ? AND search_words @@ "
                + "plainto_tsquery('simple', ?)").params(id, word).query(Long.class).single()).as("searchable").isOne();
        assertThat(repair.repairAll()).as("once").isZero();
        // A text file attached as a file is read as before: the message is marked, its attachment keeps its id.
        assertThat(jdbc.sql("SELECT id FROM email_attachment WHERE message_id = ?").param(file).query(UUID.class)
                .single()).isEqualTo(fileAttachment);
        assertThat(jdbc.sql("SELECT meta ->> 'reparsed_named_text' FROM email_message WHERE id = ?").param(file)
                .query(String.class).single()).isEqualTo("true");
    }

    private UUID store(long orgId, String raw) {
        Incoming in = new Incoming(RawMail.of(raw.getBytes(StandardCharsets.US_ASCII)), Optional.empty(),
                Optional.empty(), Optional.empty(), Set.of(), false, "imap");
        return ingest.store(orgId, List.of(in), db -> { }).items().get(0).messageId();
    }
}
