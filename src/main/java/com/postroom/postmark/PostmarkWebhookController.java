package com.postroom.postmark;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.config.PostroomSettings;
import com.postroom.web.ApiException;

/**
 * Postmark's webhooks. Postmark is optional: without POSTMARK_SERVER_TOKEN they answer 501 before any
 * authentication (ORIGINAL-API.md, a fix over the old code, which asked for a user token first). Accepting Postmark's
 * payloads when it is configured belongs to the inbound pipeline and is not built yet; until then a configured
 * Postmark also gets 501, with a sentence that says so, rather than a 200 that would make Postmark drop the mail.
 */
@RestController
class PostmarkWebhookController {

    static final String NOT_CONFIGURED = "Postmark not configured. Use SMTP/IMAP and call POST "
            + "/api/email/poll-inbound to fetch inbound mail.";
    static final String NOT_YET = "Postmark webhooks are not supported by this Postroom version yet; "
            + "unset POSTMARK_SERVER_TOKEN and receive mail over IMAP.";

    private final boolean configured;

    PostmarkWebhookController(PostroomSettings settings) {
        this.configured = settings.postmarkServerToken().isPresent();
    }

    @PostMapping({"/api/email/inbound/postmark", "/api/founder/email/webhook/inbound",
            "/api/email/webhooks/postmark/bounce", "/api/email/webhooks/postmark/delivery",
            "/api/email/webhooks/postmark/spam-complaint"})
    void webhook() {
        throw new ApiException(HttpStatus.NOT_IMPLEMENTED, configured ? NOT_YET : NOT_CONFIGURED);
    }
}
