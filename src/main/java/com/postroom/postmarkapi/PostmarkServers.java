package com.postroom.postmarkapi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Postmark "servers": sending tokens of one organization. A token looks like Postmark's (a UUID, 122 random bits),
 * so code that checks its shape keeps working; it is shown once and kept only as its SHA-256.
 */
@Repository
public class PostmarkServers {

    /**
     * A server as its token authenticates it. {@code senders}: addresses or domains it may send from; empty: any.
     * {@code searchBodies}: whether the text of its mail is indexed for search (its subject, people and attachment
     * names always are; migration 42).
     */
    public record Server(long id, long orgId, String name, List<String> senders, boolean searchBodies) {

        /** Whether the server may send from {@code address} (Postroom's own rules for the organization apply too). */
        public boolean mayUse(String address) {
            String a = address.toLowerCase(Locale.ROOT);
            String domain = a.substring(a.indexOf('@') + 1);
            return senders.isEmpty() || senders.stream().anyMatch(s -> s.equals(a) || s.equals(domain));
        }
    }

    /** A server as listed: never its token, only its last four characters. */
    public record Listed(long id, String name, String tokenHint, List<String> senders, boolean searchBodies,
                         OffsetDateTime createdAt, OffsetDateTime lastUsedAt, OffsetDateTime revokedAt) {
    }

    public record Issued(long id, String name, String token, List<String> senders, boolean searchBodies) {
    }

    private final JdbcClient jdbc;

    PostmarkServers(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Issued create(long orgId, Long createdBy, String name, List<String> senders, boolean searchBodies) {
        String token = UUID.randomUUID().toString();
        List<String> lower = senders.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).distinct().toList();
        long id = jdbc.sql("INSERT INTO postmark_server (org_id, name, token_hash, token_hint, senders, created_by, "
                        + "search_bodies) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
                .params(orgId, name, hash(token), token.substring(token.length() - 4), lower.toArray(String[]::new),
                        createdBy, searchBodies)
                .query(Long.class).single();
        return new Issued(id, name, token, lower, searchBodies);
    }

    public Optional<Server> authenticate(String token) {
        if (token == null || token.isBlank() || token.length() > 200) {
            return Optional.empty();
        }
        Optional<Server> server = jdbc.sql("SELECT id, org_id, name, senders, search_bodies FROM postmark_server "
                        + "WHERE token_hash = ? AND revoked_at IS NULL")
                .param(hash(token.trim()))
                .query((rs, n) -> new Server(rs.getLong(1), rs.getLong(2), rs.getString(3),
                        List.of((String[]) rs.getArray(4).getArray()), rs.getBoolean(5)))
                .optional();
        server.ifPresent(s -> jdbc.sql("UPDATE postmark_server SET last_used_at = now() WHERE id = ? "
                + "AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')").param(s.id()).update());
        return server;
    }

    public List<Listed> list(long orgId) {
        return jdbc.sql("SELECT id, name, token_hint, senders, search_bodies, created_at, last_used_at, revoked_at "
                        + "FROM postmark_server WHERE org_id = ? ORDER BY revoked_at NULLS FIRST, created_at DESC")
                .param(orgId)
                .query((rs, n) -> new Listed(rs.getLong(1), rs.getString(2), rs.getString(3),
                        List.of((String[]) rs.getArray(4).getArray()), rs.getBoolean(5),
                        rs.getObject(6, OffsetDateTime.class), rs.getObject(7, OffsetDateTime.class),
                        rs.getObject(8, OffsetDateTime.class)))
                .list();
    }

    /**
     * Whether the text of the mail an active server sends from now on is indexed for search; false when the
     * organization has no such server. Mail it sent before keeps the document it was stored with.
     */
    public boolean searchBodies(long orgId, long id, boolean on) {
        return jdbc.sql("UPDATE postmark_server SET search_bodies = ? WHERE id = ? AND org_id = ? "
                + "AND revoked_at IS NULL").params(on, id, orgId).update() > 0;
    }

    /** The names of the organization's active servers whose mail is not searched by its text (search says so). */
    public List<String> withoutTextSearch(long orgId) {
        return jdbc.sql("SELECT name FROM postmark_server WHERE org_id = ? AND revoked_at IS NULL "
                        + "AND NOT search_bodies ORDER BY name").param(orgId).query(String.class).list();
    }

    public boolean revoke(long orgId, long id) {
        return jdbc.sql("UPDATE postmark_server SET revoked_at = now() WHERE id = ? AND org_id = ? "
                + "AND revoked_at IS NULL").params(id, orgId).update() > 0;
    }

    static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
