package com.postroom.mailbox;

import java.io.IOException;
import java.util.UUID;

import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

import com.postroom.org.Caller;
import com.postroom.web.WebPage;

/** An attached message read in place ({@link AttachedMessages}), as a page of the web UI; as JSON: {@link AttachedMessageApi}. */
@WebPage
class AttachedMessagePage {

    private final AttachedMessages attached;

    AttachedMessagePage(AttachedMessages attached) {
        this.attached = attached;
    }

    @GetMapping("/mail/attachments/{id}/message")
    String page(@PathVariable UUID id, @RequestParam(defaultValue = "false") boolean images, Model model)
            throws IOException {
        model.addAttribute("m", attached.open(Caller.current(), id, images));
        model.addAttribute("images", images);
        return "attached-message";
    }
}
