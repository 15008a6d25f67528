package com.postroom.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.springframework.core.env.Environment;

import com.postroom.mail.Secret;

/**
 * Reads Postroom's settings by their environment names ({@code SMTP_HOST}, ...) and validates each one where it is
 * read, so every wrong value stops start-up with one sentence naming the variable. Spring's {@link Environment} is the
 * source, so tests and {@code --SMTP_HOST=...} arguments work the same way as real environment variables.
 */
public final class Env {

    private final Environment environment;

    public Env(Environment environment) {
        this.environment = environment;
    }

    public Optional<String> string(String name) {
        String value = environment.getProperty(name);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(value.trim());
    }

    public boolean isSet(String name) {
        return environment.getProperty(name) != null;
    }

    public String string(String name, String fallback) {
        return string(name).orElse(fallback);
    }

    /** A secret from {@code NAME}, or from the file named by {@code NAME_FILE} (Docker and systemd credentials). */
    public Optional<Secret> secret(String name) {
        Optional<String> direct = Optional.ofNullable(environment.getProperty(name)).filter(v -> !v.isEmpty());
        Optional<String> file = string(name + "_FILE");
        if (direct.isPresent() && file.isPresent()) {
            throw new ConfigurationError(name + " and " + name + "_FILE are both set; set only one of them.");
        }
        if (direct.isPresent()) {
            return direct.map(Secret::of);
        }
        if (file.isEmpty()) {
            return Optional.empty();
        }
        Path path = Path.of(file.get());
        try {
            String content = Files.readString(path, StandardCharsets.UTF_8);
            // Files written by editors and `echo` end in a newline that is not part of the secret.
            String value = content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
                    : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
            if (value.isEmpty()) {
                throw new ConfigurationError(name + "_FILE points at " + path + ", which is empty.");
            }
            return Optional.of(Secret.of(value));
        } catch (IOException e) {
            throw new ConfigurationError(name + "_FILE points at " + path + ", which cannot be read ("
                    + e.getClass().getSimpleName() + ").");
        }
    }

    public boolean bool(String name, boolean fallback) {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return fallback;
        }
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new ConfigurationError(name + " must be true or false, not '" + value.get() + "'.");
        };
    }

    public int integer(String name, int fallback, int min, int max) {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.get());
            if (parsed < min || parsed > max) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigurationError(name + " must be a whole number from " + min + " to " + max + ", not '"
                    + value.get() + "'.");
        }
    }

    public int port(String name, int fallback) {
        return integer(name, fallback, 1, 65535);
    }

    public long bytes(String name, long fallback) {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return fallback;
        }
        String v = value.get().toUpperCase(Locale.ROOT).replace(" ", "");
        long factor = 1;
        if (v.endsWith("KB") || v.endsWith("K")) {
            factor = 1024;
        } else if (v.endsWith("MB") || v.endsWith("M")) {
            factor = 1024 * 1024;
        } else if (v.endsWith("GB") || v.endsWith("G")) {
            factor = 1024L * 1024 * 1024;
        }
        String digits = v.replaceAll("[KMGB]+$", "");
        try {
            long parsed = Long.parseLong(digits) * factor;
            if (parsed <= 0) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigurationError(name + " must be a size such as 10MB or 512KB, not '" + value.get() + "'.");
        }
    }

    /** A duration as {@code 30s}, {@code 5m}, {@code 24h}, {@code 2d}, {@code 250ms} or a bare number of seconds. */
    public Duration duration(String name, Duration fallback) {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return fallback;
        }
        Duration parsed = parseDuration(value.get());
        if (parsed == null || parsed.isNegative() || parsed.isZero()) {
            throw new ConfigurationError(name + " must be a duration such as 30s, 5m, 24h or 2d, not '"
                    + value.get() + "'.");
        }
        return parsed;
    }

    static Duration parseDuration(String raw) {
        String v = raw.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.replaceAll("[smhd]$", ""));
            return switch (v.charAt(v.length() - 1)) {
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> Duration.ofSeconds(n);
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            return null;
        }
    }

    public List<String> list(String name, String fallback) {
        return Arrays.stream(string(name, fallback).split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
