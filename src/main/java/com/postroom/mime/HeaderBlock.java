package com.postroom.mime;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A message's top-level headers, read from the raw bytes: unfolded (RFC 5322 §2.2.3), each line decoded as UTF-8
 * when it is valid UTF-8 (RFC 6532), otherwise in the charset the message declares for its body (as Thunderbird
 * reads them: a Big5 or KOI8-R mailer writes its headers in the body's charset), and as windows-1252 when there is
 * none, so 8-bit headers from non-compliant mailers come out readable instead of as replacement characters. Lines of
 * any length are fine.
 */
public final class HeaderBlock {

    public record Field(String name, String value) {
    }

    /** {@code charset=} in a Content-Type value, quoted or not. */
    private static final Pattern CHARSET = Pattern.compile("(?i)(?:^|;)\\s*charset\\s*=\\s*\"?([^\";\\s]+)");

    private final List<Field> fields;
    /** Whether a line was neither ASCII nor UTF-8, so that its charset had to be guessed. */
    private final boolean guessed;
    /** See {@link #identity()}; null when it is this block. */
    private final HeaderBlock decodedBefore;

    private HeaderBlock(List<Field> fields, boolean guessed, HeaderBlock decodedBefore) {
        this.fields = fields;
        this.guessed = guessed;
        this.decodedBefore = decodedBefore;
    }

    public static HeaderBlock parse(byte[] block) {
        HeaderBlock headers = parse(block, null, null);
        if (!headers.guessed) {
            return headers;
        }
        Matcher charset = CHARSET.matcher(headers.raw("Content-Type").orElse(""));
        if (!charset.find() || Charsets.lookup(charset.group(1)).isEmpty()) {
            return headers;
        }
        return parse(block, charset.group(1), headers);
    }

    /**
     * The headers as versions before 2026-12 decoded them (a line that is not UTF-8 as windows-1252), for what must
     * not change when the decoding improves: the content key a message was stored under ({@link ContentKey}), by
     * which a message fetched again is found rather than stored twice.
     */
    public HeaderBlock identity() {
        return decodedBefore == null ? this : decodedBefore;
    }

    private static HeaderBlock parse(byte[] block, String bodyCharset, HeaderBlock decodedBefore) {
        List<Field> fields = new ArrayList<>();
        boolean guessed = false;
        StringBuilder current = null;
        int start = 0;
        for (int i = 0; i <= block.length; i++) {
            if (i == block.length || block[i] == '\n') {
                int end = i > start && block[i - 1] == '\r' ? i - 1 : i;
                byte[] lineBytes = java.util.Arrays.copyOfRange(block, start, end);
                String line;
                if (Charsets.isAscii(lineBytes)) {
                    line = new String(lineBytes, StandardCharsets.US_ASCII);
                } else {
                    Optional<String> utf8 = Charsets.strict(lineBytes, StandardCharsets.UTF_8);
                    guessed |= utf8.isEmpty();
                    line = utf8.orElseGet(() -> Charsets.decode(lineBytes, bodyCharset));
                }
                start = i + 1;
                if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                    if (current != null) {
                        current.append(line);
                    }
                    continue;
                }
                add(fields, current);
                current = new StringBuilder(line);
            }
        }
        add(fields, current);
        return new HeaderBlock(fields, guessed, decodedBefore);
    }

    private static void add(List<Field> fields, StringBuilder line) {
        if (line == null) {
            return;
        }
        int colon = line.indexOf(":");
        if (colon <= 0) {
            return; // Not a header line (a stray "From " envelope line, garbage): skipped, not fatal.
        }
        String name = line.substring(0, colon).strip();
        if (name.isEmpty() || name.contains(" ")) {
            return;
        }
        fields.add(new Field(name, line.substring(colon + 1).strip()));
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    public List<Field> fields() {
        return fields;
    }

    /** The first value, undecoded. */
    public Optional<String> raw(String name) {
        return fields.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(Field::value).findFirst();
    }

    /** The first value with RFC 2047 encoded words decoded. */
    public Optional<String> text(String name) {
        return raw(name).map(EncodedWords::decode);
    }

    /** The first value of an address header, decoded so that a display name stays one name (see EncodedWords). */
    public Optional<String> addressText(String name) {
        return raw(name).map(EncodedWords::decodeAddressHeader);
    }

    public List<String> all(String name) {
        return fields.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(Field::value).toList();
    }

    public boolean has(String name) {
        return raw(name).isPresent();
    }

    public String lowerRaw(String name) {
        return raw(name).map(v -> v.toLowerCase(Locale.ROOT)).orElse("");
    }
}
