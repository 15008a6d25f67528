package com.postroom.deliverability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.xbill.DNS.Record;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;

/**
 * DANE for SMTP (RFC 7672): when the mail host publishes TLSA records at {@code _25._tcp.<host>}, they must be signed
 * (DNSSEC) and match the certificate port 25 serves, or senders that check DANE (Postfix, Exim, Microsoft 365) refuse
 * to deliver at all. Only DANE-TA(2) and DANE-EE(3) count for SMTP (RFC 7672 §3.1.3). Without TLSA records the check
 * is informational and suggests the record for the certificate served now.
 */
final class DaneCheck {

    private DaneCheck() {
    }

    static Check run(Dns dns, Target t, int port, Duration timeout) {
        String name = "_" + port + "._tcp." + t.mailHost();
        Check.Builder c = Check.of("dane", "DANE of " + t.mailHost());
        Dns.Validated answer;
        try {
            answer = DnssecCheck.passesDnssec(dns, t.mailHost())
                    ? dns.validated(name, Type.TLSA, DnssecCheck.trustAnchors)
                    : new Dns.Validated(null, null, dns.query(name, Type.TLSA));
        } catch (Dns.Failure e) {
            return c.unknown("The TLSA records could not be read: " + e.getMessage() + ".");
        }
        if (answer.security() == Dns.Security.BOGUS) {
            return c.invalid("The TLSA records of " + t.mailHost() + " do not validate (" + answer.reason() + "), so "
                    + "DANE senders cannot deliver; fix the zone's DNSSEC.");
        }
        List<X509Certificate> chain;
        try {
            chain = served(t, port, timeout);
        } catch (IOException | GeneralSecurityException e) {
            chain = List.of();
            c.detail("certificate_error", LoginCheck.root(e));
        }
        String suggestion = chain.isEmpty() ? null
                : Target.fqdn(name) + " 3600 IN TLSA 3 1 1 " + HexFormat.of().formatHex(sha256(chain.get(0)
                .getPublicKey().getEncoded()));
        List<TLSARecord> records = answer.records().stream().map(TLSARecord.class::cast).toList();
        c.detail("records", records.stream().map(Record::rdataToString).toList());
        if (records.isEmpty()) {
            return c.informational().record(suggestion).missing(t.mailHost() + " publishes no DANE TLSA records; "
                    + "optional, but with DNSSEC they make senders insist on TLS with this certificate"
                    + (suggestion == null ? "." : " (publish the record below, and a new one before each key change)."));
        }
        if (answer.security() == null) {
            return c.unknown(t.mailHost() + " publishes TLSA records, but " + dns.describe() + " does not pass on "
                    + "DNSSEC records, so they cannot be validated; point DNS_RESOLVER at a resolver that does.");
        }
        if (answer.security() != Dns.Security.SECURE) {
            return c.warning(t.mailHost() + " publishes TLSA records but they are not DNSSEC-signed, so senders "
                    + "ignore them (RFC 7672 §2.2); sign the zone and publish its DS record at the registrar.");
        }
        if (chain.isEmpty()) {
            return c.unknown("The certificate on " + t.mailHost() + ":" + port + " could not be read to compare "
                    + "with the TLSA records.");
        }
        List<TLSARecord> usable = records.stream()
                .filter(r -> r.getCertificateUsage() == 2 || r.getCertificateUsage() == 3).toList();
        for (TLSARecord r : usable) {
            List<X509Certificate> candidates = r.getCertificateUsage() == 3 ? chain.subList(0, 1)
                    : chain.subList(Math.min(1, chain.size() - 1), chain.size());
            for (X509Certificate cert : candidates) {
                if (matches(r, cert)) {
                    return c.ok("The certificate on " + t.mailHost() + ":" + port + " matches its signed TLSA record "
                            + r.rdataToString() + ".");
                }
            }
        }
        return c.record(suggestion).invalid((usable.isEmpty()
                ? t.mailHost() + "'s TLSA records use only PKIX usages (0 or 1), which SMTP senders treat as unusable"
                : "No TLSA record of " + t.mailHost() + " matches the certificate port " + port + " serves")
                + ", so senders that check DANE will not deliver; publish the record below (keep the old one until "
                + "caches expire).");
    }

    static boolean matches(TLSARecord r, X509Certificate cert) {
        try {
            byte[] data = r.getSelector() == 1 ? cert.getPublicKey().getEncoded() : cert.getEncoded();
            byte[] digest = switch (r.getMatchingType()) {
                case 0 -> data;
                case 1 -> sha256(data);
                case 2 -> MessageDigest.getInstance("SHA-512").digest(data);
                default -> null;
            };
            return digest != null && MessageDigest.isEqual(digest, r.getCertificateAssociationData());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The chain port 25 serves after STARTTLS. Nothing is trusted here and nothing is sent: the certificates are only
     * read to compare with the TLSA records (DANE-EE is often a self-signed certificate, rightly).
     */
    static List<X509Certificate> served(Target t, int port, Duration timeout)
            throws IOException, GeneralSecurityException {
        if (t.addresses().isEmpty()) {
            return List.of();
        }
        InetAddress address = Target.preferred(t.addresses()).orElseThrow();
        SSLContext readOnly = SSLContext.getInstance("TLS");
        readOnly.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                // never a server here
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // read, not trusted: compared with the TLSA records
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        int millis = (int) timeout.toMillis();
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, port), millis);
            plain.setSoTimeout(millis);
            String refusal = PortCheck.startTls(plain, Check.of("", ""));
            if (refusal != null) {
                throw new IOException("port " + port + " " + refusal);
            }
            try (SSLSocket socket = (SSLSocket) readOnly.getSocketFactory().createSocket(plain, t.mailHost(), port,
                    true)) {
                socket.startHandshake();
                Certificate[] certs = socket.getSession().getPeerCertificates();
                return java.util.Arrays.stream(certs).map(X509Certificate.class::cast).toList();
            }
        }
    }
}
