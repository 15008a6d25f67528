package com.postroom.outbound;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.UUID;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.search.MessageIDTerm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import com.postroom.cluster.Instance;
import com.postroom.config.PostroomSettings;
import com.postroom.mail.MailEndpoints;
import com.postroom.mail.MailSessions;
import com.postroom.mail.ReusedStore;
import com.postroom.mail.SpecialFolders;

import jakarta.annotation.PreDestroy;

/**
 * Appends a copy of each sent message to the mailbox's Sent folder (IMAP APPEND, RFC 3501 §6.3.11, flagged \Seen),
 * so Mailu's webmail and other clients show what Postroom sent. Off the delivery path: a slow IMAP server never
 * delays sending. A retried copy first searches the folder for the Message-ID, so a crash between APPEND and the
 * database update does not leave two copies.
 */
@Component
class SentCopier {

    private static final Logger log = LoggerFactory.getLogger(SentCopier.class);
    static final int BATCH = 20;
    static final int MAX_TRIES = 10;

    private final JdbcClient jdbc;
    private final Outbox outbox;
    private final MailEndpoints endpoints;
    private final MailSessions sessions;
    private final Instance instance;
    private final String folderName;
    private final boolean enabled;
    private final ReusedStore store;
    private String resolvedFolder;

    SentCopier(JdbcClient jdbc, Outbox outbox, MailEndpoints endpoints, MailSessions sessions, Instance instance,
               PostroomSettings settings) {
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.endpoints = endpoints;
        this.sessions = sessions;
        this.instance = instance;
        this.folderName = settings.imapSentFolder().orElse(null);
        this.enabled = settings.runsBackgroundWork()
                && folderName != null && endpoints.imap().isPresent();
        this.store = endpoints.imap().map(server -> new ReusedStore(sessions, server)).orElse(null);
    }

    record Pending(UUID messageId, int tries) {
    }

    /**
     * Copies never tried, in the order they were sent, then copies whose lease ran out: two arms, each read through
     * its own index (migration 47), so that while the IMAP server is down a claim does not read every copy waiting
     * for its next try. The lease is also when a failed try is tried again: 2 minutes after the first, doubling to an
     * hour, so the {@link #MAX_TRIES} span about five hours of an IMAP outage (at two minutes apart they spanned 20
     * minutes, and the copies of the mail sent meanwhile never reached the Sent folder).
     */
    static final String CLAIM = "UPDATE outbox o SET claimed_by = ?, "
            + "lease_until = now() + LEAST(interval '1 hour', interval '2 minutes' * power(2, o.sent_copy_tries)), "
            + "sent_copy_tries = o.sent_copy_tries + 1 FROM ("
            + "SELECT message_id FROM (SELECT message_id FROM outbox WHERE sent_copy = 'pending' AND lease_until IS NULL "
            + "ORDER BY created_at LIMIT " + BATCH + " FOR UPDATE SKIP LOCKED) fresh "
            + "UNION ALL SELECT message_id FROM (SELECT message_id FROM outbox WHERE sent_copy = 'pending' AND "
            + "lease_until < now() ORDER BY lease_until LIMIT " + BATCH + " FOR UPDATE SKIP LOCKED) again "
            + "LIMIT " + BATCH + ") d WHERE o.message_id = d.message_id "
            + "RETURNING o.message_id AS messageId, o.sent_copy_tries AS tries";

    @Scheduled(fixedDelayString = "PT2S", initialDelayString = "PT2S")
    synchronized void copyPending() {
        if (!enabled) {
            return;
        }
        List<Pending> batch = jdbc.sql(CLAIM).params(instance.id()).query(Pending.class).list();
        for (Pending p : batch) {
            try {
                copy(p);
                mark(p.messageId(), "done");
            } catch (MessagingException | RuntimeException e) {
                closeStore();
                log.warn("Copy of {} to IMAP folder {} failed (try {}): {}", p.messageId(), folderName, p.tries(),
                        e.getMessage());
                if (p.tries() >= MAX_TRIES) {
                    mark(p.messageId(), "failed");
                }
            }
        }
    }

    private void copy(Pending p) throws MessagingException {
        byte[] mime = outbox.mime(p.messageId()).orElseThrow();
        Session session = sessions.imap(endpoints.imap().get());
        MimeMessage message = new MimeMessage(session, new ByteArrayInputStream(mime));
        Folder folder = store.get().getFolder(folder());
        if (!folder.exists()) {
            folder.create(Folder.HOLDS_MESSAGES);
        }
        if (p.tries() > 1 && alreadyThere(folder, message.getMessageID())) {
            return;
        }
        message.setFlag(Flags.Flag.SEEN, true);
        folder.appendMessages(new Message[] {message});
    }

    /**
     * The configured folder, or with the default ("Sent") the server's own sent folder (SPECIAL-USE \Sent, or
     * INBOX.Sent where folders live under INBOX). Looked up once per connection.
     */
    private String folder() throws MessagingException {
        if (resolvedFolder == null) {
            resolvedFolder = "Sent".equals(folderName) ? SpecialFolders.find(store.get(), "\\Sent", "Sent")
                    : folderName;
        }
        return resolvedFolder;
    }

    private static boolean alreadyThere(Folder folder, String messageId) throws MessagingException {
        if (messageId == null) {
            return false;
        }
        folder.open(Folder.READ_ONLY);
        try {
            return folder.search(new MessageIDTerm(messageId)).length > 0;
        } finally {
            folder.close(false);
        }
    }

    private void mark(UUID messageId, String state) {
        jdbc.sql("UPDATE outbox SET sent_copy = ?, claimed_by = NULL, lease_until = NULL WHERE message_id = ?")
                .params(state, messageId).update();
    }

    @PreDestroy
    synchronized void closeStore() {
        if (store != null) {
            store.close();
        }
        resolvedFolder = null;
    }
}
