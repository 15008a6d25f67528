package com.postroom.org;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Postroom's bearer tokens. A token is {@code pr_} plus 256 random bits; only its SHA-256 is stored, so a copy of the
 * database does not hold usable tokens. API tokens live until revoked; session tokens (from the login route) expire.
 */
@Service
public class Tokens {

    static final String PREFIX = "pr_";
    /** Writing last_used_at on every request would turn every read into a write; once a minute is enough. */
    private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

    /**
     * Authenticated tokens are remembered this long, saving a database query per request. A revocation takes effect
     * at once on the instance that made it and within this time on others; a role change likewise.
     */
    static final Duration CACHE_FOR = Duration.ofSeconds(30);
    private static final int CACHE_MAX = 10_000;

    private record Cached(Caller caller, long until) {
    }

    private final JdbcClient jdbc;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    Tokens(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public record Issued(long id, String name, String token, OffsetDateTime createdAt, OffsetDateTime expiresAt) {
    }

    public record TokenInfo(long id, String name, String kind, String userEmail, OffsetDateTime createdAt,
                            OffsetDateTime expiresAt, OffsetDateTime lastUsedAt, OffsetDateTime revokedAt) {
    }

    public Issued issueApiToken(long orgId, long userId, String name) {
        return issue(orgId, userId, "api", name, null);
    }

    public Issued issueSession(long orgId, long userId, Duration ttl) {
        return issue(orgId, userId, "session", "login", OffsetDateTime.now().plus(ttl));
    }

    private Issued issue(long orgId, long userId, String kind, String name, OffsetDateTime expiresAt) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return jdbc.sql("INSERT INTO api_token (org_id, user_id, kind, name, token_hash, expires_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?) RETURNING id, created_at")
                .params(orgId, userId, kind, name, hash(token), expiresAt)
                .query((rs, n) -> new Issued(rs.getLong(1), name, token,
                        rs.getObject(2, OffsetDateTime.class), expiresAt))
                .single();
    }

    /** The caller a token stands for, if it is known, not revoked and not expired. */
    public Optional<Caller> authenticate(String token) {
        if (!token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        long now = System.currentTimeMillis();
        Cached cached = cache.get(token);
        if (cached != null && cached.until() > now) {
            return Optional.of(cached.caller());
        }
        Optional<Cached> found = lookup(token, now);
        if (found.isPresent()) {
            if (cache.size() >= CACHE_MAX) {
                cache.clear();
            }
            cache.put(token, found.get());
        } else {
            cache.remove(token);
        }
        return found.map(Cached::caller);
    }

    /** The token's caller, remembered until the cache time or the token's own expiry, whichever comes first. */
    private Optional<Cached> lookup(String token, long now) {
        record Row(long id, long userId, long orgId, String email, String[] roles, OffsetDateTime lastUsed,
                   OffsetDateTime expiresAt) {
        }
        Optional<Row> row = jdbc.sql("SELECT t.id, u.id, u.org_id, u.email, u.roles, t.last_used_at, t.expires_at FROM api_token t "
                        + "JOIN app_user u ON u.id = t.user_id "
                        + "WHERE t.token_hash = ? AND t.revoked_at IS NULL "
                        + "AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.org_id = t.org_id")
                .param(hash(token))
                .query((rs, n) -> new Row(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
                        (String[]) rs.getArray(5).getArray(), rs.getObject(6, OffsetDateTime.class),
                        rs.getObject(7, OffsetDateTime.class)))
                .optional();
        row.filter(r -> r.lastUsed() == null || r.lastUsed().isBefore(OffsetDateTime.now().minus(LAST_USED_RESOLUTION)))
                .ifPresent(r -> jdbc.sql("UPDATE api_token SET last_used_at = now() WHERE id = ?").param(r.id())
                        .update());
        return row.map(r -> new Cached(new Caller(r.userId(), r.orgId(), r.email(), Set.of(r.roles())),
                Math.min(now + CACHE_FOR.toMillis(),
                        r.expiresAt() == null ? Long.MAX_VALUE : r.expiresAt().toInstant().toEpochMilli())));
    }

    public List<TokenInfo> list(long orgId) {
        return jdbc.sql("SELECT t.id, t.name, t.kind, u.email AS userEmail, t.created_at AS createdAt, "
                        + "t.expires_at AS expiresAt, t.last_used_at AS lastUsedAt, t.revoked_at AS revokedAt "
                        + "FROM api_token t JOIN app_user u ON u.id = t.user_id "
                        + "WHERE t.org_id = ? AND t.kind = 'api' ORDER BY t.id")
                .param(orgId).query(TokenInfo.class).list();
    }

    /** True when the token existed in this organization and was live. */
    public boolean revoke(long orgId, long tokenId) {
        // The cache is keyed by token, which is not stored; dropping it all is rare and cheap.
        cache.clear();
        return jdbc.sql("UPDATE api_token SET revoked_at = now() WHERE id = ? AND org_id = ? AND revoked_at IS NULL")
                .params(tokenId, orgId).update() == 1;
    }

    public boolean existsInOrg(long orgId, long tokenId) {
        return jdbc.sql("SELECT count(*) FROM api_token WHERE id = ? AND org_id = ?").params(tokenId, orgId)
                .query(Long.class).single() > 0;
    }

    static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
