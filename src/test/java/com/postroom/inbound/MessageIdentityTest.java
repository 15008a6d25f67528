package com.postroom.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.icegreen.greenmail.util.GreenMail;
import com.postroom.mime.ContentKey;
import com.postroom.mime.HeaderBlock;
import com.postroom.mime.RawMail;
import com.postroom.org.Organizations;
import com.postroom.sandbox.Sandbox;
import com.postroom.support.MailboxFixture;
import com.postroom.support.SandboxTest;
import com.postroom.support.TestMail;

/**
 * A message's identity is what its author wrote: two messages that differ only in who was copied are two messages,
 * while the same message delivered twice, to two synced mailboxes, or seen again after an upgrade is one.
 */
@SandboxTest
class MessageIdentityTest {

    @Autowired
    Sandbox sandbox;
    @Autowired
    Mailboxes mailboxes;
    @Autowired
    InboundSync inbound;
    @Autowired
    Organizations organizations;
    @Autowired
    JdbcClient jdbc;

    GreenMail greenMail;
    long orgId;

    @BeforeEach
    void setUp() {
        greenMail = sandbox.server().orElseThrow().greenMail();
        orgId = organizations.primary().orElseThrow().id();
    }

    private MailboxFixture fixture() {
        return new MailboxFixture(greenMail, mailboxes, inbound, jdbc, orgId);
    }

    private long rowsWith(String messageId) {
        return jdbc.sql("SELECT count(*) FROM email_message WHERE message_id = ?").param(messageId)
                .query(Long.class).single();
    }

    private static byte[] headers(TestMail mail) {
        String text = new String(mail.bytes(), java.nio.charset.StandardCharsets.UTF_8);
        return text.substring(0, text.indexOf("\r\n\r\n") + 2).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void twoMessagesThatDifferOnlyInCcAreBothKeptEachWithItsCc() {
        String id = "<same." + UUID.randomUUID() + "@example.org>";
        TestMail first = TestMail.message().messageId(id).cc("carol@example.org");
        TestMail second = TestMail.message().messageId(id).cc("dave@example.org");

        fixture().deliver(first, second);

        assertThat(rowsWith(id)).isEqualTo(2);
        assertThat(jdbc.sql("SELECT cc[1] FROM email_message WHERE message_id = ? ORDER BY cc[1]").param(id)
                .query(String.class).list()).containsExactly("carol@example.org", "dave@example.org");
    }

    @Test
    void theSameMessageDeliveredTwiceAndToTwoSyncedMailboxesIsStoredOnce() {
        TestMail mail = TestMail.message().cc("carol@example.org").header("Reply-To: billing@example.org");
        MailboxFixture one = fixture();
        MailboxFixture two = fixture();

        one.deliver(mail, mail);
        two.deliver(mail);

        assertThat(rowsWith(mail.messageId())).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM message_location WHERE mailbox_id IN (?, ?)")
                .params(one.mailbox.id(), two.mailbox.id()).query(Long.class).single()).isEqualTo(3);
    }

    @Test
    void aMessageStoredUnderTheKeyWithoutCcIsFoundAgainNotStoredTwice() {
        TestMail mail = TestMail.message().cc("carol@example.org");
        MailboxFixture one = fixture();
        UUID stored = one.deliver(mail).get(0);
        RawMail raw = RawMail.of(mail.bytes());
        String legacy = ContentKey.legacy(raw, HeaderBlock.parse(headers(mail))).orElseThrow();
        // As a row stored before Cc was part of a message's identity has it.
        jdbc.sql("UPDATE email_message SET content_key = ? WHERE id = ?").params(legacy, stored).update();

        MailboxFixture two = fixture();
        List<UUID> again = two.deliver(mail);

        assertThat(again).containsExactly(stored);
        assertThat(rowsWith(mail.messageId())).isEqualTo(1);
    }
}
