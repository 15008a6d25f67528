package com.postroom.org;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.postroom.config.PostroomSettings;

/**
 * Accepts the platform's own HS256 JWTs when AUTH_JWT_SECRET is set, so the platform's frontend can call Postroom
 * with the token it already has: its login token ({@code sub} = the user's number, {@code org}, {@code role}, no
 * email) and its SSO token (with {@code email}). The organization claim is matched against an organization's external
 * id, then its email domain, then its numeric id. Roles come from the token; one Postroom does not know gives no
 * role, the least access there is. A user without an email is "user 17 (platform)" in the audit log.
 */
@Component
class JwtAuthenticator {

    /** Clock skew tolerated on exp and nbf, as most JWT libraries do. */
    private static final long SKEW_MILLIS = 60_000;

    private final PostroomSettings.Auth auth;
    private final JdbcClient jdbc;
    private final Users users;

    JwtAuthenticator(PostroomSettings settings, JdbcClient jdbc, Users users) {
        this.auth = settings.auth();
        this.jdbc = jdbc;
        this.users = users;
    }

    boolean enabled() {
        return auth.jwtSecret().isPresent();
    }

    Optional<Caller> authenticate(String token) {
        if (!enabled() || token.chars().filter(c -> c == '.').count() != 2) {
            return Optional.empty();
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
                return Optional.empty();
            }
            byte[] key = auth.jwtSecret().get().reveal().getBytes(StandardCharsets.UTF_8);
            if (!signatureMatches(jwt, key)) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            long now = System.currentTimeMillis();
            Date exp = claims.getExpirationTime();
            Date nbf = claims.getNotBeforeTime();
            if (exp == null || exp.getTime() + SKEW_MILLIS < now || (nbf != null && nbf.getTime() - SKEW_MILLIS > now)) {
                return Optional.empty();
            }
            Object org = first(claims, auth.jwtOrgClaim(), "org", "org_id");
            if (org == null) {
                return Optional.empty();
            }
            Optional<Long> orgId = organization(String.valueOf(org));
            if (orgId.isEmpty()) {
                return Optional.empty();
            }
            Set<String> roles = roles(first(claims, auth.jwtRolesClaim(), "role", "roles"));
            Optional<String> email = email(claims);
            if (email.isPresent()) {
                long userId = users.ensureExternal(orgId.get(), email.get());
                return userId < 0 ? Optional.empty()
                        : Optional.of(new Caller(userId, orgId.get(), email.get().toLowerCase(), roles));
            }
            // The platform's login token names its user by number only ({"sub":"17","org":3,"role":"billing"}).
            String subject = claims.getSubject();
            if (subject == null || subject.isBlank() || subject.length() > 64) {
                return Optional.empty();
            }
            long userId = users.ensurePlatformUser(orgId.get(), subject.strip());
            return userId < 0 ? Optional.empty()
                    : Optional.of(new Caller(userId, orgId.get(), "user " + subject.strip() + " (platform)", roles));
        } catch (ParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * HMAC-SHA256 over the signing input, compared in constant time. Computed here rather than with Nimbus's
     * MACVerifier, which refuses keys under 32 bytes: the platform's secret may be 16 to 31 (see AUTH_JWT_SECRET).
     */
    private static boolean signatureMatches(SignedJWT jwt, byte[] key) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            byte[] expected = mac.doFinal(jwt.getSigningInput());
            return java.security.MessageDigest.isEqual(expected, jwt.getSignature().decode());
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    /** The first of these claims the token has: the configured name, then the platform's own names. */
    private static Object first(JWTClaimsSet claims, String... names) {
        for (String name : names) {
            Object value = claims.getClaim(name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** An email address from the configured claim, the SSO token's {@code email}, or a {@code sub} that is one. */
    private Optional<String> email(JWTClaimsSet claims) {
        for (String name : new String[] {auth.jwtEmailClaim(), "email", "sub"}) {
            if (claims.getClaim(name) instanceof String e && e.contains("@") && e.length() <= 254) {
                return Optional.of(e.strip());
            }
        }
        return Optional.empty();
    }

    private Optional<Long> organization(String claim) {
        return jdbc.sql("SELECT id FROM organization WHERE external_id = ? OR email_domain = lower(?) "
                        + "OR id::text = ? ORDER BY (external_id = ?) DESC NULLS LAST LIMIT 1")
                .params(claim, claim, claim, claim).query(Long.class).optional();
    }

    /** Roles as a JSON array, or one string separated by spaces or commas. */
    static Set<String> roles(Object claim) {
        Set<String> roles = new LinkedHashSet<>();
        if (claim instanceof Collection<?> list) {
            list.forEach(r -> roles.add(String.valueOf(r).trim().toLowerCase()));
        } else if (claim instanceof String s) {
            Arrays.stream(s.split("[\\s,]+")).filter(r -> !r.isBlank()).forEach(r -> roles.add(r.toLowerCase()));
        }
        roles.retainAll(Caller.ALL_ROLES);
        return roles;
    }
}
