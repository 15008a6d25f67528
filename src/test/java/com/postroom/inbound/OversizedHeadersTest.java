package com.postroom.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.mime.RawMail;
import com.postroom.org.Organizations;
import com.postroom.support.SandboxTest;

/**
 * Headers far longer than any mailer writes (a hostile or broken sender): the message is stored and found, not
 * refused by an index whose entries have a size limit (PostgreSQL's B-tree: about 2,700 bytes).
 */
@SandboxTest
class OversizedHeadersTest {

    @Autowired
    Ingest ingest;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    Organizations organizations;

    /** Letters that do not compress (PostgreSQL compresses an index entry before it measures it). */
    private static String noise(int length) {
        java.util.Random random = new java.util.Random(length);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append((char) ('a' + random.nextInt(26)));
        }
        return s.toString();
    }

    @Test
    void aMessageWithHeadersOfThousandsOfCharactersIsStored() {
        long orgId = organizations.primary().orElseThrow().id();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String huge = noise(9000);
        String raw = "From: \"" + huge + "\" <" + noise(5000) + tag + "@example.org>\r\nTo: founder@postroom.test, "
                + noise(5000) + "@example.org\r\nSubject: Long " + tag + " " + noise(10000)
                + "\r\nMessage-ID: <" + tag + huge + "@example.org>\r\nReferences: <" + huge + "@r>\r\n"
                + "In-Reply-To: <" + huge + "@r>\r\nReply-To: " + noise(5000) + "@example.org\r\n\r\nbody " + tag + "\r\n";
        Incoming in = new Incoming(RawMail.of(raw.getBytes(StandardCharsets.US_ASCII)), Optional.empty(),
                Optional.empty(), Optional.empty(), Set.of(), false, "imap");
        UUID id = ingest.store(orgId, List.of(in), db -> { }).items().get(0).messageId();
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE id = ?").param(id).query(Long.class).single())
                .isOne();
        var row = jdbc.sql("SELECT sender, message_id, length(subject) AS subject_length, body_plain FROM email_message "
                + "WHERE id = ?").param(id).query().singleRow();
        assertThat(row.get("sender")).as("no address: longer than any address may be").isNull();
        assertThat((String) row.get("message_id")).endsWith("@synthetic.postroom.invalid>");
        assertThat(((Number) row.get("subject_length")).intValue()).as("the subject kept whole").isGreaterThan(10_000);
        assertThat((String) row.get("body_plain")).contains("body " + tag);
        UUID again = ingest.store(orgId, List.of(in), db -> { }).items().get(0).messageId();
        assertThat(again).as("fetched again: found, not stored twice").isEqualTo(id);
    }
}
