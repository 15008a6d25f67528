package com.postroom.mailbox;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.multipart.MultipartFile;

import com.postroom.api.ApiException;
import com.postroom.config.PostroomSettings;
import com.postroom.mail.EmailAddress;
import com.postroom.org.Caller;
import com.postroom.outbound.Attachment;
import com.postroom.outbound.DraftFiles;
import com.postroom.problem.Problem;
import com.postroom.store.Messages;
import com.postroom.store.StoredMessage;
import com.postroom.web.WebPage;

/**
 * The composer's files belong to the draft as soon as they are chosen: each choice is uploaded at once (with
 * progress) and kept with the draft, so autosave, Close, Undo and reopening the draft all keep them, and Send takes
 * them from the draft. Removing one (unticking it) removes it from the draft. Answers the draft's files as JSON, or
 * {@code {"error": sentence}} with the status.
 */
@WebPage
class DraftAttachments {

    /** A file of the draft, as the composer lists it. */
    record DraftFile(UUID id, String name, String type, long size) {
    }

    private final Messages messages;
    private final StoredAttachments attachments;
    private final DraftFiles draftFiles;
    private final long maxFileBytes;

    DraftAttachments(Messages messages, StoredAttachments attachments, DraftFiles draftFiles,
                     PostroomSettings settings) {
        this.messages = messages;
        this.attachments = attachments;
        this.draftFiles = draftFiles;
        this.maxFileBytes = ComposePage.maxFileBytes(settings);
    }

    @PostMapping(value = "/mail/drafts/{id}/files", produces = "application/json")
    @ResponseBody
    List<DraftFile> add(@PathVariable UUID id, @RequestParam(name = "files", required = false) List<MultipartFile> files) {
        Caller caller = Caller.current();
        StoredMessage draft = draft(caller, id);
        List<Attachment> all = current(caller, id);
        long total = all.stream().mapToLong(a -> a.content().length).sum();
        for (MultipartFile f : files == null ? List.<MultipartFile>of() : files) {
            if (f.isEmpty()) {
                continue;
            }
            total += f.getSize();
            if (total > maxFileBytes) {
                throw new Problem(Problem.Kind.TOO_LARGE, String.format("With %s the files come to %.1f MB; mail can "
                        + "carry at most %.1f MB of attachments. Leave some out, or share large ones another way.",
                        AttachmentNames.orDefault(f.getOriginalFilename(), f.getContentType(), id),
                        total / 1048576.0, maxFileBytes / 1048576.0));
            }
            try {
                all.add(Attachment.file(Optional.ofNullable(f.getOriginalFilename()).filter(n -> !n.isBlank())
                        .orElse("attachment"), Optional.ofNullable(f.getContentType())
                        .orElse("application/octet-stream"), f.getBytes()));
            } catch (IOException e) {
                throw Problem.badInput("The file " + f.getOriginalFilename() + " could not be read; choose it again.");
            }
        }
        draftFiles.keep(caller.orgId(), id, sender(draft), all);
        return listed(caller, id);
    }

    @PostMapping(value = "/mail/drafts/{id}/files/{file}/remove", produces = "application/json")
    @ResponseBody
    List<DraftFile> remove(@PathVariable UUID id, @PathVariable UUID file) {
        Caller caller = Caller.current();
        StoredMessage draft = draft(caller, id);
        List<StoredAttachments.Row> rows = attachments.ofMessage(caller.orgId(), id);
        List<Attachment> kept = new ArrayList<>();
        for (StoredAttachments.Row r : rows) {
            if (!r.id().equals(file)) {
                kept.add(bytesOf(r));
            }
        }
        if (kept.size() != rows.size()) {
            draftFiles.keep(caller.orgId(), id, sender(draft), kept);
        }
        return listed(caller, id);
    }

    @ExceptionHandler(Problem.class)
    ResponseEntity<Map<String, String>> refused(Problem e) {
        return ResponseEntity.status(ApiException.statusOf(e)).body(Map.of("error", e.getMessage()));
    }

    private StoredMessage draft(Caller caller, UUID id) {
        StoredMessage m = messages.find(caller.orgId(), id).orElseThrow(() -> Problem.notFound("Draft not found"));
        if (!messages.isDraft(caller.orgId(), id)) {
            throw Problem.conflict("This draft was sent or discarded meanwhile; its files cannot change.");
        }
        return m;
    }

    private List<Attachment> current(Caller caller, UUID id) {
        List<Attachment> out = new ArrayList<>();
        attachments.ofMessage(caller.orgId(), id).forEach(r -> out.add(bytesOf(r)));
        return out;
    }

    private Attachment bytesOf(StoredAttachments.Row r) {
        try {
            return Attachment.file(Optional.ofNullable(r.filename()).filter(n -> !n.isBlank()).orElse("attachment"),
                    r.type().isEmpty() ? "application/octet-stream" : r.type(), attachments.bytes(r));
        } catch (IOException e) {
            throw Problem.refused("A file of the draft could not be read; remove it and choose it again.");
        }
    }

    private static EmailAddress sender(StoredMessage draft) {
        try {
            return EmailAddress.parse(draft.sender());
        } catch (RuntimeException e) {
            return EmailAddress.parse("draft@postroom.invalid");
        }
    }

    private List<DraftFile> listed(Caller caller, UUID id) {
        return attachments.ofMessage(caller.orgId(), id).stream()
                .map(r -> new DraftFile(r.id(), AttachmentNames.orDefault(r.filename(), r.type(), r.id()), r.type(),
                        r.sizeBytes())).toList();
    }
}
