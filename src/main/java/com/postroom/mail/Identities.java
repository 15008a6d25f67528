package com.postroom.mail;

import java.util.Optional;


/**
 * The addresses Postroom sends from (ORIGINAL-API.md, "Identities"). Each flow has its own identity and falls back,
 * when unset, to {@code SMTP_FROM_EMAIL}, then {@code SMTP_USERNAME}, then {@code FOUNDER_EMAIL}.
 */
public record Identities(Optional<EmailAddress> founder, Optional<EmailAddress> billing,
                         Optional<EmailAddress> support, Optional<EmailAddress> noreply,
                         Optional<EmailAddress> smtpFrom, Optional<EmailAddress> smtpUsername,
                         Optional<EmailAddress> defaultSender) {

    public Identities(Optional<EmailAddress> founder, Optional<EmailAddress> billing, Optional<EmailAddress> support,
                      Optional<EmailAddress> noreply, Optional<EmailAddress> smtpFrom,
                      Optional<EmailAddress> smtpUsername) {
        this(founder, billing, support, noreply, smtpFrom, smtpUsername, Optional.empty());
    }

    /**
     * Where a send that names no sender goes out from, in the original's order: POSTMARK_DEFAULT_SENDER (the name
     * the original read), SMTP_USERNAME, FOUNDER_EMAIL, then the other configured identities. Who may use which is
     * {@code outbound.SenderPolicy}'s to say.
     */
    public java.util.List<EmailAddress> defaultOrder() {
        java.util.LinkedHashSet<EmailAddress> order = new java.util.LinkedHashSet<>();
        java.util.stream.Stream.of(defaultSender, smtpUsername, founder, smtpFrom, support, noreply, billing)
                .flatMap(Optional::stream).forEach(order::add);
        return java.util.List.copyOf(order);
    }

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
