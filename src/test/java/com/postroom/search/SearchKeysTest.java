package com.postroom.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import com.postroom.support.SandboxTest;

/**
 * Migration 35 wrote the month keys' functions again in PL/pgSQL without rebuilding their index, which is only right if
 * they give every message the keys that migration 33's SQL functions gave: a key the index holds that a search no
 * longer asks for (or the other way round) would hide mail from search. Both versions run side by side here, over
 * awkward input (no names, no words, names in other scripts, a month and year on either side of a boundary in a
 * session whose time zone is not UTC) and over every message of the sandbox. Since migration 45 the one difference is
 * a message still waiting for its documents (no words and no subject document): it has no keys until they are written.
 */
@SandboxTest
class SearchKeysTest {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    TransactionTemplate tx;

    /** Migration 33's functions, as search_keys_install() wrote them with pg_trgm, in this connection's temp schema. */
    private void createVersion33() {
        String trgm = jdbc.sql("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'")
                .query(String.class).single();
        jdbc.sql("CREATE FUNCTION pg_temp.trigrams_33(names TEXT) RETURNS TEXT[] LANGUAGE sql IMMUTABLE STRICT AS "
                + "$$ SELECT ARRAY(SELECT t FROM unnest(" + trgm + ".show_trgm(names)) t "
                + "WHERE length(t) = 3 AND position(' ' IN t) = 0) $$").update();
        jdbc.sql("CREATE FUNCTION pg_temp.keys_33(ts TIMESTAMPTZ, words TSVECTOR, subject TSVECTOR, names TEXT) "
                + "RETURNS TEXT[] LANGUAGE sql IMMUTABLE AS $$ SELECT string_to_array(concat_ws(' ', "
                + "CASE WHEN length(words) > 0 THEN to_char(ts AT TIME ZONE 'UTC', 'YYMM') || ':' "
                + "|| array_to_string(tsvector_to_array(words), ' ' || to_char(ts AT TIME ZONE 'UTC', 'YYMM') || ':') END, "
                + "CASE WHEN length(subject) > 0 THEN to_char(ts AT TIME ZONE 'UTC', 'YYMM') || '^' "
                + "|| array_to_string(tsvector_to_array(subject), ' ' || to_char(ts AT TIME ZONE 'UTC', 'YYMM') || '^') END, "
                + "(SELECT to_char(ts AT TIME ZONE 'UTC', 'YYMM') || '~' "
                + "|| array_to_string(t, ' ' || to_char(ts AT TIME ZONE 'UTC', 'YYMM') || '~') "
                + "FROM pg_temp.trigrams_33(names) t WHERE cardinality(t) > 0)), ' ') $$").update();
    }

    @Test
    void theKeysAreThoseOfMigration33ForAwkwardInputAndForEveryMessage() {
        List<Object> differences = tx.execute(status -> {
            createVersion33();
            jdbc.sql("SET LOCAL TimeZone = 'Pacific/Auckland'").update();
            String cases = "SELECT * FROM (VALUES "
                    + "('2026-11-30 23:30:00+00'::timestamptz, to_tsvector('english', 'Invoice 4411 for the claim'), "
                    + "to_tsvector('english', 'Re: remittance'), 'alice.archer@clinic.example alice archer invoice-17.pdf'), "
                    + "('2005-01-01 00:00:00+13', to_tsvector('simple', 'x'), NULL, NULL), "
                    + "('2026-12-01 00:00:00+00', NULL, to_tsvector('english', 'subject only'), 'zoë müller 李雷 o''brien'), "
                    + "('1999-12-31 23:59:59+00', ''::tsvector, ''::tsvector, ''), "
                    + "('2030-06-15 12:00:00+00', to_tsvector('english', repeat('word ', 3) || 'café naïve'), NULL, "
                    + "'ab a-b x.y@z.example ____ 123 1234')) AS c(ts, words, subject, names)";
            List<Object> awkward = jdbc.sql("SELECT row(c.*)::text FROM (" + cases + ") c WHERE "
                            + "search_keys(ts, words, subject, names) IS DISTINCT FROM pg_temp.keys_33(ts, words, subject, names) "
                            + "OR search_name_trigrams(names) IS DISTINCT FROM pg_temp.trigrams_33(names)")
                    .query((rs, n) -> (Object) rs.getString(1)).list();
            long compared = jdbc.sql("SELECT count(*) FROM (" + cases + ") c WHERE cardinality(search_keys(ts, words, "
                    + "subject, names)) > 0").query(Long.class).single();
            assertThat(compared).as("cases with keys").isEqualTo(4);
            // Messages as they are stored (the trigger writes their words), besides whatever the sandbox holds.
            long org = jdbc.sql("SELECT min(id) FROM organization").query(Long.class).single();
            jdbc.sql("INSERT INTO email_thread (id, org_id, subject) VALUES ('5ea4c4e7-0000-4000-8000-000000000001', ?, "
                    + "'Keys')").param(org).update();
            jdbc.sql("INSERT INTO email_message (org_id, thread_id, direction, status, sender, recipients, cc, subject, "
                    + "body_plain, body_html, meta, attachment_names, created_at) VALUES "
                    + "(?, '5ea4c4e7-0000-4000-8000-000000000001', 'inbound', 'received', 'rosa.reyes@payer.example', "
                    + "'{billing@postroom.test}', '{ops@postroom.test}', 'Remittance advice 8841', 'Payment of the "
                    + "claim, café crème', '', '{\"from_name\": \"Rosa Reyés\"}', 'remittance-8841.xlsx scan_02.pdf', "
                    + "'2026-10-31 23:59:00+00'), "
                    + "(?, '5ea4c4e7-0000-4000-8000-000000000001', 'outbound', 'queued', 'billing@postroom.test', "
                    + "'{patient@example.org}', '{}', '', '', '', '{}', '', '2026-11-01 00:00:00+00')")
                    .params(org, org).update();
            // The queued one waits for the indexer: no keys yet, not even its names' (migration 45).
            assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE status = 'queued' AND search_words IS NULL "
                    + "AND subject_doc IS NULL AND search_keys(created_at, search_words, subject_doc, email_message_names("
                    + "sender, meta ->> 'from_name', recipients, cc, attachment_names)) IS NULL "
                    + "AND sender = 'billing@postroom.test' AND created_at = '2026-11-01 00:00:00+00'")
                    .query(Long.class).single()).isEqualTo(1);
            List<Object> messages = jdbc.sql("SELECT id::text FROM email_message m, LATERAL (SELECT "
                            + "email_message_names(sender, meta ->> 'from_name', recipients, cc, attachment_names) AS names) n "
                            + "WHERE search_keys(created_at, search_words, subject_doc, n.names) IS DISTINCT FROM "
                            + "CASE WHEN search_words IS NOT NULL OR subject_doc IS NOT NULL "
                            + "THEN pg_temp.keys_33(created_at, search_words, subject_doc, n.names) END")
                    .query((rs, n) -> (Object) rs.getString(1)).list();
            status.setRollbackOnly();
            return java.util.stream.Stream.concat(awkward.stream(), messages.stream()).toList();
        });
        assertThat(differences).isEmpty();
        assertThat(jdbc.sql("SELECT string_agg(l.lanname, ',' ORDER BY p.proname) FROM pg_proc p JOIN pg_language l "
                + "ON l.oid = p.prolang WHERE p.proname IN ('search_keys', 'search_name_trigrams')")
                .query(String.class).single()).isEqualTo("plpgsql,plpgsql");
    }
}
