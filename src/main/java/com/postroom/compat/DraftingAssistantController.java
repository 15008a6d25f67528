package com.postroom.compat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.org.Caller;

/**
 * The founder dashboard's writing help (ORIGINAL-API.md: POST /draft and /suggest-improvements). It needs a local
 * language model, and none can be configured yet. The contract's 501 made the platform's widget show an error toast;
 * the widget reads {@code success}, so the answer is 200 with {@code success: false} and a sentence it can show.
 */
@RestController
class DraftingAssistantController {

    static final String NOT_CONFIGURED = "The writing assistant is not set up on this server; write the message "
            + "yourself, or ask your administrator to enable it.";

    @PostMapping({"/api/founder/email/draft", "/api/founder/email/suggest-improvements"})
    Map<String, Object> assist() {
        Caller.current().requireOr(FounderEmailController.FOUNDER_ACCESS_REQUIRED, Caller.FOUNDER, Caller.ADMIN);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("success", false);
        out.put("configured", false);
        out.put("error", "Drafting assistant not configured");
        out.put("message", NOT_CONFIGURED);
        return out;
    }
}
