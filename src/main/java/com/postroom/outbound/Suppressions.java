package com.postroom.outbound;

import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Addresses Postroom will not send to: added by a hard bounce or a spam complaint, removed by an admin. Sending to a
 * suppressed address again would hurt the sending domain's reputation (receivers count mail to dead addresses).
 */
@Repository
public class Suppressions {

    public record Entry(String address, String reason, String source, OffsetDateTime createdAt) {
    }

    private final JdbcClient jdbc;

    Suppressions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void add(long orgId, String address, String reason, String source) {
        jdbc.sql("INSERT INTO suppression (org_id, address, reason, source) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (org_id, address) DO NOTHING")
                .params(orgId, address.toLowerCase(Locale.ROOT), reason, source).update();
    }

    public List<Entry> among(long orgId, Collection<String> addresses) {
        return jdbc.sql("SELECT address, reason, source, created_at FROM suppression WHERE org_id = ? "
                        + "AND address = ANY(?) ORDER BY address")
                .params(orgId, addresses.stream().map(a -> a.toLowerCase(Locale.ROOT)).toArray(String[]::new))
                .query(Entry.class).list();
    }

    public List<Entry> list(long orgId, int limit, int offset) {
        return jdbc.sql("SELECT address, reason, source, created_at FROM suppression WHERE org_id = ? "
                        + "ORDER BY created_at DESC, address LIMIT ? OFFSET ?")
                .params(orgId, limit, offset).query(Entry.class).list();
    }

    public Optional<Entry> find(long orgId, String address) {
        return among(orgId, List.of(address)).stream().findFirst();
    }

    public boolean remove(long orgId, String address) {
        return jdbc.sql("DELETE FROM suppression WHERE org_id = ? AND address = ?")
                .params(orgId, address.toLowerCase(Locale.ROOT)).update() > 0;
    }
}
