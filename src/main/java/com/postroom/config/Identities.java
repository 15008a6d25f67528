package com.postroom.config;

import java.util.Optional;

import com.postroom.mail.EmailAddress;

/**
 * The addresses Postroom sends from (ORIGINAL-API.md, "Identities"). Each flow has its own identity and falls back,
 * when unset, to {@code SMTP_FROM_EMAIL}, then {@code SMTP_USERNAME}, then {@code FOUNDER_EMAIL}.
 */
public record Identities(Optional<EmailAddress> founder, Optional<EmailAddress> billing,
                         Optional<EmailAddress> support, Optional<EmailAddress> noreply,
                         Optional<EmailAddress> smtpFrom, Optional<EmailAddress> smtpUsername) {

    /** The flows that send mail, each with its own identity. */
    public enum Flow { FOUNDER, BILLING, SUPPORT, NOREPLY, GENERIC }

    public Optional<EmailAddress> sender(Flow flow) {
        Optional<EmailAddress> own = switch (flow) {
            case FOUNDER -> founder;
            case BILLING -> billing;
            // ORIGINAL-API.md: SUPPORT_EMAIL defaults to BILLING_FROM_EMAIL.
            case SUPPORT -> support.or(() -> billing);
            case NOREPLY -> noreply;
            case GENERIC -> Optional.empty();
        };
        return own.or(() -> smtpFrom).or(() -> smtpUsername).or(() -> founder);
    }

    /** Reply-To of system notifications: the support address when there is one. */
    public Optional<EmailAddress> supportReplyTo() {
        return support.or(() -> billing);
    }
}
