package com.postroom.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;

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

    public static RealMailServer requireOrSkip() {
        Path file = Path.of(System.getenv().getOrDefault("POSTROOM_REAL_MAIL_ENV", "/tmp/postroom-mailserver/env"));
        boolean required = "true".equals(System.getenv("POSTROOM_REAL_MAIL_REQUIRED"));
        if (!Files.isReadable(file) || !portOpen(readPort(file))) {
            String message = "Real mail server suite SKIPPED: no Postfix/Dovecot described by " + file
                    + " (run `sudo scripts/mailserver/start.sh` to include it; .ci/run does).";
            if (required) {
                throw new IllegalStateException(message.replace("SKIPPED", "REQUIRED but missing"));
            }
            System.out.println("\n*** " + message + "\n");
            Assumptions.abort(message);
        }
        return new RealMailServer(read(file));
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
