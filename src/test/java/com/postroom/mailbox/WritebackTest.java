package com.postroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.inbound.ImapWriteback;
import com.postroom.inbound.InboundSync;
import com.postroom.inbound.Mailboxes;
import com.postroom.org.Organizations;
import com.postroom.sandbox.Sandbox;
import com.postroom.support.Api;
import com.postroom.support.ImapClient;
import com.postroom.support.MailboxFixture;
import com.postroom.support.SandboxTest;
import com.postroom.support.TestMail;

/**
 * Changes made in Postroom reach the IMAP server (GreenMail), as a plain IMAP client sees them, and changes made by
 * another client reach Postroom at the next sync.
 */
@SandboxTest
class WritebackTest {

    @LocalServerPort
    int port;
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
    @Autowired
    ImapWriteback writeback;

    Api api;
    MailboxFixture box;

    @BeforeEach
    void setUp() {
        api = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        box = new MailboxFixture(sandbox.server().orElseThrow().greenMail(), mailboxes, inbound, jdbc,
                organizations.primary().orElseThrow().id());
    }

    @Test
    void flagsAndMovesMadeInPostroomAreWrittenToTheServer() {
        TestMail first = TestMail.message().subject("First");
        TestMail second = TestMail.message().subject("Second");
        List<UUID> ids = box.deliver(first, second);
        change("read", ids.get(0));
        change("star", ids.get(1));
        awaitServer(() -> flagsOnServer("INBOX", first).contains("\\Seen")
                && flagsOnServer("INBOX", second).contains("\\Flagged"));
        assertThat(flagsOnServer("INBOX", first)).doesNotContain("\\Flagged");

        change("unread", ids.get(0));
        awaitServer(() -> !flagsOnServer("INBOX", first).contains("\\Seen"));

        change("trash", ids.get(0));
        awaitServer(() -> subjects("Trash").contains("First") && !subjects("INBOX").contains("First"));
        assertThat(jdbc.sql("SELECT folder FROM message_location WHERE message_id = ?").param(ids.get(0))
                .query(String.class).single()).as("Postroom follows the message to its new place").isEqualTo("Trash");

        change("restore", ids.get(0));
        awaitServer(() -> subjects("INBOX").contains("First") && !subjects("Trash").contains("First"));
        change("archive", ids.get(1));
        awaitServer(() -> subjects("Archive").contains("Second"));
        change("spam", ids.get(0));
        awaitServer(() -> subjects("Junk").contains("First"));

        box.sync();
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE message_id IN (?, ?)")
                .params(first.messageId(), second.messageId()).query(Long.class).single())
                .as("moving back and forth stores nothing twice").isEqualTo(2);
        assertThat(jdbc.sql("SELECT folder FROM email_message WHERE id = ?").param(ids.get(0)).query(String.class)
                .single()).isEqualTo("spam");
    }

    @Test
    void changesByAnotherClientShowUpAtTheNextSync() throws Exception {
        TestMail kept = TestMail.message().subject("Kept");
        TestMail moved = TestMail.message().subject("Moved away");
        TestMail deleted = TestMail.message().subject("Deleted in webmail");
        TestMail junk = TestMail.message().subject("Marked as spam in webmail");
        List<UUID> ids = box.deliver(kept, moved, deleted, junk);
        try (ImapClient c = box.client()) {
            IMAPFolder inbox = c.folder("INBOX");
            inbox.open(Folder.READ_WRITE);
            for (Message m : inbox.getMessages()) {
                switch (m.getSubject()) {
                    case "Kept" -> {
                        m.setFlags(new Flags(Flags.Flag.FLAGGED), true);
                        m.setFlags(new Flags(Flags.Flag.SEEN), true);
                    }
                    case "Moved away" -> inbox.moveMessages(new Message[] {m}, c.folder("Elsewhere"));
                    case "Deleted in webmail" -> inbox.moveMessages(new Message[] {m}, c.folder("Trash"));
                    default -> inbox.moveMessages(new Message[] {m}, c.folder("Junk"));
                }
            }
            inbox.close(true);
        }
        box.sync();
        assertThat(jdbc.sql("SELECT seen AND flagged FROM email_message WHERE id = ?").param(ids.get(0))
                .query(Boolean.class).single()).isTrue();
        assertThat(jdbc.sql("SELECT folder FROM email_message WHERE id = ?").param(ids.get(1)).query(String.class)
                .single()).as("gone from INBOX to no known place means archived").isEqualTo("archive");
        assertThat(jdbc.sql("SELECT count(*) FROM message_location WHERE message_id = ?").param(ids.get(1))
                .query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT folder FROM email_message WHERE id = ?").param(ids.get(2)).query(String.class)
                .single()).as("deleted elsewhere is in Trash here too").isEqualTo("trash");
        assertThat(jdbc.sql("SELECT folder || ' ' || spam FROM email_message WHERE id = ?").param(ids.get(3))
                .query(String.class).single()).isEqualTo("spam true");

        // The copies in Trash and Junk are followed: restoring in Postroom moves them back on the server.
        assertThat(jdbc.sql("SELECT folder FROM message_location WHERE message_id = ?").param(ids.get(2))
                .query(String.class).single()).isEqualTo("Trash");
        change("restore", ids.get(2));
        change("not_spam", ids.get(3));
        awaitServer(() -> subjects("INBOX").containsAll(List.of("Deleted in webmail", "Marked as spam in webmail")));
        assertThat(subjects("Trash")).doesNotContain("Deleted in webmail");
        box.sync();
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE folder = 'inbox' AND id IN (?, ?)")
                .params(ids.get(2), ids.get(3)).query(Long.class).single()).isEqualTo(2);
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE message_id IN (?, ?)")
                .params(deleted.messageId(), junk.messageId()).query(Long.class).single())
                .as("nothing stored twice").isEqualTo(2);
    }

    private void change(String action, UUID id) {
        Api.Response r = api.post("/api/mail/changes", Map.of("action", action, "message_ids", List.of(id)));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
    }

    private void awaitServer(java.util.function.BooleanSupplier condition) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            writeback.runOnce();
            return condition.getAsBoolean();
        });
    }

    private List<String> flagsOnServer(String folder, TestMail mail) {
        try (ImapClient c = box.client()) {
            IMAPFolder f = c.folder(folder);
            f.open(Folder.READ_ONLY);
            try {
                for (Message m : f.getMessages()) {
                    String[] ids = m.getHeader("Message-ID");
                    if (ids != null && ids[0].equals(mail.messageId())) {
                        List<String> out = new ArrayList<>();
                        Flags flags = m.getFlags();
                        for (Flags.Flag flag : flags.getSystemFlags()) {
                            out.add(flag == Flags.Flag.SEEN ? "\\Seen" : flag == Flags.Flag.FLAGGED ? "\\Flagged"
                                    : flag.toString());
                        }
                        return out;
                    }
                }
                return List.of();
            } finally {
                f.close(false);
            }
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> subjects(String folder) {
        try (ImapClient c = box.client()) {
            IMAPFolder f = c.folder(folder);
            f.open(Folder.READ_ONLY);
            try {
                List<String> out = new ArrayList<>();
                for (Message m : f.getMessages()) {
                    if (!m.isSet(Flags.Flag.DELETED)) {
                        out.add(m.getSubject());
                    }
                }
                return out;
            } finally {
                f.close(false);
            }
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
