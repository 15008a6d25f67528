package com.postroom.org;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import com.postroom.config.PostroomSettings;
import com.postroom.api.ApiException;
import com.postroom.problem.Problem;

/** Sign-in for API clients and scripts, and API tokens for admins. */
@RestController
class AuthController {

    /** bcrypt of a random string: checked when the email is unknown, so timing does not tell which emails exist. */
    private volatile String dummyHash;

    private final Users users;
    private final Tokens tokens;
    private final PasswordEncoder passwords;
    private final LoginThrottle throttle;
    private final Duration sessionTtl;

    AuthController(Users users, Tokens tokens, PasswordEncoder passwords, LoginThrottle throttle,
                   PostroomSettings settings) {
        this.users = users;
        this.tokens = tokens;
        this.passwords = passwords;
        this.throttle = throttle;
        this.sessionTtl = settings.auth().sessionTtl();
    }

    record LoginRequest(String email, String password) {
    }

    record TokenRequest(String name) {
    }

    @PostMapping("/api/auth/login")
    ResponseEntity<Object> login(@RequestBody(required = false) LoginRequest body, HttpServletRequest request) {
        if (body == null || body.email() == null || body.email().isBlank() || body.password() == null
                || body.password().isEmpty()) {
            throw Problem.refused("Send {\"email\": ..., \"password\": ...} to sign in.");
        }
        String ip = request.getRemoteAddr();
        var wait = throttle.waitFor(body.email(), ip);
        if (wait.isPresent()) {
            long seconds = Math.max(1, wait.get().toSeconds());
            return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                    .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                    .body(Map.of("detail", "Too many failed sign-in attempts; try again in " + seconds + " seconds."));
        }
        var user = users.byEmail(body.email().trim());
        String hash = user.map(Users.User::passwordHash).orElse(null);
        boolean ok = passwords.matches(body.password(), hash != null ? hash : dummyHash()) && hash != null;
        if (!ok) {
            throttle.failed(body.email(), ip);
            throw new ApiException(HttpStatus.UNAUTHORIZED, "Could not validate credentials");
        }
        throttle.succeeded(body.email());
        Users.User u = user.get();
        Tokens.Issued session = tokens.issueSession(u.orgId(), u.id(), sessionTtl);
        return ResponseEntity.ok(Map.of("access_token", session.token(), "token_type", "bearer",
                "expires_in", sessionTtl.toSeconds()));
    }

    private String dummyHash() {
        if (dummyHash == null) {
            dummyHash = passwords.encode(java.util.UUID.randomUUID().toString());
        }
        return dummyHash;
    }

    @PostMapping("/api/auth/tokens")
    ResponseEntity<Object> create(@RequestBody(required = false) TokenRequest body) {
        Caller caller = Caller.current().require(Caller.ADMIN);
        String name = body == null || body.name() == null ? "" : body.name().trim();
        if (name.isEmpty() || name.length() > 100) {
            throw Problem.refused("Give the token a name of 1 to 100 characters, e.g. {\"name\": \"billing-service\"}.");
        }
        Tokens.Issued issued = tokens.issueApiToken(caller.orgId(), caller.userId(), name);
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("id", issued.id(), "name", issued.name(),
                "token", issued.token(), "created_at", issued.createdAt(),
                "note", "Store this token now; Postroom keeps only its hash and cannot show it again."));
    }

    @GetMapping("/api/auth/tokens")
    List<Tokens.TokenInfo> list() {
        return tokens.list(Caller.current().require(Caller.ADMIN).orgId());
    }

    @DeleteMapping("/api/auth/tokens/{id}")
    Map<String, Object> revoke(@PathVariable long id) {
        Caller caller = Caller.current().require(Caller.ADMIN);
        if (!tokens.existsInOrg(caller.orgId(), id)) {
            throw Problem.notFound("Token not found");
        }
        tokens.revoke(caller.orgId(), id);
        return Map.of("status", "revoked", "id", id, "revoked_at", OffsetDateTime.now());
    }
}
