package com.postroom.deliverability;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Verifies the DKIM signatures of a received message the way a receiver does (RFC 6376 §6, with RFC 8301's rule that
 * SHA-1 no longer counts and RFC 8463's Ed25519): body hash, header hash over the signed fields, the signature against
 * the key published in DNS. Written here because the doctor must judge for itself rather than trust the
 * Authentication-Results header a server added.
 */
final class DkimVerifier {

    /** One signature's verdict: pass, fail, neutral (unusable), temperror or permerror (RFC 8601 words). */
    record Result(String result, String domain, String selector, String reason) {
    }

    private record Field(String name, String raw) {
    }

    private DkimVerifier() {
    }

    /** Every DKIM signature of the message, each verified; empty when it carries none. */
    static List<Result> verify(byte[] message, Dns dns) {
        String text = new String(message, StandardCharsets.ISO_8859_1).replaceAll("\r?\n", "\r\n");
        int split = text.indexOf("\r\n\r\n");
        String head = split < 0 ? text : text.substring(0, split + 2);
        String body = split < 0 ? "" : text.substring(split + 4);
        List<Field> fields = fields(head);
        List<Result> results = new ArrayList<>();
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase("DKIM-Signature")) {
                results.add(one(f, fields, body, dns));
            }
        }
        return results;
    }

    private static Result one(Field signature, List<Field> fields, String body, Dns dns) {
        Map<String, String> tags = tags(signature.raw().substring(signature.raw().indexOf(':') + 1));
        String d = tags.getOrDefault("d", "").toLowerCase(Locale.ROOT);
        String s = tags.getOrDefault("s", "");
        if (d.isEmpty() || s.isEmpty() || !tags.containsKey("b") || !tags.containsKey("bh") || !tags.containsKey("h")) {
            return new Result("permerror", d, s, "the signature lacks d=, s=, h=, bh= or b=");
        }
        String algorithm = tags.getOrDefault("a", "").toLowerCase(Locale.ROOT);
        if (!algorithm.equals("rsa-sha256") && !algorithm.equals("ed25519-sha256")) {
            return new Result("permerror", d, s, "a=" + algorithm + " is not an algorithm receivers accept "
                    + "(RFC 8301: rsa-sha256 or ed25519-sha256)");
        }
        if (tags.containsKey("x") && Long.parseLong(tags.get("x").trim()) < System.currentTimeMillis() / 1000) {
            return new Result("fail", d, s, "the signature expired (x=)");
        }
        String[] c = tags.getOrDefault("c", "simple/simple").toLowerCase(Locale.ROOT).split("/", 2);
        boolean relaxedHeaders = c[0].equals("relaxed");
        boolean relaxedBody = c.length > 1 && c[1].equals("relaxed");
        String canonical = relaxedBody ? relaxedBody(body) : simpleBody(body);
        if (tags.containsKey("l")) {
            int l = Integer.parseInt(tags.get("l").trim());
            canonical = canonical.substring(0, Math.min(l, canonical.length()));
        }
        byte[] bh = sha256(canonical.getBytes(StandardCharsets.ISO_8859_1));
        if (!MessageDigest.isEqual(bh, Base64.getMimeDecoder().decode(tags.get("bh")))) {
            return new Result("fail", d, s, "the body hash does not match: the body changed after signing");
        }
        StringBuilder signed = new StringBuilder();
        Map<String, Integer> used = new HashMap<>();
        for (String name : tags.get("h").split(":")) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            // The last instance not yet used, counting from the bottom (RFC 6376 §5.4.2).
            int skip = used.merge(n, 1, Integer::sum);
            Field found = null;
            for (int i = fields.size() - 1; i >= 0 && found == null; i--) {
                if (fields.get(i).name().equalsIgnoreCase(n) && --skip == 0) {
                    found = fields.get(i);
                }
            }
            if (found != null) {
                signed.append(relaxedHeaders ? relaxedHeader(found.raw()) : found.raw());
            }
        }
        // The signature's own field, its b= value (with any folding in it) emptied, and without its final CRLF.
        String raw = signature.raw().substring(0, signature.raw().length() - 2);
        String own = raw.replaceAll("((?:^|;)\\s*b\\s*=)[^;]*", "$1");
        own = relaxedHeaders ? relaxedHeader(own) : own + "\r\n";
        signed.append(own, 0, own.length() - 2);
        PublicKey key;
        try {
            key = key(dns, s + "._domainkey." + d, algorithm);
        } catch (Dns.Failure e) {
            return new Result("temperror", d, s, e.getMessage());
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return new Result("permerror", d, s, "the key at " + s + "._domainkey." + d + " is unusable: "
                    + e.getMessage());
        }
        if (key == null) {
            return new Result("permerror", d, s, "no key is published at " + s + "._domainkey." + d);
        }
        try {
            byte[] data = signed.toString().getBytes(StandardCharsets.ISO_8859_1);
            Signature verifier;
            if (algorithm.equals("rsa-sha256")) {
                verifier = Signature.getInstance("SHA256withRSA");
            } else {
                verifier = Signature.getInstance("Ed25519");
                data = sha256(data); // RFC 8463 §3: Ed25519 signs the SHA-256 of the header data
            }
            verifier.initVerify(key);
            verifier.update(data);
            boolean ok = verifier.verify(Base64.getMimeDecoder().decode(tags.get("b").replaceAll("\\s", "")));
            return ok ? new Result("pass", d, s, null)
                    : new Result("fail", d, s, "the signature does not verify with the published key");
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return new Result("fail", d, s, "the signature does not verify: " + e.getMessage());
        }
    }

    private static PublicKey key(Dns dns, String name, String algorithm) throws Dns.Failure, GeneralSecurityException {
        for (String record : dns.txt(name)) {
            Map<String, String> tags = tags(record);
            String p = tags.getOrDefault("p", "").replaceAll("\\s", "");
            if (p.isEmpty()) {
                continue; // revoked (RFC 6376 §3.6.1)
            }
            byte[] der = Base64.getDecoder().decode(p);
            String k = tags.getOrDefault("k", "rsa").toLowerCase(Locale.ROOT);
            if (algorithm.startsWith("ed25519") && k.equals("ed25519")) {
                // The record holds the raw 32-byte key: wrap it in the SubjectPublicKeyInfo the JDK reads.
                byte[] prefix = HexBytes.ED25519_SPKI;
                byte[] spki = new byte[prefix.length + der.length];
                System.arraycopy(prefix, 0, spki, 0, prefix.length);
                System.arraycopy(der, 0, spki, prefix.length, der.length);
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            }
            if (algorithm.startsWith("rsa") && k.equals("rsa")) {
                return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
            }
        }
        return null;
    }

    private static final class HexBytes {
        static final byte[] ED25519_SPKI = java.util.HexFormat.of().parseHex("302a300506032b6570032100");
    }

    /** The header fields, each with its folded lines and final CRLF as received. */
    private static List<Field> fields(String head) {
        List<Field> out = new ArrayList<>();
        StringBuilder current = null;
        for (String line : head.split("(?<=\r\n)")) {
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
                current.append(line);
                continue;
            }
            if (current != null) {
                out.add(field(current.toString()));
            }
            current = line.isEmpty() ? null : new StringBuilder(line);
        }
        if (current != null) {
            out.add(field(current.toString()));
        }
        return out;
    }

    private static Field field(String raw) {
        int colon = raw.indexOf(':');
        return new Field(colon < 0 ? raw.trim() : raw.substring(0, colon).trim(), raw.endsWith("\r\n") ? raw
                : raw + "\r\n");
    }

    static Map<String, String> tags(String value) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String part : value.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                tags.put(part.substring(0, eq).trim().toLowerCase(Locale.ROOT), part.substring(eq + 1).trim()
                        .replaceAll("\\s+", ""));
            }
        }
        return tags;
    }

    /** RFC 6376 §3.4.2. */
    static String relaxedHeader(String raw) {
        int colon = raw.indexOf(':');
        String name = raw.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = raw.substring(colon + 1).replace("\r\n", "").replaceAll("[ \t]+", " ").trim();
        return name + ":" + value + "\r\n";
    }

    /** RFC 6376 §3.4.3: trailing empty lines go; an empty body is one CRLF. */
    static String simpleBody(String body) {
        String b = body.replaceAll("(\r\n)*\\z", "");
        return b + "\r\n";
    }

    /** RFC 6376 §3.4.4: runs of blanks become one space, blanks at line ends go, then trailing empty lines. */
    static String relaxedBody(String body) {
        StringBuilder out = new StringBuilder();
        for (String line : body.split("\r\n", -1)) {
            out.append(line.replaceAll("[ \t]+", " ").replaceAll(" \\z", "")).append("\r\n");
        }
        String b = out.toString().replaceAll("(\r\n)*\\z", "");
        return b.isEmpty() ? "" : b + "\r\n";
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
