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

    private static final Pattern HOST_LABEL = Pattern.compile("(?i)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
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
        if (raw.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidAddressException("'" + printable(raw) + "' contains a line break or control character");
        }
        String ascii = asciiDomain(raw.trim());
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
        String local = address.substring(0, at);
        String domain = address.substring(at + 1).toLowerCase(Locale.ROOT);
        if (local.chars().anyMatch(c -> c > 0x7e)) {
            throw new InvalidAddressException("'" + raw + "' has characters outside ASCII before the @; such addresses "
                    + "need SMTPUTF8 all the way to the recipient, which Postroom does not rely on");
        }
        if (local.length() > MAX_LOCAL_PART || address.length() > MAX_ADDRESS) {
            throw new InvalidAddressException("'" + raw + "' is longer than an address may be");
        }
        if (!isHostName(domain)) {
            throw new InvalidAddressException("'" + raw + "' does not end in a valid domain name");
        }
        return new EmailAddress(local + "@" + domain, Optional.ofNullable(parsed.getPersonal()));
    }

    /**
     * An internationalized domain ("bücher.example") as its ASCII form ("xn--bcher-kva.example", IDNA), which every
     * mail server accepts, whereas the UTF-8 form would need SMTPUTF8 on every hop.
     */
    private static String asciiDomain(String raw) {
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

    private static boolean isHostName(String domain) {
        if (domain.length() > 253 || !domain.contains(".")) {
            return false;
        }
        for (String label : domain.split("\\.", -1)) {
            if (!HOST_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return !domain.matches(".*\\.[0-9]+$");
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
