package com.postroom.mailbox;

import java.time.OffsetDateTime;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import jakarta.annotation.PreDestroy;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.search.HeaderTerm;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import com.postroom.config.PostroomSettings;
import com.postroom.mail.MailEndpoints;
import com.postroom.mail.MailSessions;
import com.postroom.mail.ReusedStore;
import com.postroom.mail.SpecialFolders;
import com.postroom.store.Messages;
import com.postroom.store.MessageStatus;

/**
 * Keeps a copy of each draft in the mailbox's IMAP Drafts folder (flagged \Draft), so Mailu's webmail and a desktop
 * client see what is being written, and removes it once the draft is sent, discarded or deleted.
 *
 * <p>The web composer saves every few seconds; the copy follows once typing pauses (5 s) or at least once a minute
 * while it goes on, not at every keystroke. Each copy carries {@value #HEADER} with the draft's id, and every write
 * first finds the copies already there by that header and removes them after the new one is appended, so a crash at
 * any point leaves at most a stale copy that the next run replaces, never a growing pile. One instance does the work
 * at a time (a transaction-scoped advisory lock). Off the request path: a slow IMAP server never slows typing.
 */
@Component
class DraftMirror {

    static final String HEADER = "X-Postroom-Draft";
    static final String DEFAULT_FOLDER = "Drafts";
    private static final Logger log = LoggerFactory.getLogger(DraftMirror.class);
    private static final int BATCH = 20;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final MailEndpoints endpoints;
    private final MailSessions sessions;
    private final String folderName;
    private final boolean enabled;
    private final ReusedStore store;
    private String resolvedFolder;
    private int failures;
    private long quietUntil;

    DraftMirror(JdbcClient jdbc, TransactionTemplate tx, MailEndpoints endpoints, MailSessions sessions,
                PostroomSettings settings) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.endpoints = endpoints;
        this.sessions = sessions;
        this.folderName = settings.web().imapDraftsFolder().orElse(null);
        this.enabled = settings.runsBackgroundWork()
                && folderName != null && endpoints.imap().isPresent();
        this.store = endpoints.imap().map(server -> new ReusedStore(sessions, server)).orElse(null);
    }

    record Edited(UUID id, OffsetDateTime updatedAt, String sender, List<String> to, List<String> cc,
                  List<String> bcc, String subject, String body, String html) {
    }

    @Scheduled(fixedDelayString = "PT3S", initialDelayString = "PT3S")
    synchronized void mirror() {
        if (!enabled || System.currentTimeMillis() < quietUntil) {
            return;
        }
        try {
            tx.executeWithoutResult(status -> {
                if (Boolean.TRUE.equals(jdbc.sql("SELECT pg_try_advisory_xact_lock(hashtext('draft-mirror'))")
                        .query(Boolean.class).single())) {
                    work();
                }
            });
            failures = 0;
        } catch (RuntimeException e) {
            closeStore();
            failures++;
            // Backs off to five minutes while the server is away, without a warning every three seconds.
            quietUntil = System.currentTimeMillis() + Math.min(300_000L, 3_000L << Math.min(failures, 7));
            log.warn("Drafts could not be copied to IMAP folder {} (attempt {}): {}", folderName, failures,
                    e.getMessage());
        }
    }

    private void work() {
        List<Edited> edited = jdbc.sql("SELECT m.id, m.updated_at, m.sender, m.recipients, m.cc, m.bcc, m.subject, "
                        + "m.body_plain, m.body_html FROM email_message m LEFT JOIN draft_copy d ON d.message_id = m.id "
                        + "WHERE m.status = " + MessageStatus.DRAFT.sql()
                        + " AND m.deleted_at IS NULL AND m.folder = 'drafts' "
                        + "AND (d.message_id IS NULL OR d.copied_edit < m.updated_at) "
                        + "AND (m.updated_at < now() - interval '5 seconds' OR d.copied_at < now() - interval '1 minute') "
                        + "ORDER BY m.updated_at LIMIT ?")
                .param(BATCH)
                .query((rs, n) -> new Edited(rs.getObject(1, UUID.class), rs.getObject(2, OffsetDateTime.class),
                        rs.getString(3), Messages.list(rs.getArray(4)), Messages.list(rs.getArray(5)),
                        Messages.list(rs.getArray(6)), rs.getString(7), rs.getString(8), rs.getString(9)))
                .list();
        List<UUID> gone = jdbc.sql("SELECT d.message_id FROM draft_copy d LEFT JOIN email_message m "
                        + "ON m.id = d.message_id WHERE m.id IS NULL OR m.status <> " + MessageStatus.DRAFT.sql()
                        + " OR m.folder <> 'drafts' "
                        + "OR m.deleted_at IS NOT NULL LIMIT ?")
                .param(BATCH).query(UUID.class).list();
        if (edited.isEmpty() && gone.isEmpty()) {
            return;
        }
        try {
            Folder folder = store.get().getFolder(folder());
            if (!folder.exists()) {
                folder.create(Folder.HOLDS_MESSAGES);
            }
            folder.open(Folder.READ_WRITE);
            try {
                for (Edited draft : edited) {
                    replace(folder, draft.id(), compose(draft));
                    jdbc.sql("INSERT INTO draft_copy (message_id, copied_at, copied_edit) VALUES (?, now(), ?) "
                                    + "ON CONFLICT (message_id) DO UPDATE SET copied_at = now(), "
                                    + "copied_edit = excluded.copied_edit")
                            .params(draft.id(), draft.updatedAt()).update();
                }
                for (UUID id : gone) {
                    replace(folder, id, null);
                    jdbc.sql("DELETE FROM draft_copy WHERE message_id = ?").param(id).update();
                }
            } finally {
                if (folder.isOpen()) {
                    folder.close(false);
                }
            }
        } catch (MessagingException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * The folder to write to: the configured name, or with the default ("Drafts") the server's own drafts folder
     * (SPECIAL-USE \Drafts, or INBOX.Drafts where folders live under INBOX). Looked up once per connection.
     */
    private String folder() throws MessagingException {
        if (resolvedFolder == null) {
            resolvedFolder = DEFAULT_FOLDER.equals(folderName)
                    ? SpecialFolders.find(store.get(), "\\Drafts", DEFAULT_FOLDER) : folderName;
        }
        return resolvedFolder;
    }

    /** Appends {@code copy} (if any), then removes the copies that were there before. */
    private static void replace(Folder folder, UUID draftId, MimeMessage copy) throws MessagingException {
        Message[] before = folder.search(new HeaderTerm(HEADER, draftId.toString()));
        if (copy != null) {
            folder.appendMessages(new Message[] {copy});
        }
        if (before.length > 0) {
            for (Message m : before) {
                m.setFlag(Flags.Flag.DELETED, true);
            }
            // UID EXPUNGE where the server has UIDPLUS (Dovecot does): only these, never another client's \Deleted.
            ((IMAPFolder) folder).expunge(before);
        }
    }

    private MimeMessage compose(Edited d) throws MessagingException {
        MimeMessage m = new MimeMessage(sessions.imap(endpoints.imap().get()));
        if (d.sender() != null && !d.sender().isBlank()) {
            m.setFrom(new InternetAddress(d.sender()));
        }
        setRecipients(m, Message.RecipientType.TO, d.to());
        setRecipients(m, Message.RecipientType.CC, d.cc());
        setRecipients(m, Message.RecipientType.BCC, d.bcc());
        m.setSubject(d.subject() == null ? "" : d.subject(), "UTF-8");
        String text = d.body() == null ? "" : d.body();
        if (d.html() == null || d.html().isBlank()) {
            m.setText(text, "UTF-8");
        } else {
            jakarta.mail.internet.MimeMultipart alternative = new jakarta.mail.internet.MimeMultipart("alternative");
            jakarta.mail.internet.MimeBodyPart plain = new jakarta.mail.internet.MimeBodyPart();
            plain.setText(text, "UTF-8");
            jakarta.mail.internet.MimeBodyPart rich = new jakarta.mail.internet.MimeBodyPart();
            rich.setText(d.html(), "UTF-8", "html");
            alternative.addBodyPart(plain);
            alternative.addBodyPart(rich);
            m.setContent(alternative);
        }
        m.setSentDate(Date.from(d.updatedAt().toInstant()));
        m.setHeader(HEADER, d.id().toString());
        m.setFlags(new Flags(Flags.Flag.DRAFT), true);
        m.setFlag(Flags.Flag.SEEN, true);
        m.saveChanges();
        String domain = d.sender() == null || !d.sender().contains("@") ? "postroom.invalid"
                : d.sender().substring(d.sender().lastIndexOf('@') + 1).replace(">", "").toLowerCase(Locale.ROOT);
        m.setHeader("Message-ID", "<draft." + d.id() + "." + d.updatedAt().toInstant().toEpochMilli() + "@" + domain + ">");
        return m;
    }

    private static void setRecipients(MimeMessage m, Message.RecipientType type, List<String> addresses)
            throws MessagingException {
        // A draft may hold a half-typed address; the copy keeps the ones that parse rather than failing.
        List<InternetAddress> usable = new java.util.ArrayList<>();
        for (String a : addresses) {
            try {
                usable.addAll(List.of(InternetAddress.parse(a == null ? "" : a, false)));
            } catch (jakarta.mail.internet.AddressException e) {
                log.debug("Draft address not copied: {}", e.getMessage());
            }
        }
        if (!usable.isEmpty()) {
            m.setRecipients(type, usable.toArray(InternetAddress[]::new));
        }
    }

    @PreDestroy
    synchronized void closeStore() {
        if (store != null) {
            store.close();
        }
        resolvedFolder = null;
    }
}
