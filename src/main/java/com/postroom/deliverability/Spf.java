package com.postroom.deliverability;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * SPF (RFC 7208): the one {@code v=spf1} record of a domain, parsed, its DNS-lookup count (includes, {@code a},
 * {@code mx}, {@code ptr}, {@code exists}, {@code redirect}, followed through includes), and whether it lets the mail
 * host's addresses send. Macros (%{...}) are not expanded: a term that uses one is counted but never matches.
 */
final class Spf {

    static final int LOOKUP_LIMIT = 10;

    /** One term: a mechanism with its qualifier, or a modifier ({@code redirect=}, {@code exp=}). */
    record Term(char qualifier, String name, String value, boolean modifier) {
        boolean countsLookup() {
            return modifier ? name.equals("redirect")
                    : name.equals("include") || name.equals("a") || name.equals("mx") || name.equals("ptr")
                    || name.equals("exists");
        }
    }

    /** A record that is not valid SPF. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    /** RFC 7208 §4.6.4: more than two terms whose lookup finds nothing make SPF a permanent error. */
    static final int VOID_LIMIT = 2;

    /**
     * Addresses no domain has reason to allow (RFC 5737 and RFC 3849 documentation ranges): if SPF passes one of
     * them, it passes anyone of that family, whether by +all, an include that ends in +all, or a network as wide as
     * the internet.
     */
    static final List<InetAddress> STRANGERS = List.of(literal("198.51.100.77"), literal("203.0.113.77"),
            literal("2001:db8::77"));

    private final Dns dns;
    private final Map<String, List<String>> txtCache = new HashMap<>();
    /** Answers kept for the run: the effective policy evaluates the record once per stranger address. */
    private final Map<String, List<InetAddress>> addressCache = new HashMap<>();
    private final Map<String, List<Dns.Mx>> mxCache = new HashMap<>();
    private int lookups;
    private int voids;

    Spf(Dns dns) {
        this.dns = dns;
    }

    static List<Term> parse(String record) throws Malformed {
        String[] parts = record.trim().split("\\s+");
        if (!parts[0].equalsIgnoreCase("v=spf1")) {
            throw new Malformed("it does not start with v=spf1");
        }
        List<Term> terms = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            int eq = p.indexOf('=');
            int colon = p.indexOf(':');
            int slash = p.indexOf('/');
            if (eq > 0 && (colon < 0 || eq < colon) && (slash < 0 || eq < slash)) {
                String name = p.substring(0, eq).toLowerCase(Locale.ROOT);
                if (!name.matches("[a-z][a-z0-9_.-]*")) {
                    throw new Malformed("'" + p + "' is not a valid modifier");
                }
                terms.add(new Term('+', name, p.substring(eq + 1), true));
                continue;
            }
            char q = '+';
            if ("+-~?".indexOf(p.charAt(0)) >= 0) {
                q = p.charAt(0);
                p = p.substring(1);
            }
            int cut = p.length();
            for (char sep : new char[] {':', '/'}) {
                int at = p.indexOf(sep);
                if (at >= 0 && at < cut) {
                    cut = at;
                }
            }
            String name = p.substring(0, cut).toLowerCase(Locale.ROOT);
            String value = cut < p.length() ? p.substring(cut + (p.charAt(cut) == ':' ? 1 : 0)) : "";
            switch (name) {
                case "all", "a", "mx", "ptr" -> { }
                case "include", "exists" -> {
                    if (value.isEmpty()) {
                        throw new Malformed("'" + parts[i] + "' needs a domain");
                    }
                }
                case "ip4", "ip6" -> {
                    if (!validNetwork(name, value)) {
                        throw new Malformed("'" + parts[i] + "' is not a valid " + name + " network");
                    }
                }
                default -> throw new Malformed("'" + parts[i] + "' is not an SPF mechanism");
            }
            terms.add(new Term(q, name, value, false));
        }
        return terms;
    }

    /** The domain's SPF records (all of them, so the caller can tell none from too many). */
    List<String> records(String domain) throws Dns.Failure {
        List<String> txt = txtCache.get(domain);
        if (txt == null) {
            txt = dns.txt(domain);
            txtCache.put(domain, txt);
        }
        return txt.stream().filter(r -> r.toLowerCase(Locale.ROOT).matches("v=spf1(\\s.*)?")).toList();
    }

    /** Lookups the record needs, counted through includes and redirects; stops counting past the limit. */
    int countLookups(List<Term> terms, int depth) throws Dns.Failure, Malformed {
        lookups = 0;
        count(terms, depth);
        return lookups;
    }

    private void count(List<Term> terms, int depth) throws Dns.Failure, Malformed {
        for (Term t : terms) {
            if (!t.countsLookup()) {
                continue;
            }
            lookups++;
            if (lookups > LOOKUP_LIMIT + 5 || depth > 10) {
                return;
            }
            if ((t.name().equals("include") || t.name().equals("redirect")) && !t.value().contains("%")) {
                List<String> inner = records(t.value());
                if (inner.size() != 1) {
                    throw new Malformed((t.name().equals("include") ? "include:" : "redirect=") + t.value()
                            + " has " + (inner.isEmpty() ? "no" : inner.size()) + " SPF records");
                }
                count(parse(inner.get(0)), depth + 1);
            }
        }
    }

    /**
     * What the record says about a server it does not list, followed through includes and redirects as receivers do:
     * '+' anyone passes, '~' softfail, '-' fail, '?' or empty: neutral (it says nothing). Void lookups on the way
     * (more than two) are the permanent error receivers give.
     */
    Optional<Character> effectivePolicy(String domain, List<Term> terms) throws Dns.Failure, Malformed {
        // The most permissive answer any stranger gets: a record open to all of IPv4 is open, whatever it says to IPv6.
        Optional<Character> weakest = Optional.of('-');
        for (InetAddress stranger : STRANGERS) {
            Optional<Character> r = evaluate(domain, terms, stranger, 0);
            if (permissiveness(r) > permissiveness(weakest)) {
                weakest = r;
            }
        }
        return weakest;
    }

    /** '-' fail, '~' softfail, neutral ('?' or nothing), '+' pass: in that order. */
    private static int permissiveness(Optional<Character> result) {
        return result.map(q -> "-~?+".indexOf(q)).orElse(2);
    }

    private void voided(String what) throws Malformed {
        if (++voids > VOID_LIMIT) {
            throw new Malformed("more than " + VOID_LIMIT + " of its names find nothing in DNS (the last: " + what
                    + "), which receivers treat as a permanent error (void lookups, RFC 7208 §4.6.4)");
        }
    }

    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** check_host() for one address: the qualifier of the first term that matches, or empty (neutral). */
    Optional<Character> evaluate(String domain, List<Term> terms, InetAddress ip, int depth)
            throws Dns.Failure, Malformed {
        if (depth > 10) {
            throw new Malformed("includes nest deeper than 10");
        }
        if (depth == 0) {
            voids = 0; // counted per evaluation, as a receiver counts them for one message
        }
        Term redirect = null;
        for (Term t : terms) {
            if (t.modifier()) {
                if (t.name().equals("redirect")) {
                    redirect = t;
                }
                continue;
            }
            if (matches(domain, t, ip, depth)) {
                return Optional.of(t.qualifier());
            }
        }
        if (redirect != null && !redirect.value().contains("%")) {
            List<String> inner = records(redirect.value());
            if (inner.size() != 1) {
                throw new Malformed("redirect=" + redirect.value() + " has no single SPF record");
            }
            return evaluate(redirect.value(), parse(inner.get(0)), ip, depth + 1);
        }
        return Optional.empty();
    }

    private boolean matches(String domain, Term t, InetAddress ip, int depth) throws Dns.Failure, Malformed {
        if (t.value().contains("%")) {
            return false;
        }
        String target = t.value().isEmpty() || t.value().startsWith("/") ? domain : t.value().split("/", 2)[0];
        return switch (t.name()) {
            case "all" -> true;
            case "ip4", "ip6" -> inNetwork(ip, t.value());
            case "a" -> {
                List<InetAddress> found = addresses(target);
                if (found.isEmpty()) {
                    voided("a:" + target);
                }
                yield anyInNetwork(found, ip, t.value());
            }
            case "mx" -> {
                List<Dns.Mx> hosts = mxCache.containsKey(target) ? mxCache.get(target) : dns.mx(target);
                mxCache.put(target, hosts);
                if (hosts.isEmpty()) {
                    voided("mx:" + target);
                }
                for (Dns.Mx mx : hosts) {
                    if (anyInNetwork(addresses(mx.host()), ip, t.value())) {
                        yield true;
                    }
                }
                yield false;
            }
            case "include" -> {
                List<String> inner = records(t.value());
                if (inner.size() != 1) {
                    throw new Malformed("include:" + t.value() + " has no single SPF record");
                }
                Optional<Character> r = evaluate(t.value(), parse(inner.get(0)), ip, depth + 1);
                yield r.isPresent() && r.get() == '+';
            }
            case "exists" -> {
                boolean exists = !dns.a(target).isEmpty();
                if (!exists) {
                    voided("exists:" + target);
                }
                yield exists;
            }
            default -> false; // ptr: deprecated (RFC 7208 §5.5), never relied on here
        };
    }

    private List<InetAddress> addresses(String host) throws Dns.Failure {
        List<InetAddress> found = addressCache.get(host);
        if (found == null) {
            found = dns.addresses(host);
            addressCache.put(host, found);
        }
        return found;
    }

    private static boolean anyInNetwork(List<InetAddress> hosts, InetAddress ip, String spec) {
        int slash = spec.indexOf('/');
        String cidr = slash < 0 ? "" : spec.substring(slash);
        // a/24 or a//64: the first length is for IPv4, the second for IPv6
        String[] lengths = cidr.isEmpty() ? new String[0] : cidr.substring(1).split("//?", -1);
        for (InetAddress h : hosts) {
            String len = h instanceof Inet4Address
                    ? (lengths.length > 0 && !lengths[0].isEmpty() ? lengths[0] : "32")
                    : (lengths.length > 1 && !lengths[1].isEmpty() ? lengths[1] : "128");
            if (inNetwork(ip, h.getHostAddress() + "/" + len)) {
                return true;
            }
        }
        return false;
    }

    static boolean inNetwork(InetAddress ip, String network) {
        try {
            String[] parts = network.split("/", 2);
            InetAddress base = InetAddress.getByName(parts[0]);
            byte[] a = ip.getAddress();
            byte[] b = base.getAddress();
            if (a.length != b.length) {
                return false;
            }
            int bits = parts.length > 1 ? Integer.parseInt(parts[1]) : a.length * 8;
            for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                if ((a[i] & mask) != (b[i] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException | NumberFormatException e) {
            return false;
        }
    }

    private static boolean validNetwork(String kind, String value) {
        String[] parts = value.split("/", 2);
        boolean v4 = kind.equals("ip4");
        if (v4 ? !parts[0].matches("\\d{1,3}(\\.\\d{1,3}){3}") : !parts[0].contains(":")
                || !parts[0].matches("[0-9a-fA-F:.]+")) {
            return false;
        }
        if (v4) {
            for (String octet : parts[0].split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return false; // else InetAddress would take it for a host name and ask DNS
                }
            }
        }
        if (parts.length > 1) {
            if (!parts[1].matches("\\d{1,3}") || Integer.parseInt(parts[1]) > (v4 ? 32 : 128)) {
                return false;
            }
        }
        try {
            InetAddress.getByName(parts[0]);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
