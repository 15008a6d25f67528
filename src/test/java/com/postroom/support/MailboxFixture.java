package com.postroom.support;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;

import com.icegreen.greenmail.util.GreenMail;
import com.postroom.mail.Secret;
import com.postroom.inbound.InboundSync;
import com.postroom.inbound.Mailbox;
import com.postroom.inbound.Mailboxes;
import com.postroom.mail.MailServer;
import com.postroom.mail.TlsMode;

/**
 * A fresh synced mailbox on the sandbox's GreenMail for one test: mail is APPENDed over IMAP and synced on demand, so
 * tests read what the real ingest path stored.
 */
public final class MailboxFixture {

    public static final String PASSWORD = "fixture-password";
    private static final Random RANDOM = new Random();

    private final GreenMail greenMail;
    private final Mailboxes mailboxes;
    private final InboundSync inbound;
    private final JdbcClient jdbc;
    public final Mailbox mailbox;
    public final String user;

    public MailboxFixture(GreenMail greenMail, Mailboxes mailboxes, InboundSync inbound, JdbcClient jdbc, long orgId) {
        this.greenMail = greenMail;
        this.mailboxes = mailboxes;
        this.inbound = inbound;
        this.jdbc = jdbc;
        this.user = "fixture-" + UUID.randomUUID().toString().substring(0, 8) + "@postroom.test";
        greenMail.setUser(user, user, PASSWORD);
        MailServer server = new MailServer("127.0.0.1", greenMail.getImap().getPort(), TlsMode.NONE,
                Optional.of(user), Optional.of(Secret.of(PASSWORD)), Duration.ofSeconds(5), Duration.ofSeconds(10));
        long id = mailboxes.add(orgId, server, List.of("INBOX"));
        this.mailbox = mailboxes.find(orgId, id).orElseThrow();
    }

    public ImapClient client() {
        return ImapClient.plain(greenMail.getImap().getPort(), user, PASSWORD);
    }

    /** APPENDs the messages to INBOX and syncs; returns their ids in Postroom, in order. */
    public List<UUID> deliver(TestMail... mails) {
        try (ImapClient c = client()) {
            for (TestMail m : mails) {
                c.append("INBOX", m.bytes());
            }
        }
        sync();
        return java.util.Arrays.stream(mails).map(this::idOf).toList();
    }

    public InboundSync.MailboxCounts sync() {
        InboundSync.MailboxCounts counts = inbound.syncMailbox(mailbox);
        if (counts.error() != null) {
            throw new IllegalStateException("sync failed: " + counts.error());
        }
        return counts;
    }

    public UUID idOf(TestMail mail) {
        return jdbc.sql("SELECT id FROM email_message WHERE message_id = ? ORDER BY created_at LIMIT 1")
                .param(mail.messageId()).query(UUID.class).single();
    }

    public UUID threadOf(UUID messageId) {
        return jdbc.sql("SELECT thread_id FROM email_message WHERE id = ?").param(messageId).query(UUID.class).single();
    }

    /** A made-up word no other test uses, so that searches find only this test's mail. */
    public static String word() {
        StringBuilder w = new StringBuilder("zq");
        for (int i = 0; i < 8; i++) {
            w.append((char) ('a' + RANDOM.nextInt(26)));
        }
        return w.toString();
    }
}
