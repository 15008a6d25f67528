package com.postroom.outbound;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Locale;

import org.springframework.stereotype.Component;

import com.postroom.config.Keys;

/**
 * Postroom's own Message-IDs (RFC 5322 §3.6.4): {@code <time.random.tag@sending-domain>}. The tag is a keyed MAC of
 * the rest, so a reply that references one can be recognised as truly Postroom's, and a forged reference cannot
 * attach mail to a thread it does not belong to.
 */
@Component
public class MessageIds {

    private static final String PURPOSE = "message-id";
    private static final int TAG_CHARS = 12;
    private final Keys keys;
    // DRBG (NIST SP 800-90A) is seeded once and then pure Java; the default NativePRNG reads /dev/urandom under a
    // global lock on every call, which shows up under a burst of sends.
    private final SecureRandom random = drbg();

    MessageIds(Keys keys) {
        this.keys = keys;
    }

    private static SecureRandom drbg() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    public String create(String domain) {
        byte[] bytes = new byte[10];
        random.nextBytes(bytes);
        String local = Long.toString(System.currentTimeMillis(), 36) + "." + base32(bytes);
        return "<" + local + "." + tag(local) + "@" + domain.toLowerCase(Locale.ROOT) + ">";
    }

    /** True when the id was made by this server (same key). */
    public boolean isOurs(String messageId) {
        String id = messageId.strip();
        if (id.startsWith("<") && id.endsWith(">")) {
            id = id.substring(1, id.length() - 1);
        }
        int at = id.lastIndexOf('@');
        int dot = at < 0 ? -1 : id.lastIndexOf('.', at);
        if (dot < 0) {
            return false;
        }
        return java.security.MessageDigest.isEqual(tag(id.substring(0, dot)).getBytes(StandardCharsets.US_ASCII),
                id.substring(dot + 1, at).getBytes(StandardCharsets.US_ASCII));
    }

    private String tag(String local) {
        return base32(keys.hmac(PURPOSE, local.getBytes(StandardCharsets.US_ASCII))).substring(0, TAG_CHARS);
    }

    private static String base32(byte[] bytes) {
        final String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(alphabet.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }
}
