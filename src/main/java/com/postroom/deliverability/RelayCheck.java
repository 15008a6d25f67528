package com.postroom.deliverability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Open relay: port 25 of the mail host asked, without authentication, to take mail from one foreign domain to another
 * (MAIL FROM example.com, RCPT TO example.net). Nothing is ever sent: the doctor stops before DATA. A relay that
 * accepts is found by spammers within hours and lands the address on every blocklist. Asked from a loopback or
 * private address, the server may trust the doctor as one of its own networks (Postfix's mynetworks), so a relay
 * that accepts from there is a warning to confirm from outside, not a verdict.
 */
final class RelayCheck {

    static final String FOREIGN_RECIPIENT = "relay-test@example.net";

    private RelayCheck() {
    }

    static Check run(Target t, int port, Duration timeout) {
        Check.Builder c = Check.of("relay", "Relaying on " + t.mailHost() + ":" + port);
        if (t.addresses().isEmpty()) {
            return c.unknown("There is no address of " + t.mailHost() + " to connect to.");
        }
        InetAddress address = t.addresses().get(0);
        int millis = (int) timeout.toMillis();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), millis);
            socket.setSoTimeout(millis);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            List<String> greeting = PortCheck.reply(in);
            if (!greeting.get(0).startsWith("220")) {
                return c.unknown("Port " + port + " greets with '" + greeting.get(0) + "'.");
            }
            String ehlo = say(out, in, "EHLO postroom-doctor.invalid");
            if (!ehlo.startsWith("250")) {
                return c.unknown("Port " + port + " answers EHLO with '" + ehlo + "'.");
            }
            // A foreign sender whose domain exists (RFC 2606), so a server checking sender domains still answers RCPT.
            String from = say(out, in, "MAIL FROM:<relay-test@example.com>");
            if (!from.startsWith("250")) {
                say(out, in, "QUIT");
                return c.ok("The mail host refuses mail from a foreign sender without authentication ('" + from
                        + "'), so it does not relay for strangers.");
            }
            String rcpt = say(out, in, "RCPT TO:<" + FOREIGN_RECIPIENT + ">");
            say(out, in, "RSET");
            say(out, in, "QUIT");
            c.detail("rcpt_answer", rcpt);
            if (!rcpt.startsWith("250") && !rcpt.startsWith("251")) {
                return c.ok("The mail host refuses to relay mail for another domain without authentication ('" + rcpt
                        + "').");
            }
            InetAddress self = socket.getLocalAddress();
            String advice = "restrict relaying to authenticated users (Postfix: smtpd_relay_restrictions = "
                    + "permit_sasl_authenticated, reject_unauth_destination; Mailu does so by default).";
            if (self.isLoopbackAddress() || self.isSiteLocalAddress() || self.isLinkLocalAddress()) {
                return c.warning("The mail host accepted mail for " + FOREIGN_RECIPIENT + " without authentication "
                        + "when asked from " + self.getHostAddress() + ", an address it may trust as its own network; "
                        + "run the doctor from outside to confirm, and if it relays from there too, " + advice);
            }
            return c.invalid("The mail host is an open relay: it accepted mail from anyone for another domain ("
                    + FOREIGN_RECIPIENT + ") without authentication; spammers will use it and the address will be "
                    + "blocklisted. " + Character.toUpperCase(advice.charAt(0)) + advice.substring(1));
        } catch (IOException e) {
            return c.unknown("Port " + port + " of " + t.mailHost() + " could not be asked: " + e.getMessage()
                    + " (many networks block outgoing port 25).");
        }
    }

    private static String say(OutputStream out, InputStream in, String command) throws IOException {
        out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return PortCheck.reply(in).get(0);
    }
}
