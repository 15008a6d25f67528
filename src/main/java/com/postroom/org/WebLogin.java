package com.postroom.org;

import java.util.List;
import java.util.UUID;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Sign-in of the web UI: the same users, passwords and attempt limits as {@code POST /api/auth/login}. The session's
 * principal is a {@link Caller}, so the UI's controllers call the same services with the same checks as the API.
 */
class WebLogin implements AuthenticationProvider {

    private final Users users;
    private final PasswordEncoder passwords;
    private final LoginThrottle throttle;
    private volatile String dummyHash;

    WebLogin(Users users, PasswordEncoder passwords, LoginThrottle throttle) {
        this.users = users;
        this.passwords = passwords;
        this.throttle = throttle;
    }

    @Override
    public Authentication authenticate(Authentication request) {
        String email = String.valueOf(request.getPrincipal()).trim();
        String password = String.valueOf(request.getCredentials());
        String ip = request.getDetails() instanceof WebAuthenticationDetails d ? d.getRemoteAddress() : "unknown";
        var wait = throttle.waitFor(email, ip);
        if (wait.isPresent()) {
            throw new LockedException("Too many failed sign-in attempts; try again in "
                    + Math.max(1, wait.get().toSeconds()) + " seconds.");
        }
        var user = users.byEmail(email);
        String hash = user.map(Users.User::passwordHash).orElse(null);
        // The hash is checked even for an unknown email, so the time taken does not tell which emails exist.
        boolean ok = passwords.matches(password, hash != null ? hash : dummyHash()) && hash != null;
        if (!ok) {
            throttle.failed(email, ip);
            throw new BadCredentialsException("Wrong email or password.");
        }
        throttle.succeeded(email);
        Caller caller = user.get().asCaller();
        List<SimpleGrantedAuthority> authorities = caller.roles().stream()
                .map(r -> new SimpleGrantedAuthority("ROLE_" + r)).toList();
        return UsernamePasswordAuthenticationToken.authenticated(caller, null, authorities);
    }

    private String dummyHash() {
        if (dummyHash == null) {
            dummyHash = passwords.encode(UUID.randomUUID().toString());
        }
        return dummyHash;
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
