package com.postroom.outbound;

import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Addresses Postroom will not send to: added by a hard bounce or a spam complaint (every stream), or by the recipient
 * unsubscribing from one stream of bulk mail (that stream only); removed by an admin. Sending to a suppressed address
 * again would hurt the sending domain's reputation (receivers count mail to dead addresses and ignored opt-outs).
 */
@Repository
public class Suppressions {

    /** {@code stream} is the one stream the address left, or "" for all mail. */
    /** Under the record's component names (see org.Organizations.Organization). */
    private static final String COLUMNS = "address, reason, source, stream, created_at AS createdAt";

    public record Entry(String address, String reason, String source, String stream, OffsetDateTime createdAt) {
    }

    /** Every stream: what a bounce or a complaint suppresses. */
    public static final String ALL = "";

    private final JdbcClient jdbc;

    Suppressions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void add(long orgId, String address, String reason, String source) {
        add(orgId, address, reason, source, ALL);
    }

    public void add(long orgId, String address, String reason, String source, String stream) {
        jdbc.sql("INSERT INTO suppression (org_id, address, reason, source, stream) VALUES (?, ?, ?, ?, ?) "
                        + "ON CONFLICT (org_id, address, stream) DO NOTHING")
                .params(orgId, address.toLowerCase(Locale.ROOT), reason, source, stream).update();
    }

    /** The addresses suppressed for all mail. */
    public List<Entry> among(long orgId, Collection<String> addresses) {
        return among(orgId, addresses, ALL);
    }

    /** The addresses suppressed for mail of {@code stream}: for all mail, or for that stream. */
    public List<Entry> among(long orgId, Collection<String> addresses, String stream) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM suppression WHERE org_id = ? "
                        + "AND address = ANY(?) AND stream IN ('', ?) ORDER BY address, stream")
                .params(orgId, addresses.stream().map(a -> a.toLowerCase(Locale.ROOT)).toArray(String[]::new),
                        stream)
                .query(Entry.class).list();
    }

    /** Every entry for these addresses, whatever its stream, by address: a group of drafts asks once. */
    public Map<String, List<Entry>> anyStream(long orgId, Collection<String> addresses) {
        if (addresses.isEmpty()) {
            return Map.of();
        }
        return jdbc.sql("SELECT " + COLUMNS + " FROM suppression WHERE org_id = ? "
                        + "AND address = ANY(?) ORDER BY address, stream")
                .params(orgId, addresses.stream().map(a -> a.toLowerCase(Locale.ROOT)).distinct()
                        .toArray(String[]::new))
                .query(Entry.class).list().stream()
                .collect(java.util.stream.Collectors.groupingBy(Entry::address));
    }

    public List<Entry> list(long orgId, int limit, int offset) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM suppression WHERE org_id = ? "
                        + "ORDER BY created_at DESC, address, stream LIMIT ? OFFSET ?")
                .params(orgId, limit, offset).query(Entry.class).list();
    }

    /** What keeps mail of {@code stream} from going: suppressions for all mail and for that stream. */
    public List<Entry> forStream(long orgId, String stream) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM suppression WHERE org_id = ? "
                        + "AND stream IN ('', ?) ORDER BY created_at DESC, address")
                .params(orgId, stream).query(Entry.class).list();
    }

    /**
     * Lets mail of {@code stream} go to the address again; a spam complaint stays (as at Postmark, the recipient
     * asked not to be mailed, and only an admin may decide otherwise).
     */
    public boolean removeFromStream(long orgId, String address, String stream) {
        return jdbc.sql("DELETE FROM suppression WHERE org_id = ? AND address = ? AND stream IN ('', ?) "
                        + "AND reason NOT ILIKE '%complaint%'")
                .params(orgId, address.toLowerCase(Locale.ROOT), stream).update() > 0;
    }

    public Optional<Entry> find(long orgId, String address) {
        return among(orgId, List.of(address)).stream().findFirst();
    }

    public boolean remove(long orgId, String address) {
        return jdbc.sql("DELETE FROM suppression WHERE org_id = ? AND address = ?")
                .params(orgId, address.toLowerCase(Locale.ROOT)).update() > 0;
    }
}
