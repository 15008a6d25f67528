package com.postroom.deliverability;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * IPv6: a mail host with an AAAA record is tried over IPv6 first by senders that have it (Gmail does), so each IPv6
 * address must take connections on port 25 as the IPv4 one does; its reverse DNS is the ptr check's. Without an AAAA
 * record mail goes over IPv4, which is fine and only said.
 */
final class Ipv6Check {

    private Ipv6Check() {
    }

    static Check run(Target t, int port, Duration timeout) {
        Check.Builder c = Check.of("ipv6", "IPv6 of " + t.mailHost());
        List<InetAddress> v6 = t.addresses().stream().filter(a -> a instanceof Inet6Address).toList();
        if (t.lookupError() != null) {
            return c.unknown("The addresses of " + t.mailHost() + " could not be read: " + t.lookupError() + ".");
        }
        if (v6.isEmpty()) {
            return c.ok(t.mailHost() + " has no IPv6 address (AAAA), so mail comes over IPv4.");
        }
        c.detail("addresses", v6.stream().map(InetAddress::getHostAddress).toList());
        List<String> unreachable = new ArrayList<>();
        for (InetAddress address : v6) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
            } catch (IOException e) {
                unreachable.add(address.getHostAddress() + " (" + e.getMessage() + ")");
            }
        }
        if (!unreachable.isEmpty()) {
            return c.warning("Port " + port + " of " + t.mailHost() + " cannot be reached over IPv6 at "
                    + String.join(", ", unreachable) + "; senders that try IPv6 first will defer or fail, so mail "
                    + "over IPv6 will suffer. Open port " + port + " on that address, or remove the AAAA record.");
        }
        return c.ok("Port " + port + " of " + t.mailHost() + " takes connections over IPv6 too ("
                + String.join(", ", v6.stream().map(InetAddress::getHostAddress).toList()) + "); its reverse DNS is "
                + "checked with the others.");
    }
}
