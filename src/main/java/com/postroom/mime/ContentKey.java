package com.postroom.mime;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;


/**
 * A message's identity across fetches: its Message-ID plus a hash of the body and the headers the author wrote
 * (From, Date, Subject, To, and Cc, Bcc, Reply-To, In-Reply-To and References where present). Trace headers that
 * servers add on the way (Received, Delivered-To, Return-Path) are left out, so the same message fetched again, after
 * a UIDVALIDITY change, or from a second synced mailbox, has the same key; two different messages that share a
 * Message-ID do not, even when they differ only in who was copied. A message without Message-ID gets a synthetic one
 * made from this key: stable across fetches, never random.
 */
public final class ContentKey {

    private static final String[] ALWAYS = {"Message-ID", "From", "Date", "Subject", "To"};
    /**
     * Hashed only when present, with their names, so that a message without them keeps the key it had before they
     * were part of the identity (the first five alone); see {@link #legacy}.
     */
    private static final String[] WHEN_PRESENT = {"Cc", "Bcc", "Reply-To", "In-Reply-To", "References"};

    private ContentKey() {
    }

    public static String of(RawMail raw, HeaderBlock decoded) {
        HeaderBlock headers = decoded.identity();
        MessageDigest sha = sha256();
        hashAlways(sha, headers);
        for (String name : WHEN_PRESENT) {
            java.util.Optional<String> value = headers.raw(name);
            if (value.isPresent()) {
                sha.update((name + ":" + value.get().strip()).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
        }
        sha.update(raw.bodySha256());
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * The key as it was computed before Cc and the others were part of it, or empty when it is the same as
     * {@link #of}. Rows stored before then carry it, so a message fetched again still finds its row.
     */
    public static java.util.Optional<String> legacy(RawMail raw, HeaderBlock decoded) {
        HeaderBlock headers = decoded.identity();
        boolean differs = java.util.Arrays.stream(WHEN_PRESENT).anyMatch(n -> headers.raw(n).isPresent());
        if (!differs) {
            return java.util.Optional.empty();
        }
        MessageDigest sha = sha256();
        hashAlways(sha, headers);
        sha.update(raw.bodySha256());
        return java.util.Optional.of(HexFormat.of().formatHex(sha.digest()));
    }

    private static void hashAlways(MessageDigest sha, HeaderBlock headers) {
        for (String name : ALWAYS) {
            sha.update(headers.raw(name).orElse("").strip().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For an external id (Postmark's MessageID), which is stable across that provider's retries. */
    public static String external(String provider, String id) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((provider + ":" + id).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String syntheticMessageId(String key) {
        return "<" + key.substring(0, 32) + "@synthetic.postroom.invalid>";
    }
}
