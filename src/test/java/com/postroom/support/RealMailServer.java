package com.postroom.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import java.util.Optional;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The private Postfix + Dovecot started by scripts/mailserver/start.sh, described by the env file it writes.
 * CI (`.ci/run`) starts them and sets POSTROOM_REAL_MAIL_REQUIRED=true, so a missing server fails the build there;
 * elsewhere the suite is skipped with a visible message.
 */
public final class RealMailServer {

    private final Map<String, String> env;

    private RealMailServer(Map<String, String> env) {
        this.env = env;
    }

    private static Path envFile() {
        return Path.of(System.getenv().getOrDefault("POSTROOM_REAL_MAIL_ENV", "/tmp/postroom-mailserver/env"));
    }

    /** Why the suite cannot run here, if it cannot. */
    static Optional<String> unavailable() {
        Path file = envFile();
        if (Files.isReadable(file) && portOpen(readPort(file))) {
            return Optional.empty();
        }
        return Optional.of("no Postfix/Dovecot described by " + file
                + " is running (run `sudo scripts/mailserver/start.sh` to include this suite; .ci/run does)");
    }

    static boolean required() {
        return "true".equals(System.getenv("POSTROOM_REAL_MAIL_REQUIRED"));
    }

    public static RealMailServer load() {
        return new RealMailServer(read(envFile()));
    }

    /**
     * Put on a test class with {@code @ExtendWith}: the class is reported as skipped, with the reason, when the
     * servers are not running, and fails when POSTROOM_REAL_MAIL_REQUIRED=true (CI).
     */
    public static final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Optional<String> reason = unavailable();
            if (reason.isEmpty()) {
                return ConditionEvaluationResult.enabled("real mail server running");
            }
            if (required()) {
                throw new IllegalStateException("Real mail server suite is REQUIRED (POSTROOM_REAL_MAIL_REQUIRED) "
                        + "but " + reason.get());
            }
            return ConditionEvaluationResult.disabled("Real mail server suite SKIPPED: " + reason.get());
        }
    }

    private static int readPort(Path file) {
        return Integer.parseInt(read(file).getOrDefault("REAL_SMTP_SUBMISSION_PORT", "0"));
    }

    private static boolean portOpen(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Map<String, String> read(Path file) {
        Map<String, String> out = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    out.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    public String host() {
        return env.get("REAL_MAIL_HOST");
    }

    public int submissionPort() {
        return Integer.parseInt(env.get("REAL_SMTP_SUBMISSION_PORT"));
    }

    public int plainSmtpPort() {
        return Integer.parseInt(env.get("REAL_SMTP_PLAIN_PORT"));
    }

    public int imapsPort() {
        return Integer.parseInt(env.get("REAL_IMAPS_PORT"));
    }

    public String caFile() {
        return env.get("REAL_MAIL_CA_FILE");
    }

    public String password() {
        return env.get("REAL_MAIL_PASSWORD");
    }

    /** Postfix's log (maillog_file), where each session's disconnect line counts its commands. */
    public Path postfixLog() {
        return Path.of(env.get("REAL_MAIL_BASE"), "postfix", "postfix.log");
    }

    /** Spring properties that point Postroom at this server as the given user. */
    public Map<String, Object> postroomProperties(String user) {
        Map<String, Object> p = new HashMap<>();
        p.put("SMTP_HOST", host());
        p.put("SMTP_PORT", String.valueOf(submissionPort()));
        p.put("SMTP_USERNAME", user);
        p.put("SMTP_PASSWORD", password());
        p.put("IMAP_HOST", host());
        p.put("IMAP_PORT", String.valueOf(imapsPort()));
        p.put("IMAP_USERNAME", user);
        p.put("IMAP_PASSWORD", password());
        p.put("MAIL_TLS_CA_FILE", caFile());
        return p;
    }
}
