package com.postroom.org;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * Slows down password guessing: after {@value #FREE_FAILURES} failures for one account (or {@value #FREE_IP_FAILURES}
 * from one address) within the window, each further attempt must wait twice as long as the one before, up to
 * {@link #MAX_LOCKOUT}. Kept in memory: a restart forgives, which costs an attacker a restart of ours, not a bypass.
 */
@Component
public class LoginThrottle {

    static final int FREE_FAILURES = 5;
    static final int FREE_IP_FAILURES = 20;
    static final Duration WINDOW = Duration.ofMinutes(15);
    static final Duration MAX_LOCKOUT = Duration.ofMinutes(15);

    private final Map<String, Failures> byKey = new ConcurrentHashMap<>();
    private final Clock clock;

    public LoginThrottle() {
        this(Clock.systemUTC());
    }

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    private record Failures(int count, Instant last) {
    }

    /** How long the caller must still wait, if at all. */
    public Optional<Duration> waitFor(String email, String ip) {
        Instant now = clock.instant();
        Duration wait = wait(byKey.get("u:" + email.toLowerCase()), FREE_FAILURES, now);
        Duration ipWait = wait(byKey.get("ip:" + ip), FREE_IP_FAILURES, now);
        Duration longest = wait.compareTo(ipWait) >= 0 ? wait : ipWait;
        return longest.isZero() ? Optional.empty() : Optional.of(longest);
    }

    public void failed(String email, String ip) {
        Instant now = clock.instant();
        bump("u:" + email.toLowerCase(), now);
        bump("ip:" + ip, now);
        if (byKey.size() > 100_000) {
            byKey.entrySet().removeIf(e -> e.getValue().last().isBefore(now.minus(WINDOW)));
        }
    }

    public void succeeded(String email) {
        byKey.remove("u:" + email.toLowerCase());
    }

    private void bump(String key, Instant now) {
        byKey.compute(key, (k, f) -> f == null || f.last().isBefore(now.minus(WINDOW))
                ? new Failures(1, now) : new Failures(f.count() + 1, now));
    }

    private static Duration wait(Failures f, int free, Instant now) {
        if (f == null || f.count() < free || f.last().isBefore(now.minus(WINDOW))) {
            return Duration.ZERO;
        }
        long seconds = Math.min(MAX_LOCKOUT.toSeconds(), 1L << Math.min(20, f.count() - free));
        Instant until = f.last().plusSeconds(seconds);
        return until.isAfter(now) ? Duration.between(now, until) : Duration.ZERO;
    }
}
