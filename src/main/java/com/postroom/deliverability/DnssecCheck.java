package com.postroom.deliverability;

import org.xbill.DNS.Type;

/**
 * Whether the domain's records are signed and validate from the root (RFC 4033-4035). Unsigned is common and only
 * reported (but DANE needs it); signed records that do not validate are the worst case, because every validating
 * resolver (Google's, Cloudflare's, most ISPs') then answers SERVFAIL for the domain and mail to it bounces.
 */
final class DnssecCheck {

    /** The root zone's key-signing keys, KSK-2017 and KSK-2024, as IANA publishes them (data.iana.org/root-anchors). */
    static final String ROOT = """
            . IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
            . IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16
            """;

    /** Where validation starts: the root; a test anchors its own zones here instead. */
    static volatile String trustAnchors = ROOT;

    private DnssecCheck() {
    }

    /** The trust anchor's name that covers {@code domain} (the longest), "." by default. */
    static String anchorOf(String domain, String anchors) {
        String d = Target.fqdn(domain.toLowerCase(java.util.Locale.ROOT));
        return anchors.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith(";"))
                .map(l -> Target.fqdn(l.split("\\s+")[0].toLowerCase(java.util.Locale.ROOT)))
                .filter(a -> a.equals(".") || d.equals(a) || d.endsWith("." + a))
                .max(java.util.Comparator.comparingInt(String::length)).orElse(".");
    }

    /**
     * Whether the resolver hands out what validation needs: the trust anchor's own keys validate. The root (or the
     * configured anchor) is never broken, so when they do not, the resolver strips or blocks DNSSEC records and
     * nothing below them can be judged.
     */
    static boolean passesDnssec(Dns dns, String name) throws Dns.Failure {
        return dns.validated(anchorOf(name, trustAnchors), Type.DNSKEY, trustAnchors).security()
                == Dns.Security.SECURE;
    }

    static Check run(Dns dns, Target t) {
        Check.Builder c = Check.of("dnssec", "DNSSEC of " + t.domain());
        Dns.Validated answer;
        try {
            if (!passesDnssec(dns, t.domain())) {
                return c.informational().unknown(dns.describe() + " does not pass on DNSSEC records, so DNSSEC could "
                        + "not be checked; point DNS_RESOLVER at a resolver that does (most public ones do).");
            }
            answer = dns.validated(t.domain(), Type.MX, trustAnchors);
        } catch (Dns.Failure e) {
            return c.unknown("DNSSEC could not be checked: " + e.getMessage() + ".");
        }
        c.detail("security", answer.security().name().toLowerCase(java.util.Locale.ROOT));
        c.detail("reason", answer.reason());
        switch (answer.security()) {
            case SECURE:
                return c.ok(t.domain() + " is signed and its records validate from the root.");
            case BOGUS:
                return c.invalid(t.domain() + " is signed but its records do not validate (" + answer.reason() + "), "
                        + "so validating resolvers answer SERVFAIL and mail to it bounces; make the DS record at the "
                        + "registrar match the zone's key-signing key, or re-sign the zone.");
            default:
                break;
        }
        boolean keys;
        try {
            keys = !dns.query(t.domain(), Type.DNSKEY).isEmpty();
        } catch (Dns.Failure e) {
            keys = false;
        }
        c.informational();
        if (keys) {
            return c.warning(t.domain() + " publishes DNSSEC keys but its parent zone has no DS record for them, so "
                    + "no one validates its records; publish the DS record at the registrar.");
        }
        return c.missing(t.domain() + " is not signed with DNSSEC. That is common, but signing stops forged MX "
                + "answers and is what DANE needs; turn it on at your DNS host and publish the DS record at the "
                + "registrar.");
    }
}
