package com.postroom.org;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reads {@code Authorization: Bearer <token>}: a Postroom token ({@code pr_...}) or, when enabled, the platform's JWT.
 * Without that header, an /api request may carry the platform's JWT in its {@code session} cookie, as the platform's
 * own security module reads it; a cookie travels with any request the browser makes, so a change (POST, PUT, PATCH,
 * DELETE) sent from another site's page is not authenticated by it: its Origin must be this server's or one of
 * CORS_ALLOWED_ORIGINS. A request without a valid credential stays anonymous, and the security chain answers 401
 * where a route needs a caller.
 */
class BearerTokenFilter extends OncePerRequestFilter {

    static final String SESSION_COOKIE = "session";
    private static final java.util.Set<String> SAFE = java.util.Set.of("GET", "HEAD", "OPTIONS");

    private final Tokens tokens;
    private final JwtAuthenticator jwt;
    private final List<String> allowedOrigins;

    BearerTokenFilter(Tokens tokens, JwtAuthenticator jwt, List<String> allowedOrigins) {
        this.tokens = tokens;
        this.jwt = jwt;
        this.allowedOrigins = allowedOrigins;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        Optional<Caller> caller = Optional.empty();
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = header.substring(7).trim();
            caller = tokens.authenticate(token).or(() -> jwt.authenticate(token));
        } else if (header == null && jwt.enabled() && request.getRequestURI().startsWith("/api/")
                && sameSiteOrAllowed(request)) {
            caller = sessionCookie(request).flatMap(jwt::authenticate);
        }
        caller.ifPresent(c -> {
            List<SimpleGrantedAuthority> authorities = c.roles().stream()
                    .map(r -> new SimpleGrantedAuthority("ROLE_" + r)).toList();
            var authentication = UsernamePasswordAuthenticationToken.authenticated(c, null, authorities);
            SecurityContextHolder.getContext().setAuthentication(authentication);
        });
        chain.doFilter(request, response);
    }

    private static Optional<String> sessionCookie(HttpServletRequest request) {
        if (request.getCookies() == null) {
            return Optional.empty();
        }
        for (jakarta.servlet.http.Cookie c : request.getCookies()) {
            if (SESSION_COOKIE.equals(c.getName()) && c.getValue() != null && !c.getValue().isBlank()) {
                return Optional.of(c.getValue().strip());
            }
        }
        return Optional.empty();
    }

    /** Reads are fine from anywhere (CORS keeps their answers from other sites); changes need a known Origin. */
    private boolean sameSiteOrAllowed(HttpServletRequest request) {
        if (SAFE.contains(request.getMethod())) {
            return true;
        }
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return true; // not sent by a browser page of another site (browsers send Origin on cross-site changes)
        }
        String own = request.getScheme() + "://" + request.getServerName()
                + ((request.getScheme().equals("https") && request.getServerPort() == 443)
                        || (request.getScheme().equals("http") && request.getServerPort() == 80)
                        ? "" : ":" + request.getServerPort());
        return origin.equalsIgnoreCase(own) || allowedOrigins.stream().anyMatch(origin::equalsIgnoreCase);
    }
}
