package com.postroom.inbound;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.org.Caller;

/** The API of {@link MailboxAdmin}: admins list, add and remove the mailboxes Postroom syncs. */
@RestController
class MailboxController {

    private final MailboxAdmin admin;

    MailboxController(MailboxAdmin admin) {
        this.admin = admin;
    }

    @GetMapping("/api/email/mailboxes")
    List<Map<String, Object>> list() {
        return admin.list(Caller.current().require(Caller.ADMIN).orgId());
    }

    @PostMapping("/api/email/mailboxes")
    ResponseEntity<Object> add(@RequestBody MailboxAdmin.NewMailbox body) {
        MailboxAdmin.Added added = admin.add(Caller.current().require(Caller.ADMIN).orgId(), body);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", added.id());
        out.put("mailbox", added.mailbox());
        out.put("folders", added.folders());
        return ResponseEntity.status(HttpStatus.CREATED).body(out);
    }

    @DeleteMapping("/api/email/mailboxes/{id}")
    ResponseEntity<Void> remove(@PathVariable long id) {
        admin.remove(Caller.current().require(Caller.ADMIN).orgId(), id);
        return ResponseEntity.noContent().build();
    }
}
