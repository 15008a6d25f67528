package com.postroom.deliverability;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * What one doctor run looks at: the mail domain, the host that receives and sends its mail, and that host's addresses
 * as DNS gave them ({@code lookupError} says why there are none, when DNS failed).
 */
public record Target(String domain, String mailHost, String mailHostSource, List<InetAddress> addresses,
                     String lookupError) {

    public List<InetAddress> ipv4() {
        return addresses.stream().filter(a -> a instanceof Inet4Address).toList();
    }

    /**
     * The address a check connects to: the first IPv4 one (the family receivers try first and blocklists list), else
     * the first. Empty when DNS gave none.
     */
    static java.util.Optional<InetAddress> preferred(List<InetAddress> addresses) {
        return addresses.stream().filter(a -> a instanceof Inet4Address).findFirst()
                .or(() -> addresses.stream().findFirst());
    }

    /** A fully qualified name as a zone file writes it. */
    static String fqdn(String name) {
        return name.endsWith(".") ? name : name + ".";
    }
}
