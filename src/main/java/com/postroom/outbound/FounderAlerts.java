package com.postroom.outbound;

import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import com.postroom.mail.Identities;
import com.postroom.mail.EmailAddress;

/**
 * Mails the founder about the state of Postroom itself (the doctor's findings, a mailbox that stopped syncing), from
 * NOREPLY_EMAIL through the outbox like any other mail. Callers decide when: each sends once per change, never per
 * attempt, so an outage is one mail and its end another.
 */
@Component
public class FounderAlerts {

    private static final Logger log = LoggerFactory.getLogger(FounderAlerts.class);

    private final SendingCore core;

    FounderAlerts(SendingCore core) {
        this.core = core;
    }

    /** Queues the alert; false (and a warning in the log) when FOUNDER_EMAIL is not set. */
    public boolean send(long orgId, String subject, String text) {
        Optional<EmailAddress> founder = core.founder();
        if (founder.isEmpty()) {
            log.warn("Not mailed, FOUNDER_EMAIL is not set: {}", subject);
            return false;
        }
        core.queue(OutboundDraft.builder(orgId, Identities.Flow.NOREPLY).to(List.of(founder.get().address()))
                .subject(subject).text(text).classification("ops").header("Auto-Submitted", "auto-generated")
                .build());
        return true;
    }
}
