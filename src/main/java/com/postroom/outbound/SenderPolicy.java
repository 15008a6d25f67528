package com.postroom.outbound;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.postroom.mail.Identities;
import com.postroom.mail.EmailAddress;
import com.postroom.org.Caller;

/**
 * Who may send as which identity, one rule for the API and the web UI, applied by {@link SendingCore}: founders and
 * admins every identity and any address at the organization's domain; billing clerks the billing, support and
 * no-reply identities; dispatchers and compliance officers support and no-reply; other roles none. A route that
 * sends from its own fixed identity (the founder's dashboard, statements, notifications, alerts) is not a choice of
 * the caller's and is not checked here.
 */
public final class SenderPolicy {

    private SenderPolicy() {
    }

    private static List<Identities.Flow> flows(Set<String> roles) {
        Caller probe = new Caller(0, 0, "", roles);
        if (probe.hasAnyRole(Set.of(Caller.FOUNDER, Caller.ADMIN))) {
            return List.of(Identities.Flow.FOUNDER, Identities.Flow.BILLING, Identities.Flow.SUPPORT,
                    Identities.Flow.NOREPLY);
        }
        if (probe.hasAnyRole(Set.of(Caller.BILLING))) {
            return List.of(Identities.Flow.BILLING, Identities.Flow.SUPPORT, Identities.Flow.NOREPLY);
        }
        if (probe.hasAnyRole(Set.of(Caller.DISPATCHER, Caller.COMPLIANCE))) {
            return List.of(Identities.Flow.SUPPORT, Identities.Flow.NOREPLY);
        }
        return List.of();
    }

    /** Whether these roles may send from any address at the organization's own domain, not only its identities. */
    static boolean anyAddressAtDomain(Set<String> roles) {
        return new Caller(0, 0, "", roles).hasAnyRole(Set.of(Caller.FOUNDER, Caller.ADMIN));
    }

    /** The identities these roles may choose, in the order the UI offers them. */
    public static List<EmailAddress> choices(Set<String> roles, Identities ids) {
        Set<EmailAddress> out = new LinkedHashSet<>();
        flows(roles).forEach(f -> ids.sender(f).ifPresent(out::add));
        return List.copyOf(out);
    }

    static boolean mayUse(Set<String> roles, Identities ids, EmailAddress from, String orgDomain) {
        return choices(roles, ids).stream().anyMatch(a -> a.address().equals(from.address()))
                || (anyAddressAtDomain(roles) && from.domain().equals(orgDomain));
    }

    /** The sender of a send that names none: the first of the original's order these roles may use. */
    static Optional<EmailAddress> defaultFor(Set<String> roles, Identities ids, String orgDomain) {
        List<EmailAddress> candidates = new ArrayList<>(ids.defaultOrder());
        candidates.addAll(choices(roles, ids));
        return candidates.stream().filter(a -> mayUse(roles, ids, a, orgDomain)).findFirst();
    }
}
