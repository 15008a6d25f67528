package com.postroom.mime;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RFC 2047 encoded words ({@code =?charset?B|Q?text?=}), decoded leniently: an unknown charset falls back (see
 * {@link Charsets}), broken base64 keeps what decodes, words split across adjacent encoded words (a multi-byte
 * character cut in two, as many mailers do) are joined before decoding, and encoded words inside other text (not
 * allowed, but common) are decoded too. Jakarta Mail's own decoder throws on an unknown charset.
 */
public final class EncodedWords {

    private static final Pattern WORD = Pattern.compile("=\\?([^?\\s]+)\\?([bBqQ])\\?([^?\\s]*)\\?=");
    private static final Pattern BETWEEN_WORDS = Pattern.compile("\\s*");
    /** RFC 5322 §3.2.3 specials, which end a display name unless quoted. */
    private static final String ADDRESS_SPECIALS = "()<>[]:;@\\,.\"";

    private EncodedWords() {
    }

    public static String decode(String value) {
        return decode(value, false);
    }

    /**
     * For address headers (From, To, Cc, Reply-To): a decoded display name stays one name. "=?UTF-8?Q?M=C3=BCller=2C_
     * Hans?= <hans@example.com>" is one address whose name has a comma; decoded as plain text it would read as two
     * addresses. So decoded text that contains an address header's special characters is put in a quoted string
     * (RFC 5322 §3.2.4), or escaped when the encoded word already stood inside one (not allowed, but common).
     */
    public static String decodeAddressHeader(String value) {
        return decode(value, true);
    }

    private static String decode(String value, boolean addressHeader) {
        if (value == null || !value.contains("=?")) {
            return value;
        }
        Matcher m = WORD.matcher(value);
        StringBuilder out = new StringBuilder();
        int last = 0;
        int runStart = 0;
        String pendingCharset = null;
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        while (m.find()) {
            String between = value.substring(last, m.start());
            boolean adjacent = pendingCharset != null && BETWEEN_WORDS.matcher(between).matches();
            String charset = stripLanguage(m.group(1));
            if (!adjacent || !charset.equalsIgnoreCase(pendingCharset)) {
                flush(out, pending, pendingCharset, addressHeader && insideQuotes(value, runStart), addressHeader);
                pendingCharset = null;
                if (!adjacent) {
                    out.append(between);
                }
                runStart = m.start();
            }
            pendingCharset = charset;
            byte[] bytes = m.group(2).equalsIgnoreCase("B") ? base64(m.group(3)) : quoted(m.group(3));
            pending.writeBytes(bytes);
            last = m.end();
        }
        flush(out, pending, pendingCharset, addressHeader && insideQuotes(value, runStart), addressHeader);
        out.append(value.substring(last));
        return out.toString();
    }

    private static void flush(StringBuilder out, ByteArrayOutputStream pending, String charset, boolean inQuotes,
                              boolean addressHeader) {
        if (charset != null) {
            String text = Charsets.decode(pending.toByteArray(), charset);
            if (inQuotes) {
                text = escapeForQuotedString(text);
            } else if (addressHeader && text.chars().anyMatch(c -> ADDRESS_SPECIALS.indexOf(c) >= 0)) {
                text = '"' + escapeForQuotedString(text) + '"';
            }
            out.append(text);
        }
        pending.reset();
    }

    private static String escapeForQuotedString(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** Whether position {@code end} of a header value lies inside a quoted string (an odd number of quotes before). */
    private static boolean insideQuotes(String value, int end) {
        boolean inside = false;
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                inside = !inside;
            }
        }
        return inside;
    }

    /** RFC 2231 §5 allows {@code charset*language}. */
    private static String stripLanguage(String charset) {
        int star = charset.indexOf('*');
        return star < 0 ? charset : charset.substring(0, star);
    }

    private static byte[] base64(String text) {
        String clean = text.replaceAll("[^A-Za-z0-9+/]", "");
        if (clean.length() % 4 == 1) {
            clean = clean.substring(0, clean.length() - 1); // a stray character cannot be decoded
        }
        while (clean.length() % 4 != 0) {
            clean += "=";
        }
        try {
            return Base64.getDecoder().decode(clean);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static byte[] quoted(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '_') {
                out.write(' ');
            } else if (c == '=' && i + 2 < text.length() && hex(text.charAt(i + 1)) >= 0 && hex(text.charAt(i + 2)) >= 0) {
                out.write(hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2)));
                i += 2;
            } else {
                out.write(c & 0xff);
            }
        }
        return out.toByteArray();
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
