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

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.postroom.config.PostroomSettings;

/**
 * Accepts the platform's own HS256 JWTs when AUTH_JWT_SECRET is set, so the platform's frontend can call Postroom
 * with the token it already has. The organization claim is matched against an organization's external id, then its
 * email domain, then its numeric id.
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
            if (!jwt.verify(new MACVerifier(key))) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            long now = System.currentTimeMillis();
            Date exp = claims.getExpirationTime();
            Date nbf = claims.getNotBeforeTime();
            if (exp == null || exp.getTime() + SKEW_MILLIS < now || (nbf != null && nbf.getTime() - SKEW_MILLIS > now)) {
                return Optional.empty();
            }
            Object email = claims.getClaim(auth.jwtEmailClaim());
            Object org = claims.getClaim(auth.jwtOrgClaim());
            if (!(email instanceof String e) || !e.contains("@") || org == null) {
                return Optional.empty();
            }
            Optional<Long> orgId = organization(String.valueOf(org));
            if (orgId.isEmpty()) {
                return Optional.empty();
            }
            long userId = users.ensureExternal(orgId.get(), e);
            if (userId < 0) {
                return Optional.empty();
            }
            return Optional.of(new Caller(userId, orgId.get(), e.toLowerCase(), roles(claims.getClaim(auth.jwtRolesClaim()))));
        } catch (ParseException | JOSEException | IllegalArgumentException e) {
            return Optional.empty();
        }
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
