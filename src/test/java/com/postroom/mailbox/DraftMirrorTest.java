package com.postroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.mail.MailEndpoints;
import com.postroom.mail.MailSessions;
import com.postroom.org.Organizations;
import com.postroom.store.Messages;
import com.postroom.store.Threads;
import com.postroom.support.SandboxTest;

/**
 * Drafts mirrored to the sandbox mailbox's IMAP Drafts folder: one copy per draft, replaced as it is edited, gone once
 * it is sent or discarded, and never two after a crash between appending the new copy and removing the old.
 */
@SandboxTest
class DraftMirrorTest {

    @Autowired
    DraftMirror mirror;
    @Autowired
    Messages messages;
    @Autowired
    Organizations organizations;
    @Autowired
    MailEndpoints endpoints;
    @Autowired
    MailSessions sessions;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    Threads threads;

    private Messages.Draft draft(String subject, String body) {
        long org = organizations.primary().orElseThrow().id();
        return new Messages.Draft(org, null, threads.create(org, subject).id(), "founder@postroom.test", List.of("dana@example.org"),
                List.of("half-typed@"), List.of("audit@example.org"), subject, body);
    }

    /** As if the composer stopped typing a while ago, so the mirror copies now. */
    private void settle(UUID id) {
        jdbc.sql("UPDATE email_message SET updated_at = updated_at - interval '10 seconds' WHERE id = ?").param(id)
                .update();
        mirror.mirror();
    }

    private List<MimeMessage> copies(UUID id) throws MessagingException {
        try (Store store = sessions.connectImap(endpoints.imap().orElseThrow())) {
            Folder folder = store.getFolder("Drafts");
            if (!folder.exists()) {
                return List.of();
            }
            folder.open(Folder.READ_ONLY);
            List<MimeMessage> out = new java.util.ArrayList<>();
            for (Message m : folder.getMessages()) {
                if (m.isSet(Flags.Flag.DELETED)) {
                    continue;
                }
                String[] header = m.getHeader(DraftMirror.HEADER);
                if (header != null && Arrays.asList(header).contains(id.toString())) {
                    MimeMessage copy = new MimeMessage((MimeMessage) m);
                    copy.setFlags(m.getFlags(), true);
                    out.add(copy);
                }
            }
            folder.close(false);
            return out;
        }
    }

    @Test
    void aDraftHasOneCopyThatFollowsItsEditsAndLeavesWhenItIsSent() throws Exception {
        UUID id = messages.insertDraft(draft("Shift plan", "first words"));
        mirror.mirror();
        assertThat(copies(id)).as("not while the composer is still typing").isEmpty();

        settle(id);
        List<MimeMessage> first = copies(id);
        assertThat(first).hasSize(1);
        assertThat(first.get(0).getSubject()).isEqualTo("Shift plan");
        assertThat(first.get(0).getFlags().contains(Flags.Flag.DRAFT)).isTrue();
        assertThat(first.get(0).getHeader("Bcc", ",")).contains("audit@example.org");
        assertThat(first.get(0).getContent().toString()).contains("first words");

        mirror.mirror();
        assertThat(copies(id)).as("nothing new to copy").hasSize(1);

        Messages.Draft formatted = draft("Shift plan, week 48", "more words");
        assertThat(messages.updateDraft(id, new Messages.Draft(formatted.orgId(), null, formatted.threadId(),
                formatted.sender(), formatted.to(), formatted.cc(), formatted.bcc(), formatted.subject(),
                formatted.body(), "<p>more <b>words</b></p>"))).isTrue();
        settle(id);
        List<MimeMessage> second = copies(id);
        assertThat(second).hasSize(1);
        assertThat(second.get(0).getSubject()).isEqualTo("Shift plan, week 48");
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        second.get(0).writeTo(raw);
        assertThat(raw.toString()).contains("multipart/alternative").contains("<b>words</b>");

        messages.discardDraft(organizations.primary().orElseThrow().id(), id);
        mirror.mirror();
        assertThat(copies(id)).isEmpty();
        assertThat(jdbc.sql("SELECT count(*) FROM draft_copy WHERE message_id = ?").param(id).query(Long.class)
                .single()).isZero();
    }

    @Test
    void aCrashBetweenAppendAndCleanupLeavesOneCopyAfterTheNextRun() throws Exception {
        UUID id = messages.insertDraft(draft("Crash draft", "text"));
        settle(id);
        assertThat(copies(id)).hasSize(1);
        // The crash: the new copy was appended but neither was the old one removed nor the edit recorded.
        try (Store store = sessions.connectImap(endpoints.imap().orElseThrow())) {
            Folder folder = store.getFolder("Drafts");
            MimeMessage stale = new MimeMessage(sessions.imap(endpoints.imap().orElseThrow()));
            stale.setSubject("Crash draft (stale)");
            stale.setText("stale");
            stale.setHeader(DraftMirror.HEADER, id.toString());
            folder.appendMessages(new Message[] {stale});
        }
        assertThat(copies(id)).hasSize(2);
        assertThat(messages.updateDraft(id, draft("Crash draft, edited", "text"))).isTrue();
        settle(id);
        List<MimeMessage> left = copies(id);
        assertThat(left).hasSize(1);
        assertThat(left.get(0).getSubject()).isEqualTo("Crash draft, edited");
    }
}
