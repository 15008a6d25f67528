package com.postroom.mailbox;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.org.Caller;

/** An attached message read in place ({@link AttachedMessages}), as JSON for API clients. */
@RestController
class AttachedMessageApi {

    private final AttachedMessages attached;

    AttachedMessageApi(AttachedMessages attached) {
        this.attached = attached;
    }

    /** The attached message's headers, text, sanitised HTML and files (each with the URL it downloads from). */
    @GetMapping({"/api/mail/attachments/{id}/message", "/api/email/attachments/{id}/message"})
    Map<String, Object> json(@PathVariable UUID id, @RequestParam(defaultValue = "false") boolean images)
            throws IOException {
        AttachedMessages.View m = attached.open(Caller.current(), id, images);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("attachment_id", m.attachmentId());
        out.put("message_id", m.containerId());
        out.put("from", m.from());
        out.put("from_name", m.fromName());
        out.put("to", m.to());
        out.put("cc", m.cc());
        out.put("date", m.date());
        out.put("subject", m.subject());
        out.put("body_plain", m.plainText());
        out.put("body_html", m.html());
        out.put("remote_content_blocked", m.remoteContentBlocked());
        out.put("attachments", m.files().stream().map(f -> {
            Map<String, Object> file = new LinkedHashMap<>();
            file.put("filename", f.filename());
            file.put("content_type", f.contentType());
            file.put("size_bytes", f.size());
            file.put("url", "/api/mail/attachments/" + m.attachmentId() + "/message/files/" + f.path());
            return file;
        }).toList());
        return out;
    }
}
