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

    /**
     * Longer is no address (RFC 5321 4.5.3.1.3: a path of at most 256 octets with its brackets) and no Message-ID (RFC
     * 5322: a line of at most 998 characters). Such values come from broken or hostile mail; kept, they were refused by
     * the indexes on sender and Message-ID, whose entries PostgreSQL limits to about 2,700 bytes, and the message with
     * them. Left out, the message is stored: without that sender, or under an id made from its content.
     */
    static final int MAX_ADDRESS = 254;
    static final int MAX_MESSAGE_ID = 998;

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
                        if (member.getAddress().length() <= MAX_ADDRESS) {
                            out.add(new Named(member.getAddress().toLowerCase(Locale.ROOT), member.getPersonal()));
                        }
                    }
                } else if (a.getAddress() != null && a.getAddress().contains("@")) {
                    Named named = salvaged(a.getAddress().strip(), a.getPersonal());
                    if (named != null && named.address().length() <= MAX_ADDRESS) {
                        out.add(named);
                    }
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
            if (m.group().length() <= MAX_ADDRESS) {
                out.add(new Named(m.group().toLowerCase(Locale.ROOT), null));
            }
        }
        return out;
    }

    /**
     * What the lenient parse took for an address, made one: RFC 5322's comments dropped ("pete(his account)@silly.test")
     * and the obsolete spaces around its dots and @ closed up; where words remain ("Big Bug bb@bug.com", two bare
     * addresses, as scripts write From), the first address among them, with the words before it as its name.
     */
    private static Named salvaged(String address, String personal) {
        String plain = address.indexOf('(') >= 0 ? withoutComments(address) : address;
        if (plain.indexOf(' ') < 0 && plain.indexOf('\t') < 0) {
            return new Named(plain.toLowerCase(Locale.ROOT), personal);
        }
        plain = plain.replaceAll("\\s*([.@])\\s*", "$1");
        if (!plain.matches(".*\\s.*")) {
            return new Named(plain.toLowerCase(Locale.ROOT), personal);
        }
        Matcher m = ADDRESS.matcher(plain);
        if (!m.find()) {
            return null;
        }
        String before = plain.substring(0, m.start()).strip();
        String name = personal != null || before.isEmpty() || before.contains("@") ? personal : before;
        return new Named(m.group().toLowerCase(Locale.ROOT), name);
    }

    /** The text without its (possibly nested) comments; a quoted string or a backslash-escaped parenthesis is kept. */
    private static String withoutComments(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                if (depth == 0) {
                    out.append(c).append(s.charAt(i + 1));
                }
                i++;
            } else if (c == '"' && depth == 0) {
                quoted = !quoted;
                out.append(c);
            } else if (c == '(' && !quoted) {
                depth++;
            } else if (c == ')' && !quoted && depth > 0) {
                depth--;
            } else if (depth == 0) {
                out.append(c);
            }
        }
        return out.toString().strip();
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
            if (m.group(1).length() + 2 <= MAX_MESSAGE_ID) {
                ids.add("<" + m.group(1) + ">");
            }
        }
        if (ids.isEmpty() && !value.isBlank() && !value.strip().contains(" ") && value.strip().length() <= MAX_MESSAGE_ID) {
            ids.add("<" + value.strip().replaceAll("^<|>$", "") + ">");
        }
        return ids;
    }
}
