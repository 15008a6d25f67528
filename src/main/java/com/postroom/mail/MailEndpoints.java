package com.postroom.mail;

import java.util.Optional;

import com.postroom.config.Identities;

/**
 * The mail servers and identities in force: those configured, or the sandbox's. Everything that connects to a mail
 * server or picks a From address asks this, never the raw settings.
 */
public record MailEndpoints(Optional<MailServer> smtp, Optional<MailServer> imap, Identities identities,
                            boolean sandbox) {

    public boolean smtpConfigured() {
        return smtp.isPresent();
    }
}
