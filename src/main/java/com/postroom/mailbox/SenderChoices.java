package com.postroom.mailbox;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.postroom.config.Identities;
import com.postroom.mail.EmailAddress;
import com.postroom.org.Caller;

/**
 * The From addresses a user may choose in the web UI, by role: founders and admins every identity; billing clerks the
 * billing, support and no-reply identities; dispatchers support and no-reply. Other roles do not send (as
 * POST /api/email/send refuses them).
 */
final class SenderChoices {

    private SenderChoices() {
    }

    static List<String> of(Caller caller, Identities ids) {
        List<Identities.Flow> flows = new ArrayList<>();
        if (caller.hasAnyRole(Set.of(Caller.FOUNDER, Caller.ADMIN))) {
            flows.addAll(List.of(Identities.Flow.FOUNDER, Identities.Flow.BILLING, Identities.Flow.SUPPORT,
                    Identities.Flow.NOREPLY));
        } else if (caller.hasAnyRole(Set.of(Caller.BILLING))) {
            flows.addAll(List.of(Identities.Flow.BILLING, Identities.Flow.SUPPORT, Identities.Flow.NOREPLY));
        } else if (caller.hasAnyRole(Set.of(Caller.DISPATCHER))) {
            flows.addAll(List.of(Identities.Flow.SUPPORT, Identities.Flow.NOREPLY));
        }
        Set<String> out = new LinkedHashSet<>();
        flows.forEach(f -> ids.sender(f).map(EmailAddress::address).ifPresent(out::add));
        return List.copyOf(out);
    }
}
