package com.postroom.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import com.postroom.mail.Identities;
import com.postroom.support.SandboxTest;

/**
 * A large group (a Postmark batch, say) through the sending core: every draft is answered in its own place, refusals
 * from the checks, the suppression list and the size limit among them; each accepted message is stored once with its
 * own MIME and files; and the group is one transaction: a row that fails to write late in the group leaves nothing.
 */
@SandboxTest
class SendingCoreGroupTest {

    /** More drafts than the driver puts in one multi-row INSERT (200). */
    static final int MANY = 317;

    @Autowired
    SendingCore core;
    @Autowired
    Outbox outbox;
    @Autowired
    Suppressions suppressions;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    com.postroom.org.Organizations organizations;

    long org;
    String run;

    @BeforeEach
    void setUp() {
        org = organizations.primary().orElseThrow().id();
        run = UUID.randomUUID().toString().substring(0, 8);
    }

    /** Held until tomorrow so that no delivery runs beside the test; taken back afterwards. */
    @AfterEach
    void cancel() {
        jdbc.sql("SELECT id FROM email_message WHERE subject LIKE ?").param("Group " + run + "%").query(UUID.class)
                .list().forEach(id -> outbox.cancel(org, id));
    }

    private OutboundDraft.Builder draft(int i, String to) {
        return OutboundDraft.builder(org, Identities.Flow.NOREPLY).to(List.of(to)).subject("Group " + run + " " + i)
                .text("Message " + i + " of run " + run + ".").sentCopy(false)
                .notBefore(Instant.now().plus(Duration.ofDays(1)));
    }

    @Test
    void everyDraftOfALargeGroupIsAnsweredInItsPlaceAndStoredOnceWithItsOwnMime() {
        String inactive = "gone-" + run + "@example.test";
        suppressions.add(org, inactive, "hard bounce 5.1.1", "dsn");
        int count = MANY;
        int tooLarge = 103; // refused by the size limit once composed
        List<OutboundDraft> drafts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            OutboundDraft.Builder b;
            if (i % 41 == 5) {
                b = draft(i, "not an address"); // refused by the checks, before anything is composed
            } else if (i % 59 == 7) {
                b = draft(i, inactive);
            } else {
                b = draft(i, "reader-" + i + "@example.test");
            }
            if (i == tooLarge) {
                b.attach(Attachment.file("scan.pdf", "application/pdf", new byte[11 * 1024 * 1024]));
            } else if (i % 13 == 0) {
                b.attach(Attachment.file("sheet-" + i + ".txt", "text/plain",
                        ("sheet " + i).getBytes(StandardCharsets.UTF_8)));
            }
            drafts.add(b.build());
        }

        List<SendingCore.Outcome> outcomes = tx.execute(s -> core.queueAll(drafts));

        assertThat(outcomes).hasSize(count);
        int accepted = 0;
        for (int i = 0; i < count; i++) {
            SendingCore.Outcome o = outcomes.get(i);
            boolean refused = i % 41 == 5 || i % 59 == 7 || i == tooLarge;
            assertThat(o.refusal() != null).as("draft %d refused", i).isEqualTo(refused);
            if (refused) {
                continue;
            }
            accepted++;
            String subject = "Group " + run + " " + i;
            assertThat(o.queued().message().subject()).isEqualTo(subject);
            assertThat(jdbc.sql("SELECT subject FROM email_message WHERE id = ?").param(o.messageId())
                    .query(String.class).single()).isEqualTo(subject);
            String mime = new String(jdbc.sql("SELECT mime FROM outbox WHERE message_id = ?").param(o.messageId())
                    .query(byte[].class).single(), StandardCharsets.UTF_8);
            assertThat(mime).contains("Subject: " + subject + "\r\n").contains("To: reader-" + i + "@example.test");
            if (i % 13 == 0) {
                assertThat(jdbc.sql("SELECT has_attachments FROM email_message WHERE id = ?").param(o.messageId())
                        .query(Boolean.class).single()).as("files of draft %d", i).isTrue();
                assertThat(mime).contains("filename=sheet-" + i + ".txt");
            }
        }
        assertThat(outcomes.get(tooLarge).refusal().getMessage()).contains("MB");
        assertThat(outcomes.get(7).suppressed()).isNotEmpty();
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE subject LIKE ?").param("Group " + run + " %")
                .query(Long.class).single()).isEqualTo(accepted);
        assertThat(jdbc.sql("SELECT count(*) FROM outbox o JOIN email_message m ON m.id = o.message_id "
                + "WHERE m.subject LIKE ?").param("Group " + run + " %").query(Long.class).single())
                .isEqualTo(accepted);
    }

    @Test
    void aRowThatFailsToWriteLateInTheGroupLeavesNothingOfIt() {
        int count = MANY;
        List<OutboundDraft> drafts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            OutboundDraft.Builder b = draft(i, "reader-" + i + "@example.test");
            if (i == MANY - 5) {
                b.createdBy(Long.MAX_VALUE); // no such user: its INSERT breaks a foreign key
            }
            drafts.add(b.build());
        }

        assertThatThrownBy(() -> tx.execute(s -> core.queueAll(drafts)))
                .isInstanceOf(org.springframework.dao.DataIntegrityViolationException.class);

        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE subject LIKE ?").param("Group " + run + " %")
                .query(Long.class).single()).isZero();
    }

    @Test
    void aNulCharacterIsRefusedWhereverItIsNotStoredOrSent() {
        // RFC 5322 has no NUL in a message, and PostgreSQL's text cannot hold one: the INSERT failed (an error 500).
        List<OutboundDraft> drafts = List.of(
                draft(0, "reader-0@example.test").text("Balance\u0000 due").build(),
                draft(1, "reader-1@example.test").html("<p>Balance\u0000</p>").build(),
                draft(2, "reader-2@example.test").subject("Statement\u0000").build(),
                draft(3, "reader-3@example.test").attach(Attachment.file("a\u0000.pdf", "application/pdf",
                        new byte[] {1})).build(),
                draft(4, "reader-4@example.test").build());

        List<SendingCore.Outcome> outcomes = tx.execute(s -> core.queueAll(drafts));

        for (int i = 0; i < 4; i++) {
            assertThat(outcomes.get(i).refusal()).as("draft %d", i).isNotNull();
            assertThat(outcomes.get(i).refusal().getMessage()).contains("NUL");
        }
        assertThat(outcomes.get(4).refusal()).isNull();
    }
}
