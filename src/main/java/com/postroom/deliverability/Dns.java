package com.postroom.deliverability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * DNS questions the doctor asks, through dnsjava and the configured resolver ({@code DNS_RESOLVER}, else the system's),
 * each with a timeout. A name that does not exist, or has no record of the type, is an empty answer; a server that
 * fails (SERVFAIL, REFUSED) or does not answer in time is a {@link Failure}, so a check can say UNKNOWN instead of
 * MISSING.
 */
public final class Dns {

    /** The resolver failed or timed out: nothing is known about the name. */
    public static final class Failure extends Exception {
        public Failure(String message) {
            super(message);
        }
    }

    /** One MX record. */
    public record Mx(int preference, String host) {
    }

    private final Resolver resolver;
    private final String describe;

    private Dns(Resolver resolver, String describe) {
        this.resolver = resolver;
        this.describe = describe;
    }

    /** {@code address} is {@code host}, {@code host:port} or {@code [v6]:port}; empty means the system's resolvers. */
    public static Dns using(Optional<String> address, Duration timeout) {
        try {
            if (address.isEmpty()) {
                ExtendedResolver system = new ExtendedResolver();
                system.setTimeout(timeout);
                system.setRetries(1);
                return new Dns(system, "the system resolver");
            }
            String a = address.get();
            int port = 53;
            String host = a;
            int colon = a.lastIndexOf(':');
            if (a.startsWith("[")) {
                host = a.substring(1, a.indexOf(']'));
                if (a.indexOf("]:") > 0) {
                    port = Integer.parseInt(a.substring(a.indexOf("]:") + 2));
                }
            } else if (colon > 0 && a.indexOf(':') == colon) {
                host = a.substring(0, colon);
                port = Integer.parseInt(a.substring(colon + 1));
            }
            SimpleResolver simple = new SimpleResolver(new InetSocketAddress(InetAddress.getByName(host), port));
            simple.setTimeout(timeout);
            return new Dns(simple, a);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("DNS_RESOLVER " + address.orElse("") + " cannot be resolved", e);
        }
    }

    public String describe() {
        return describe;
    }

    public List<String> txt(String name) throws Failure {
        List<String> out = new ArrayList<>();
        for (Record r : query(name, Type.TXT)) {
            // RFC 7208 §3.3 and RFC 6376 §3.6.2.2: the strings of one record are joined without spaces.
            out.add(String.join("", ((TXTRecord) r).getStrings()));
        }
        return out;
    }

    public List<Mx> mx(String name) throws Failure {
        List<Mx> out = new ArrayList<>();
        for (Record r : query(name, Type.MX)) {
            MXRecord mx = (MXRecord) r;
            out.add(new Mx(mx.getPriority(), host(mx.getTarget())));
        }
        out.sort(Comparator.comparingInt(Mx::preference).thenComparing(Mx::host));
        return out;
    }

    /** IPv4 then IPv6 addresses of a host. */
    public List<InetAddress> addresses(String name) throws Failure {
        List<InetAddress> out = new ArrayList<>(a(name));
        out.addAll(aaaa(name));
        return out;
    }

    public List<InetAddress> a(String name) throws Failure {
        return query(name, Type.A).stream().map(r -> ((ARecord) r).getAddress()).toList();
    }

    public List<InetAddress> aaaa(String name) throws Failure {
        return query(name, Type.AAAA).stream().map(r -> ((AAAARecord) r).getAddress()).toList();
    }

    public List<String> ptr(InetAddress address) throws Failure {
        return ask(ReverseMap.fromAddress(address), Type.PTR).stream()
                .map(r -> host(((PTRRecord) r).getTarget())).toList();
    }

    /** Records of {@code type} in the answer; a CNAME chain the resolver followed is skipped over. */
    public List<Record> query(String name, int type) throws Failure {
        try {
            return ask(Name.fromString(name.endsWith(".") ? name : name + "."), type);
        } catch (TextParseException e) {
            throw new Failure("'" + name + "' is not a valid DNS name");
        }
    }

    private List<Record> ask(Name name, int type) throws Failure {
        Message response;
        try {
            response = resolver.send(Message.newQuery(Record.newRecord(name, type, DClass.IN)));
        } catch (IOException e) {
            // dnsjava reports its own timeout as a plain IOException saying so.
            if (e instanceof java.net.SocketTimeoutException || String.valueOf(e.getMessage()).startsWith("Timed out")) {
                throw new Failure(describe + " did not answer for " + host(name) + " " + Type.string(type)
                        + " in time");
            }
            throw new Failure(describe + " could not be asked for " + host(name) + " " + Type.string(type) + " ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
        int rcode = response.getRcode();
        if (rcode == Rcode.NXDOMAIN) {
            return List.of();
        }
        if (rcode != Rcode.NOERROR) {
            throw new Failure(describe + " answered " + Rcode.string(rcode) + " for " + host(name) + " "
                    + Type.string(type));
        }
        return response.getSection(Section.ANSWER).stream().filter(r -> r.getType() == type).toList();
    }

    /** What DNSSEC validation says about an answer (RFC 4035 §4.3). */
    public enum Security { SECURE, INSECURE, BOGUS }

    /** A validated answer: its security, why (the validator's own words), and the records. */
    public record Validated(Security security, String reason, List<Record> records) {
    }

    /**
     * Asks through a validating stub resolver (dnsjava's, from Unbound's validator) anchored at {@code trustAnchors}
     * (DS or DNSKEY lines in zone-file syntax; the root's in production), so the answer is checked here rather than
     * trusting a resolver's AD bit. SERVFAIL with the validator's reason is BOGUS; without one it is a {@link Failure}.
     */
    public Validated validated(String name, int type, String trustAnchors) throws Failure {
        org.xbill.DNS.dnssec.ValidatingResolver validator = new org.xbill.DNS.dnssec.ValidatingResolver(resolver);
        validator.setAddReasonToAdditional(true);
        Message response;
        Name n;
        try {
            validator.loadTrustAnchors(new java.io.ByteArrayInputStream(
                    trustAnchors.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            n = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (IOException e) {
            throw new Failure("the DNSSEC trust anchors cannot be read: " + e.getMessage());
        }
        try {
            response = validator.send(Message.newQuery(Record.newRecord(n, type, DClass.IN)));
        } catch (IOException e) {
            throw new Failure(describe + " did not answer the DNSSEC questions for " + host(n) + " in time");
        }
        String reason = response.getSection(Section.ADDITIONAL).stream()
                .filter(r -> r.getType() == Type.TXT
                        && r.getDClass() == org.xbill.DNS.dnssec.ValidatingResolver.VALIDATION_REASON_QCLASS)
                .map(r -> String.join("", ((TXTRecord) r).getStrings())).findFirst().orElse(null);
        int rcode = response.getRcode();
        if (rcode == Rcode.SERVFAIL && reason != null) {
            return new Validated(Security.BOGUS, reason, List.of());
        }
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            throw new Failure(describe + " answered " + Rcode.string(rcode) + " for " + host(n) + " "
                    + Type.string(type) + (reason == null ? "" : " (" + reason + ")"));
        }
        List<Record> records = response.getSection(Section.ANSWER).stream().filter(r -> r.getType() == type).toList();
        return new Validated(response.getHeader().getFlag(org.xbill.DNS.Flags.AD) ? Security.SECURE
                : Security.INSECURE, reason, records);
    }

    static String host(Name name) {
        String s = name.toString();
        return (s.endsWith(".") ? s.substring(0, s.length() - 1) : s).toLowerCase(java.util.Locale.ROOT);
    }
}
