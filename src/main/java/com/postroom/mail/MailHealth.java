package com.postroom.mail;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import jakarta.mail.MessagingException;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;


/**
 * /actuator/health components "smtp" and "imap": the server is reachable, TLS holds and the login works. Each check
 * opens a real connection, so results are cached for {@link #CACHE_FOR} rather than hitting the server per probe.
 */
@Configuration(proxyBeanMethods = false)
class MailHealth {

    static final Duration CACHE_FOR = Duration.ofSeconds(30);

    @Bean
    HealthIndicator smtpHealthIndicator(MailEndpoints endpoints, MailSessions sessions) {
        return new Cached(endpoints.smtp(), server -> sessions.connectSmtp(server).close());
    }

    @Bean
    HealthIndicator imapHealthIndicator(MailEndpoints endpoints, MailSessions sessions) {
        return new Cached(endpoints.imap(), server -> sessions.connectImap(server).close());
    }

    interface Probe {
        void check(MailServer server) throws MessagingException;
    }

    private static final class Cached implements HealthIndicator {
        private final Optional<MailServer> server;
        private final Probe probe;
        private volatile Health last;
        private volatile Instant checkedAt = Instant.EPOCH;

        Cached(Optional<MailServer> server, Probe probe) {
            this.server = server;
            this.probe = probe;
        }

        @Override
        public Health health() {
            if (server.isEmpty()) {
                return Health.unknown().withDetail("configured", false).build();
            }
            if (last != null && Instant.now().isBefore(checkedAt.plus(CACHE_FOR))) {
                return last;
            }
            MailServer s = server.get();
            Health.Builder builder;
            try {
                probe.check(s);
                builder = Health.up();
            } catch (MessagingException | RuntimeException e) {
                builder = Health.down().withDetail("error", describe(e));
            }
            last = builder.withDetail("server", s.describe()).withDetail("checked_at", Instant.now().toString())
                    .build();
            checkedAt = Instant.now();
            return last;
        }

        private static String describe(Exception e) {
            if (e instanceof jakarta.mail.AuthenticationFailedException) {
                return "login failed";
            }
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        }
    }
}
