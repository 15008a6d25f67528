package com.postroom.outbound;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Unsubscribe links for bulk mail (RFC 8058 one-click): one opaque token per organization, address and stream, so the
 * address never appears in a URL and every message of a stream to one person carries the same working link. Using a
 * link suppresses the address for that stream only: a patient who stops statement emails still gets replies from
 * support.
 */
@Repository
public class Unsubscribes {

    /** Whom a link unsubscribes, from what. */
    public record Link(long orgId, String address, String stream, boolean used) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcClient jdbc;
    private final Suppressions suppressions;

    Unsubscribes(JdbcClient jdbc, Suppressions suppressions) {
        this.jdbc = jdbc;
        this.suppressions = suppressions;
    }

    /** The address's token for the stream, made on first use. */
    public String tokenFor(long orgId, String address, String stream) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        String fresh = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        // The no-op update makes RETURNING give the existing row's token when there is one.
        return jdbc.sql("INSERT INTO unsubscribe_link (token, org_id, address, stream) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (org_id, address, stream) DO UPDATE SET stream = EXCLUDED.stream "
                        + "RETURNING token")
                .params(fresh, orgId, address.toLowerCase(Locale.ROOT), stream).query(String.class).single();
    }

    public Optional<Link> find(String token) {
        if (token == null || !token.matches("[A-Za-z0-9_-]{16,64}")) {
            return Optional.empty();
        }
        return jdbc.sql("SELECT org_id AS orgId, address, stream, used_at IS NOT NULL AS used FROM unsubscribe_link "
                + "WHERE token = ?").param(token).query(Link.class).optional();
    }

    /** Suppresses the link's address for its stream; doing it twice changes nothing. */
    @Transactional
    public Optional<Link> use(String token, String how) {
        Optional<Link> link = find(token);
        link.ifPresent(l -> {
            suppressions.add(l.orgId(), l.address(), "unsubscribed from " + l.stream() + " (" + how + ")",
                    "unsubscribe", l.stream());
            jdbc.sql("UPDATE unsubscribe_link SET used_at = coalesce(used_at, now()) WHERE token = ?").param(token)
                    .update();
        });
        return link;
    }
}
