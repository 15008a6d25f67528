package com.postroom.outbound;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.org.Caller;
import com.postroom.web.ApiException;

/**
 * The founder dashboard's writing help (ORIGINAL-API.md: POST /draft and /suggest-improvements). It needs a local
 * language model, and none can be configured yet, so both answer 501 as the contract says.
 */
@RestController
class DraftingAssistantController {

    @PostMapping({"/api/founder/email/draft", "/api/founder/email/suggest-improvements"})
    void assist() {
        Caller.current().requireOr(FounderEmailController.FOUNDER_ACCESS_REQUIRED, Caller.FOUNDER, Caller.ADMIN);
        throw new ApiException(HttpStatus.NOT_IMPLEMENTED, "Drafting assistant not configured");
    }
}
