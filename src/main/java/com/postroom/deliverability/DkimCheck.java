package com.postroom.deliverability;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * DKIM (RFC 6376): the public key at {@code <selector>._domainkey.<domain>} parses, is RSA of 2,048 bits or more (1,024
 * is a warning, less is invalid) or Ed25519 (RFC 8463), is not revoked, and matches the private key file when one is
 * configured. Also makes key pairs for {@code doctor dkim-keygen}.
 */
final class DkimCheck {

    private DkimCheck() {
    }

    static Check run(Dns dns, Target t, String selector, Optional<Path> privateKeyFile) {
        String name = selector + "._domainkey." + t.domain();
        Check.Builder c = Check.of("dkim", "DKIM key " + name);
        Optional<RSAPrivateCrtKey> privateKey;
        try {
            privateKey = privateKeyFile.map(DkimCheck::readPrivateKey);
        } catch (IllegalArgumentException e) {
            return c.invalid("DKIM_PRIVATE_KEY_FILE " + privateKeyFile.get() + " " + e.getMessage() + ".");
        }
        Optional<String> wanted = privateKey.map(k -> record(name, publicKeyOf(k)));
        List<String> records;
        try {
            records = dns.txt(name).stream().filter(r -> tags(r).containsKey("p")).toList();
        } catch (Dns.Failure e) {
            return c.unknown("The DKIM key " + name + " could not be read: " + e.getMessage() + ".");
        }
        wanted.ifPresent(c::record);
        if (records.isEmpty()) {
            return c.missing("There is no DKIM key at " + name + ", so receivers cannot verify " + t.domain()
                    + "'s signatures; " + (wanted.isPresent() ? "publish the record shown."
                    : "publish the key Mailu generated (Admin › Mail domains › DKIM) or make one with `java -jar "
                    + "postroom.jar doctor dkim-keygen --domain " + t.domain() + "`."));
        }
        if (records.size() > 1) {
            return c.invalid(name + " has " + records.size() + " DKIM records; receivers need exactly one, so remove "
                    + "the others.");
        }
        Map<String, String> tags = tags(records.get(0));
        String v = tags.get("v");
        if (v != null && !v.equals("DKIM1")) {
            return c.invalid("The DKIM record at " + name + " has v=" + v + "; it must be v=DKIM1 or have no v= tag.");
        }
        String p = tags.get("p").replaceAll("\\s", "");
        if (p.isEmpty()) {
            return c.invalid("The DKIM key at " + name + " is revoked (empty p=); publish the current key.");
        }
        String k = tags.getOrDefault("k", "rsa").toLowerCase(Locale.ROOT);
        c.detail("key_type", k);
        if (tags.getOrDefault("t", "").contains("y")) {
            c.detail("testing", true);
        }
        byte[] der;
        try {
            der = Base64.getDecoder().decode(p);
        } catch (IllegalArgumentException e) {
            return c.invalid("The DKIM key at " + name + " is not valid base64; publish the key again as shown by "
                    + "Mailu or dkim-keygen.");
        }
        if (k.equals("ed25519")) {
            if (der.length != 32) {
                return c.invalid("The Ed25519 DKIM key at " + name + " is " + der.length + " bytes, not 32.");
            }
            return c.warning("The DKIM key at " + name + " is Ed25519, which many receivers do not verify yet "
                    + "(RFC 8463); sign with an RSA 2048-bit key as well.");
        }
        if (!k.equals("rsa")) {
            return c.invalid("The DKIM key at " + name + " has k=" + k + "; receivers know only rsa and ed25519.");
        }
        RSAPublicKey key;
        try {
            key = rsa(der);
        } catch (GeneralSecurityException e) {
            return c.invalid("The DKIM key at " + name + " is not an RSA public key; publish the key again.");
        }
        int bits = key.getModulus().bitLength();
        c.detail("bits", bits).detail("published", record(name, key));
        if (privateKey.isPresent() && !privateKey.get().getModulus().equals(key.getModulus())) {
            return c.invalid("The DKIM key at " + name + " does not match DKIM_PRIVATE_KEY_FILE, so every signature "
                    + "fails; publish the record shown.");
        }
        if (bits < 1024) {
            return c.invalid("The DKIM key at " + name + " has " + bits + " bits; receivers ignore keys under 1024 "
                    + "bits, so make a 2048-bit key and publish it.");
        }
        if (bits < 2048) {
            return c.warning("The DKIM key at " + name + " has " + bits + " bits; 2048 is recommended, so make a new "
                    + "key with a new selector and publish it.");
        }
        if (tags.getOrDefault("t", "").contains("y")) {
            return c.warning("The DKIM key at " + name + " is in testing mode (t=y), so receivers treat failures "
                    + "leniently; remove t=y.");
        }
        return c.ok("The DKIM key at " + name + " is RSA " + bits + " bits" + (privateKey.isPresent()
                ? " and matches the private key." : "."));
    }

    /** DKIM tag list (RFC 6376 §3.2): {@code tag=value; tag=value}, whitespace around separators ignored. */
    static Map<String, String> tags(String record) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : record.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.putIfAbsent(part.substring(0, eq).trim().toLowerCase(Locale.ROOT), part.substring(eq + 1).trim());
            }
        }
        return out;
    }

    /** The TXT record for a public key, split into strings of at most 255 characters as DNS requires. */
    static String record(String name, PublicKey key) {
        String value = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(key.getEncoded());
        List<String> chunks = new ArrayList<>();
        for (int i = 0; i < value.length(); i += 255) {
            chunks.add("\"" + value.substring(i, Math.min(value.length(), i + 255)) + "\"");
        }
        return Target.fqdn(name) + " 3600 IN TXT ( " + String.join(" ", chunks) + " )";
    }

    static KeyPair generate(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(java.security.PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    }

    private static RSAPublicKey rsa(byte[] der) throws GeneralSecurityException {
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        try {
            return (RSAPublicKey) rsa.generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            // Some publish the bare PKCS#1 RSAPublicKey; wrap it in a SubjectPublicKeyInfo.
            return (RSAPublicKey) rsa.generatePublic(new X509EncodedKeySpec(Asn1.wrapPkcs1PublicKey(der)));
        }
    }

    static PublicKey publicKeyOf(RSAPrivateCrtKey key) {
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new java.security.spec.RSAPublicKeySpec(
                    key.getModulus(), key.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PKCS#8 ("BEGIN PRIVATE KEY") or PKCS#1 ("BEGIN RSA PRIVATE KEY", as openssl genrsa and Mailu write). */
    static RSAPrivateCrtKey readPrivateKey(Path file) {
        String pem;
        try {
            pem = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot be read");
        }
        boolean pkcs1 = pem.contains("BEGIN RSA PRIVATE KEY");
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(body);
            if (pkcs1) {
                der = Asn1.wrapPkcs1PrivateKey(der);
            }
            return (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("is not a PEM RSA private key");
        }
    }

    /** Just enough DER to wrap PKCS#1 keys in their PKCS#8 / SubjectPublicKeyInfo envelopes. */
    static final class Asn1 {
        private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

        private Asn1() {
        }

        static byte[] wrapPkcs1PublicKey(byte[] pkcs1) {
            byte[] bitString = concat(new byte[] {0}, pkcs1);
            return sequence(concat(RSA_ALGORITHM, tlv(0x03, bitString)));
        }

        static byte[] wrapPkcs1PrivateKey(byte[] pkcs1) {
            return sequence(concat(new byte[] {0x02, 0x01, 0x00}, RSA_ALGORITHM, tlv(0x04, pkcs1)));
        }

        private static byte[] sequence(byte[] content) {
            return tlv(0x30, content);
        }

        private static byte[] tlv(int tag, byte[] content) {
            byte[] length = content.length < 128 ? new byte[] {(byte) content.length}
                    : concat(new byte[] {(byte) (0x80 | lengthBytes(content.length))},
                    trim(BigInteger.valueOf(content.length).toByteArray()));
            return concat(new byte[] {(byte) tag}, length, content);
        }

        private static int lengthBytes(int n) {
            return trim(BigInteger.valueOf(n).toByteArray()).length;
        }

        private static byte[] trim(byte[] b) {
            return b.length > 1 && b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
        }

        private static byte[] concat(byte[]... parts) {
            int n = 0;
            for (byte[] p : parts) {
                n += p.length;
            }
            byte[] out = new byte[n];
            int at = 0;
            for (byte[] p : parts) {
                System.arraycopy(p, 0, out, at, p.length);
                at += p.length;
            }
            return out;
        }
    }
}
