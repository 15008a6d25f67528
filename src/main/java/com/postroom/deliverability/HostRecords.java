package com.postroom.deliverability;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import org.xbill.DNS.ReverseMap;

/** MX of the domain, A/AAAA of the mail host, and PTR of each of its addresses (forward-confirmed). */
final class HostRecords {

    private HostRecords() {
    }

    static Check mx(Dns dns, Target t) {
        Check.Builder c = Check.of("mx", "MX of " + t.domain())
                .record(Target.fqdn(t.domain()) + " 3600 IN MX 10 " + Target.fqdn(t.mailHost()));
        List<Dns.Mx> mx;
        try {
            mx = dns.mx(t.domain());
        } catch (Dns.Failure e) {
            return c.unknown("The MX of " + t.domain() + " could not be read: " + e.getMessage() + ".");
        }
        c.detail("mx", mx.stream().map(m -> m.preference() + " " + m.host()).toList());
        if (mx.isEmpty()) {
            return c.missing(t.domain() + " has no MX record, so other servers deliver its mail to the domain's own "
                    + "address or nowhere; publish the record shown.");
        }
        if (mx.size() == 1 && mx.get(0).host().isEmpty()) {
            return c.invalid(t.domain() + " publishes a null MX (\".\"), which says it accepts no mail at all "
                    + "(RFC 7505); replace it with the record shown.");
        }
        // RFC 2181 §10.3 and RFC 5321 §5.1: an MX names a host, not an alias; senders may refuse to follow one.
        for (Dns.Mx m : mx) {
            List<String> alias;
            try {
                alias = dns.query(m.host(), org.xbill.DNS.Type.CNAME).stream()
                        .map(r -> Dns.host(((org.xbill.DNS.CNAMERecord) r).getTarget())).toList();
            } catch (Dns.Failure e) {
                return c.unknown("Whether the MX host " + m.host() + " is an alias could not be read: "
                        + e.getMessage() + ".");
            }
            if (!alias.isEmpty()) {
                return c.record(Target.fqdn(t.domain()) + " 3600 IN MX " + m.preference() + " "
                        + Target.fqdn(alias.get(0))).invalid("The MX of " + t.domain() + " points at " + m.host()
                        + ", which is an alias (CNAME) of " + alias.get(0) + "; an MX must name the host itself "
                        + "(RFC 2181 §10.3), and some senders will not deliver. Point the MX at " + alias.get(0) + ".");
            }
        }
        if (mx.stream().noneMatch(m -> m.host().equals(t.mailHost()))) {
            return c.warning("The MX of " + t.domain() + " points at " + mx.get(0).host() + ", not at the mail host "
                    + t.mailHost() + "; publish the record shown, or set DOCTOR_MAIL_HOST if " + mx.get(0).host()
                    + " is the mail host.");
        }
        return c.record(null).ok("The MX of " + t.domain() + " points at " + t.mailHost() + ".");
    }

    static Check address(Target t) {
        Check.Builder c = Check.of("a", "Address of " + t.mailHost())
                .record(Target.fqdn(t.mailHost()) + " 3600 IN A <the mail server's public IPv4 address>");
        if (t.lookupError() != null) {
            return c.unknown("The address of " + t.mailHost() + " could not be read: " + t.lookupError() + ".");
        }
        if (t.addresses().isEmpty()) {
            return c.missing(t.mailHost() + " has no A or AAAA record, so no one can reach the mail server; "
                    + "publish an A record with its public address.");
        }
        c.record(null).detail("addresses", t.addresses().stream().map(InetAddress::getHostAddress).toList());
        List<String> internal = t.addresses().stream().filter(HostRecords::internal).map(InetAddress::getHostAddress)
                .toList();
        if (!internal.isEmpty()) {
            return c.warning(t.mailHost() + " resolves to " + String.join(", ", internal) + ", an address other "
                    + "servers on the internet cannot reach; publish the server's public address.");
        }
        return c.ok(t.mailHost() + " resolves to " + String.join(", ",
                t.addresses().stream().map(InetAddress::getHostAddress).toList()) + ".");
    }

    static Check ptr(Dns dns, Target t) {
        Check.Builder c = Check.of("ptr", "Reverse DNS of " + t.mailHost());
        if (t.addresses().isEmpty()) {
            return c.unknown("There is no address of " + t.mailHost() + " to look up in reverse.");
        }
        List<String> problems = new ArrayList<>();
        List<String> names = new ArrayList<>();
        boolean missing = false;
        for (InetAddress address : t.addresses()) {
            String ip = address.getHostAddress();
            List<String> ptr;
            try {
                ptr = dns.ptr(address);
            } catch (Dns.Failure e) {
                return c.unknown("The reverse DNS of " + ip + " could not be read: " + e.getMessage() + ".");
            }
            if (ptr.isEmpty()) {
                missing = true;
                c.record(Dns.host(ReverseMap.fromAddress(address)) + ". IN PTR " + Target.fqdn(t.mailHost()));
                problems.add(ip + " has no PTR record; ask the provider of the address to set its reverse DNS to "
                        + t.mailHost() + " (many receivers reject mail from addresses without one)");
                continue;
            }
            names.addAll(ptr);
            boolean confirmed = false;
            for (String name : ptr) {
                try {
                    confirmed |= dns.addresses(name).contains(address);
                } catch (Dns.Failure e) {
                    return c.unknown("The PTR name " + name + " of " + ip + " could not be resolved: "
                            + e.getMessage() + ".");
                }
            }
            if (!confirmed) {
                problems.add(ip + " names " + String.join(", ", ptr) + " in reverse, which does not resolve back to "
                        + ip + "; set the reverse DNS to " + t.mailHost());
            }
        }
        c.detail("names", names);
        if (!problems.isEmpty()) {
            String message = String.join("; ", problems) + ".";
            return missing ? c.missing(message) : c.invalid(message);
        }
        if (!names.contains(t.mailHost())) {
            return c.warning("The reverse DNS names " + String.join(", ", names) + ", not " + t.mailHost()
                    + "; receivers compare it with the name the server greets them with, so set it to "
                    + t.mailHost() + ".");
        }
        return c.ok("The reverse DNS of every address of " + t.mailHost() + " names it, and it resolves back.");
    }

    static boolean internal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            // 100.64.0.0/10, carrier-grade NAT (RFC 6598)
            return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
        }
        return (b[0] & 0xfe) == 0xfc; // fc00::/7, unique local (RFC 4193)
    }
}
