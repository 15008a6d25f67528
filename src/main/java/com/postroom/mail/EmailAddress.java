package com.postroom.mail;

import java.io.UnsupportedEncodingException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/**
 * One mailbox address, validated once at the edge (RFC 5322 addr-spec through Jakarta Mail's strict parser, plus the
 * checks a mail server would make: a dotted host name, no control characters, length limits of RFC 5321 §4.5.3.1).
 * Everything inside Postroom can trust an {@code EmailAddress}.
 */
public record EmailAddress(String address, Optional<String> displayName) {

    /** RFC 5322's atext: what a dot-atom's local part is made of besides its dots. */
    private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";
    private static final int MAX_LOCAL_PART = 64;
    private static final int MAX_ADDRESS = 254;
    private static final Pattern DOMAIN_AT_END = Pattern.compile("@([^@\\s<>\"(),;:\\[\\]]+)>?\\s*$");

    public EmailAddress {
        displayName = displayName.filter(n -> !n.isBlank());
    }

    /** Parses {@code a@b.c} or {@code Name <a@b.c>}; throws {@link InvalidAddressException} with a reason. */
    public static EmailAddress parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new InvalidAddressException("an empty address");
        }
        if (hasControl(raw)) {
            throw new InvalidAddressException("'" + printable(raw) + "' contains a line break or control character");
        }
        String trimmed = raw.trim();
        int at = plainAt(trimmed);
        if (at > 0) {
            // A bare dot-atom address, the form nearly every caller sends: what Jakarta Mail's strict parser would
            // answer for it (this address, no name) without running it. A call of 500 to /email/batch parsed 1,500
            // addresses, a tenth of its request thread (EmailAddressTest compares the two ways). One that fails the
            // checks goes the general way too, so that its refusal says what it always said.
            try {
                return checked(raw, trimmed.substring(0, at), trimmed.substring(at + 1), null);
            } catch (InvalidAddressException e) {
                return parseWithJakarta(raw, trimmed);
            }
        }
        return parseWithJakarta(raw, trimmed);
    }

    /** The general way: names, quoted local parts, comments, internationalized domains. */
    static EmailAddress parseWithJakarta(String raw, String trimmed) {
        String ascii = asciiDomain(trimmed);
        InternetAddress parsed;
        try {
            InternetAddress[] all = InternetAddress.parse(ascii, true);
            if (all.length != 1) {
                throw new InvalidAddressException("'" + raw + "' is not exactly one address");
            }
            parsed = all[0];
            parsed.validate();
        } catch (AddressException e) {
            throw new InvalidAddressException("'" + raw + "' is not a valid email address");
        }
        String address = parsed.getAddress();
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            throw new InvalidAddressException("'" + raw + "' has no domain");
        }
        return checked(raw, address.substring(0, at), address.substring(at + 1), parsed.getPersonal());
    }

    /** The checks a mail server would make, after either way of parsing. */
    private static EmailAddress checked(String raw, String local, String rawDomain, String personal) {
        String domain = rawDomain.toLowerCase(Locale.ROOT);
        for (int i = 0; i < local.length(); i++) {
            if (local.charAt(i) > 0x7e) {
                throw new InvalidAddressException("'" + raw + "' has characters outside ASCII before the @; such "
                        + "addresses need SMTPUTF8 all the way to the recipient, which Postroom does not rely on");
            }
        }
        if (local.length() > MAX_LOCAL_PART || local.length() + 1 + domain.length() > MAX_ADDRESS) {
            throw new InvalidAddressException("'" + raw + "' is longer than an address may be");
        }
        if (!isHostName(domain)) {
            throw new InvalidAddressException("'" + raw + "' does not end in a valid domain name");
        }
        return new EmailAddress(local + "@" + domain, Optional.ofNullable(personal));
    }

    private static boolean isAscii(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasControl(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where the @ is when the text is one bare dot-atom address that Jakarta Mail's strict parser reads as itself
     * with no name: ASCII atext and single dots before the one @, letters, digits, hyphens and dots after it;
     * otherwise -1, and the general way decides.
     */
    static int plainAt(String s) {
        int at = s.indexOf('@');
        if (at <= 0 || at == s.length() - 1 || s.indexOf('@', at + 1) >= 0) {
            return -1;
        }
        char previous = '.'; // a local part may not start with a dot
        for (int i = 0; i < at; i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (previous == '.') {
                    return -1;
                }
            } else if (!(c < 0x80 && (Character.isLetterOrDigit(c) || ATEXT_SPECIALS.indexOf(c) >= 0))) {
                return -1;
            }
            previous = c;
        }
        if (previous == '.') {
            return -1;
        }
        for (int i = at + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == '.'))) {
                return -1;
            }
        }
        return at;
    }

    /**
     * An internationalized domain ("bücher.example") as its ASCII form ("xn--bcher-kva.example", IDNA), which every
     * mail server accepts, whereas the UTF-8 form would need SMTPUTF8 on every hop.
     */
    private static String asciiDomain(String raw) {
        if (isAscii(raw)) {
            return raw;
        }
        Matcher m = DOMAIN_AT_END.matcher(raw);
        if (!m.find() || m.group(1).chars().allMatch(c -> c < 0x80)) {
            return raw;
        }
        try {
            return raw.substring(0, m.start(1)) + IDN.toASCII(m.group(1), IDN.USE_STD3_ASCII_RULES)
                    + raw.substring(m.end(1));
        } catch (IllegalArgumentException e) {
            throw new InvalidAddressException("'" + raw + "' has a domain name that is not a valid internationalized "
                    + "domain name");
        }
    }

    /** Dotted labels of letters, digits and inner hyphens (at most 63 each), the last one not all digits. */
    private static boolean isHostName(String domain) {
        if (domain.length() > 253 || domain.indexOf('.') < 0) {
            return false;
        }
        int start = 0;
        boolean digitsOnly = true;
        for (int i = 0; i <= domain.length(); i++) {
            char c = i < domain.length() ? domain.charAt(i) : '.';
            if (c == '.') {
                int length = i - start;
                if (length == 0 || length > 63 || domain.charAt(start) == '-' || domain.charAt(i - 1) == '-') {
                    return false;
                }
                start = i + 1;
                if (i < domain.length()) {
                    digitsOnly = true;
                }
            } else if (c >= '0' && c <= '9') {
                continue;
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-') {
                digitsOnly = false;
            } else {
                return false;
            }
        }
        return !digitsOnly;
    }

    private static String printable(String raw) {
        return raw.replace("\r", "\\r").replace("\n", "\\n");
    }

    public String domain() {
        return address.substring(address.lastIndexOf('@') + 1);
    }

    public EmailAddress withDisplayName(String name) {
        return new EmailAddress(address, Optional.ofNullable(name));
    }

    /** For Jakarta Mail; a non-ASCII display name is encoded per RFC 2047 when the message is written. */
    public InternetAddress toInternetAddress() {
        try {
            return new InternetAddress(address, displayName.orElse(null), StandardCharsets.UTF_8.name());
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The address alone, lower-case domain, as stored and compared. */
    @Override
    public String toString() {
        return address;
    }

    public static final class InvalidAddressException extends RuntimeException {
        public InvalidAddressException(String reason) {
            super(reason);
        }
    }
}
