package com.postroom.deliverability;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * DNS blocklists: the mail host's IPv4 addresses against address lists (zen.spamhaus.org and friends), the domain
 * against domain lists (dbl.spamhaus.org). No answer (NXDOMAIN) means not listed; 127.0.0.2 and up means listed;
 * 127.255.255.x is the list refusing the query (Spamhaus does that to public resolvers), so UNKNOWN, never "listed".
 */
final class BlocklistCheck {

    private BlocklistCheck() {
    }

    static Check address(Dns dns, Target t, String zone) {
        Check.Builder c = Check.of("blocklist:" + zone, "Mail host on " + zone);
        if (t.ipv4().isEmpty()) {
            return c.unknown("There is no IPv4 address of " + t.mailHost() + " to look up on " + zone + ".");
        }
        List<String> listed = new ArrayList<>();
        for (InetAddress ip : t.ipv4()) {
            byte[] b = ip.getAddress();
            String query = (b[3] & 0xff) + "." + (b[2] & 0xff) + "." + (b[1] & 0xff) + "." + (b[0] & 0xff) + "." + zone;
            Verdict v = ask(dns, query);
            switch (v.kind) {
                case FAILED -> {
                    return c.unknown(zone + " could not be asked about " + ip.getHostAddress() + ": " + v.detail
                            + ".");
                }
                case REFUSED -> {
                    return c.unknown(zone + " refused to answer (" + v.detail + "); it refuses queries from public "
                            + "or busy resolvers, so set DNS_RESOLVER to a resolver of your own.");
                }
                case ODD -> {
                    return c.unknown(zone + " answered " + v.detail + " for " + ip.getHostAddress() + ", which is not "
                            + "a listing code; the resolver may rewrite answers, so set DNS_RESOLVER to one that does "
                            + "not.");
                }
                case LISTED -> listed.add(ip.getHostAddress() + " (" + v.detail + ")");
                case CLEAN -> { }
            }
        }
        c.detail("addresses", t.ipv4().stream().map(InetAddress::getHostAddress).toList());
        if (!listed.isEmpty()) {
            c.detail("listed", listed);
            return c.invalid(String.join(", ", listed) + " is listed on " + zone + ", so receivers that use it reject "
                    + "the mail; find the cause (an open relay, a compromised account, a spam run), fix it, then ask "
                    + zone + " to remove the address.");
        }
        return c.ok("The mail host's addresses are not listed on " + zone + ".");
    }

    static Check domain(Dns dns, Target t, String zone) {
        Check.Builder c = Check.of("domain-blocklist:" + zone, t.domain() + " on " + zone);
        Verdict v = ask(dns, t.domain() + "." + zone);
        return switch (v.kind) {
            case FAILED -> c.unknown(zone + " could not be asked about " + t.domain() + ": " + v.detail + ".");
            case REFUSED -> c.unknown(zone + " refused to answer (" + v.detail + "); it refuses queries from public "
                    + "or busy resolvers, so set DNS_RESOLVER to a resolver of your own.");
            case ODD -> c.unknown(zone + " answered " + v.detail + " for " + t.domain() + ", which is not a listing "
                    + "code; the resolver may rewrite answers.");
            case LISTED -> c.detail("listed", v.detail).invalid(t.domain() + " is listed on " + zone + " (" + v.detail
                    + "), so mail that mentions it is rejected; find out why at the list's lookup page and ask for "
                    + "removal once the cause is fixed.");
            case CLEAN -> c.ok(t.domain() + " is not listed on " + zone + ".");
        };
    }

    private enum Kind { CLEAN, LISTED, REFUSED, ODD, FAILED }

    private record Verdict(Kind kind, String detail) {
    }

    private static Verdict ask(Dns dns, String name) {
        List<InetAddress> answer;
        try {
            answer = dns.a(name);
        } catch (Dns.Failure e) {
            return new Verdict(Kind.FAILED, e.getMessage());
        }
        if (answer.isEmpty()) {
            return new Verdict(Kind.CLEAN, null);
        }
        List<String> codes = answer.stream().map(InetAddress::getHostAddress).sorted().toList();
        String joined = String.join(", ", codes);
        if (codes.stream().anyMatch(a -> a.startsWith("127.255.255.") || a.equals("127.0.1.255"))) {
            return new Verdict(Kind.REFUSED, joined);
        }
        // 127.0.0.1 is no listing code on any common list; answers outside 127/8 are a rewriting resolver's.
        if (codes.stream().allMatch(a -> a.startsWith("127.") && !a.equals("127.0.0.1"))) {
            return new Verdict(Kind.LISTED, joined);
        }
        return new Verdict(Kind.ODD, joined);
    }
}
