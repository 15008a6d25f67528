package com.postroom.mailbox;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.inbound.Attachments;
import com.postroom.org.Caller;
import com.postroom.web.ApiException;

/** ORIGINAL-API.md's message reads: the list (newest first, paged) and a message's attachments. */
@RestController
class MessageController {

    private final Messages messages;
    private final Attachments attachments;

    MessageController(Messages messages, Attachments attachments) {
        this.messages = messages;
        this.attachments = attachments;
    }

    @GetMapping("/api/email/messages")
    List<MessageView> list(@RequestParam(name = "thread_id", required = false) UUID threadId,
                           @RequestParam(defaultValue = "100") int limit, @RequestParam(defaultValue = "0") int offset) {
        Caller caller = Caller.current();
        if (limit < 1 || limit > 500 || offset < 0) {
            throw ApiException.badRequest("limit must be 1 to 500 and offset 0 or more.");
        }
        return messages.list(caller.orgId(), Optional.ofNullable(threadId), limit, offset);
    }

    @GetMapping("/api/email/messages/{id}/attachments")
    List<Map<String, Object>> attachments(@PathVariable UUID id) {
        Caller caller = Caller.current();
        messages.find(caller.orgId(), id).orElseThrow(() -> ApiException.notFound("Message not found"));
        return attachments.of(caller.orgId(), id);
    }
}
