package com.postroom.outbound;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import com.postroom.mail.EmailAddress;
import com.postroom.mime.MailParser;
import com.postroom.mime.RawMail;
import com.postroom.mime.UnparseableMail;
import com.postroom.problem.Problem;
import com.postroom.store.Messages;

/**
 * A draft's files, kept as soon as they are chosen: stored like a sent message's (a MIME copy holding the files and an
 * attachment row for each), so the draft lists, downloads and sends them, and Undo, autosave and reopening keep them.
 * The copy is written again whole when a file is added or removed; drafts hold a few files, sized for mail.
 */
@Service
public class DraftFiles {

    private final Messages messages;
    private final MailParser parser;

    DraftFiles(Messages messages, MailParser parser) {
        this.messages = messages;
        this.parser = parser;
    }

    /** The draft's files are now these (in this order); none leaves it without a copy or a paperclip. */
    @Transactional
    public void keep(long orgId, UUID draftId, EmailAddress from, List<Attachment> files) {
        if (!messages.isDraft(orgId, draftId)) {
            throw Problem.conflict("This draft was sent or discarded meanwhile; its files cannot change.");
        }
        if (files.isEmpty()) {
            messages.replaceFiles(orgId, draftId, null, null);
            return;
        }
        byte[] mime = MimeComposer.compose(new MimeComposer.Composition(from, List.of(), List.of(from), List.of(), "", "",
                "", files, "<draft-" + draftId + "@postroom.invalid>", null, List.of(), Map.of()));
        RawMail raw = RawMail.of(mime);
        try {
            messages.replaceFiles(orgId, draftId, raw, parser.parse(raw));
        } catch (UnparseableMail e) {
            throw Problem.refused("The files could not be kept with the draft: " + e.getMessage());
        }
    }
}
