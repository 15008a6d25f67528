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

    private final Dns dns;
    private final Map<String, List<String>> txtCache = new HashMap<>();
    private int lookups;

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

    /** check_host() for one address: the qualifier of the first term that matches, or empty (neutral). */
    Optional<Character> evaluate(String domain, List<Term> terms, InetAddress ip, int depth)
            throws Dns.Failure, Malformed {
        if (depth > 10) {
            throw new Malformed("includes nest deeper than 10");
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
            case "a" -> anyInNetwork(dns.addresses(target), ip, t.value());
            case "mx" -> {
                for (Dns.Mx mx : dns.mx(target)) {
                    if (anyInNetwork(dns.addresses(mx.host()), ip, t.value())) {
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
            case "exists" -> !dns.a(target).isEmpty();
            default -> false; // ptr: deprecated (RFC 7208 §5.5), never relied on here
        };
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
