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
 * A request without a valid token stays anonymous, and the security chain answers 401 where a route needs a caller.
 */
class BearerTokenFilter extends OncePerRequestFilter {

    private final Tokens tokens;
    private final JwtAuthenticator jwt;

    BearerTokenFilter(Tokens tokens, JwtAuthenticator jwt) {
        this.tokens = tokens;
        this.jwt = jwt;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = header.substring(7).trim();
            Optional<Caller> caller = tokens.authenticate(token).or(() -> jwt.authenticate(token));
            caller.ifPresent(c -> {
                List<SimpleGrantedAuthority> authorities = c.roles().stream()
                        .map(r -> new SimpleGrantedAuthority("ROLE_" + r)).toList();
                var authentication = UsernamePasswordAuthenticationToken.authenticated(c, null, authorities);
                SecurityContextHolder.getContext().setAuthentication(authentication);
            });
        }
        chain.doFilter(request, response);
    }
}
