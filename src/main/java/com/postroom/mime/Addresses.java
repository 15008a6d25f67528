package com.postroom.mime;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/** Address headers as real mail has them: parsed leniently, and when even that fails, addresses found by pattern. */
public final class Addresses {

    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9._%+'=!#$&*/?^`{|}~-]+@[A-Za-z0-9.-]+\\.[A-Za-z0-9-]{2,}");

    record Named(String address, String name) {
    }

    private Addresses() {
    }

    static List<Named> parse(String decodedValue) {
        List<Named> out = new ArrayList<>();
        if (decodedValue == null || decodedValue.isBlank()) {
            return out;
        }
        try {
            for (InternetAddress a : InternetAddress.parseHeader(decodedValue, false)) {
                // A group ("team: a@x, b@y;") first: its "address" is the whole group text, which contains an @.
                if (a.isGroup()) {
                    for (InternetAddress member : a.getGroup(false)) {
                        out.add(new Named(member.getAddress().toLowerCase(Locale.ROOT), member.getPersonal()));
                    }
                } else if (a.getAddress() != null && a.getAddress().contains("@")) {
                    out.add(new Named(a.getAddress().strip().toLowerCase(Locale.ROOT), a.getPersonal()));
                }
            }
            if (!out.isEmpty()) {
                return out;
            }
        } catch (AddressException e) {
            // Fall through to the pattern.
        }
        Matcher m = ADDRESS.matcher(decodedValue);
        while (m.find()) {
            out.add(new Named(m.group().toLowerCase(Locale.ROOT), null));
        }
        return out;
    }

    static List<String> addresses(Optional<String> decodedValue) {
        Set<String> unique = new LinkedHashSet<>();
        decodedValue.ifPresent(v -> parse(v).forEach(n -> unique.add(n.address())));
        return List.copyOf(unique);
    }

    /** The {@code <id>} tokens of Message-ID, In-Reply-To and References (a bare id without brackets is accepted). */
    public static List<String> messageIds(String value) {
        List<String> ids = new ArrayList<>();
        if (value == null) {
            return ids;
        }
        Matcher m = Pattern.compile("<([^<>\\s]+)>").matcher(value);
        while (m.find()) {
            ids.add("<" + m.group(1) + ">");
        }
        if (ids.isEmpty() && !value.isBlank() && !value.strip().contains(" ")) {
            ids.add("<" + value.strip().replaceAll("^<|>$", "") + ">");
        }
        return ids;
    }
}
