package com.postroom.mail;

import java.util.List;
import java.util.Optional;


/**
 * The mail servers and identities in force: those configured, or the sandbox's. Everything that connects to a mail
 * server or picks a From address asks this, never the raw settings.
 */
public record MailEndpoints(Optional<MailServer> smtp, Optional<MailServer> imap, Identities identities,
                            boolean sandbox, List<MailServer> sandboxMailboxes) {

    public MailEndpoints(Optional<MailServer> smtp, Optional<MailServer> imap, Identities identities, boolean sandbox) {
        this(smtp, imap, identities, sandbox, List.of());
    }

    /**
     * The mailboxes the environment asks Postroom to sync: every sandbox mailbox in sandbox mode (INBOX of each),
     * else the IMAP_* one. The sandbox contributes them here, so nothing but its wiring needs to know it.
     */
    public List<MailServer> environmentMailboxes() {
        return sandbox ? sandboxMailboxes : imap.map(List::of).orElse(List.of());
    }

    public boolean smtpConfigured() {
        return smtp.isPresent();
    }
}
