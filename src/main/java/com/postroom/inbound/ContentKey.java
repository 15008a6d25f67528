package com.postroom.inbound;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A message's identity across fetches: its Message-ID plus a hash of the body and the headers the author wrote
 * (From, Date, Subject). Trace headers that servers add on the way (Received, Delivered-To, Return-Path) are left
 * out, so the same message fetched again, after a UIDVALIDITY change, or from a second synced mailbox, has the same
 * key; two different messages that share a Message-ID do not. A message without Message-ID gets a synthetic one made
 * from this key: stable across fetches, never random.
 */
public final class ContentKey {

    private ContentKey() {
    }

    static String of(RawMail raw, HeaderBlock headers) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String name : new String[] {"Message-ID", "From", "Date", "Subject", "To"}) {
                sha.update(headers.raw(name).orElse("").strip().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            sha.update(raw.bodySha256());
            return HexFormat.of().formatHex(sha.digest());
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

    static String syntheticMessageId(String key) {
        return "<" + key.substring(0, 32) + "@synthetic.postroom.invalid>";
    }
}
