package com.postroom.mime;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.mail.internet.MimeUtility;

/**
 * Turns bytes from a message into text without ever failing. The declared charset is used when Java knows it
 * (through MIME's aliases); a wrong or unknown one, or none, falls back to strict UTF-8, then to windows-1252 (a
 * superset of ISO-8859-1 that every byte decodes in), which is what undeclared 8-bit mail nearly always is.
 */
final class Charsets {

    static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    private Charsets() {
    }

    static String decode(byte[] bytes, String declared) {
        Optional<Charset> charset = lookup(declared);
        if (charset.isPresent() && !charset.get().equals(StandardCharsets.US_ASCII)) {
            // A declared charset is trusted unless the bytes are not valid in it (a message that says ISO-8859-1 but
            // is UTF-8 decodes fine as Latin-1, which is the sender's word and what other clients show too).
            Optional<String> strict = strict(bytes, charset.get());
            if (strict.isPresent()) {
                return strict.get();
            }
        }
        return strict(bytes, StandardCharsets.UTF_8).orElseGet(() -> new String(bytes, WINDOWS_1252));
    }

    /**
     * Labels that mailers use for the larger Microsoft code page they really wrote, read as that code page, as
     * browsers do (WHATWG Encoding Standard): Outlook labels Western mail ISO-8859-1 and writes windows-1252's curly
     * quotes, dashes and euro sign in bytes that ISO-8859-1 reads as invisible control characters; "gb2312" mail
     * contains GBK characters, "ks_c_5601-1987" is code page 949. The supersets read the smaller set's text the same.
     */
    private static final Map<String, String> SUPERSETS = Map.of(
            "ISO-8859-1", "windows-1252",
            "ISO-8859-9", "windows-1254",
            "GB2312", "GBK",
            "EUC-KR", "x-windows-949",
            "Shift_JIS", "windows-31j",
            "TIS-620", "x-windows-874",
            "Big5", "Big5-HKSCS");

    /**
     * Labels Jakarta Mail's table maps elsewhere or Java does not know. Jakarta maps "us-ascii" to ISO-8859-1, which is
     * read as windows-1252 and accepts every byte: UTF-8 text from a script that labels everything us-ascii (common)
     * came out as "GrÃ¼ÃŸe". As US-ASCII, bytes outside it make the label wrong, and UTF-8 is tried as for any other.
     */
    private static final Map<String, String> LABELS = Map.of(
            "us-ascii", "US-ASCII",
            "ascii", "US-ASCII",
            "ansi_x3.4-1968", "US-ASCII",
            "us", "US-ASCII",
            "macintosh", "x-MacRoman",
            "x-mac-roman", "x-MacRoman",
            "mac", "x-MacRoman");

    static Optional<Charset> lookup(String declared) {
        if (declared == null || declared.isBlank()) {
            return Optional.empty();
        }
        String label = declared.strip().replace("\"", "");
        String name = LABELS.getOrDefault(label.toLowerCase(Locale.ROOT), MimeUtility.javaCharset(label));
        try {
            Charset charset = Charset.forName(name);
            String superset = SUPERSETS.get(charset.name());
            return Optional.of(superset != null && Charset.isSupported(superset) ? Charset.forName(superset) : charset);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static Optional<String> strict(byte[] bytes, Charset charset) {
        try {
            CharBuffer chars = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return Optional.of(chars.toString());
        } catch (CharacterCodingException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}
