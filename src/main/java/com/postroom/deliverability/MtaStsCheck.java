package com.postroom.deliverability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;

/**
 * MTA-STS (RFC 8461), checked as a sender that enforces it would: the {@code _mta-sts} TXT record, then the policy
 * fetched from {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} with the certificate verified, then whether
 * its {@code mx:} patterns cover every MX host. A policy in {@code enforce} mode that leaves out an MX host makes
 * enforcing senders refuse to deliver there. Without the TXT record, MTA-STS is not used, which is only information.
 */
final class MtaStsCheck {

    /** Where the policy host listens: 443, as RFC 8461 says; tests serve it elsewhere on loopback. */
    static volatile int httpsPort = 443;
    /** A policy is small text (RFC 8461 §3.2 caps what senders read at 64 KB). */
    static final int MAX_POLICY = 64 * 1024;

    private MtaStsCheck() {
    }

    /** A fetched policy: its fields and its mx patterns. */
    record Policy(String version, String mode, List<String> mx, String maxAge) {

        static Policy parse(String text) {
            Map<String, String> fields = new LinkedHashMap<>();
            List<String> mx = new ArrayList<>();
            for (String line : text.split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                if (key.equals("mx")) {
                    mx.add(value.toLowerCase(Locale.ROOT).replaceAll("\\.$", ""));
                } else {
                    fields.putIfAbsent(key, value);
                }
            }
            return new Policy(fields.getOrDefault("version", ""), fields.getOrDefault("mode", "")
                    .toLowerCase(Locale.ROOT), List.copyOf(mx), fields.getOrDefault("max_age", ""));
        }

        /** RFC 8461 §4.1: a pattern matches the host exactly, or "*." matches one leftmost label. */
        boolean covers(String host) {
            String h = host.toLowerCase(Locale.ROOT);
            for (String pattern : mx) {
                if (pattern.equals(h)) {
                    return true;
                }
                if (pattern.startsWith("*.")) {
                    String rest = pattern.substring(1);
                    int dot = h.indexOf('.');
                    if (dot > 0 && h.substring(dot).equals(rest)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    static Check run(Dns dns, Target t, SSLSocketFactory tls, Duration timeout) {
        String name = "_mta-sts." + t.domain();
        String txt = Target.fqdn(name) + " 3600 IN TXT \"v=STSv1; id=" + java.time.LocalDate.now().toString()
                .replace("-", "") + "01\"";
        List<String> records;
        try {
            records = dns.txt(name).stream().filter(r -> r.trim().toLowerCase(Locale.ROOT).startsWith("v=stsv1"))
                    .toList();
        } catch (Dns.Failure e) {
            return Check.of("mta-sts", "MTA-STS of " + t.domain()).informational()
                    .unknown(name + " could not be read: " + e.getMessage() + ".");
        }
        if (records.isEmpty()) {
            return Check.of("mta-sts", "MTA-STS of " + t.domain()).informational().record(txt).missing("MTA-STS "
                    + "tells senders to insist on TLS to " + t.domain() + "; to use it, serve a policy at https://"
                    + "mta-sts." + t.domain() + "/.well-known/mta-sts.txt and publish the record shown.");
        }
        // Published: senders act on it, so what is wrong with it counts.
        Check.Builder c = Check.of("mta-sts", "MTA-STS of " + t.domain()).detail("records", records);
        if (records.size() > 1) {
            return c.invalid(name + " has " + records.size() + " records, so senders ignore MTA-STS; keep one.");
        }
        String host = "mta-sts." + t.domain();
        List<java.net.InetAddress> addresses;
        try {
            addresses = dns.addresses(host);
            if (addresses.isEmpty()) {
                return c.warning(name + " is published but " + host + " does not exist, so no sender can fetch the "
                        + "policy and MTA-STS is not in effect; publish " + host + " and serve the policy there, or "
                        + "remove " + name + ".");
            }
        } catch (Dns.Failure e) {
            return c.unknown("The address of " + host + " could not be read: " + e.getMessage() + ".");
        }
        String url = "https://" + host + (httpsPort == 443 ? "" : ":" + httpsPort) + "/.well-known/mta-sts.txt";
        c.detail("policy_url", url);
        String text;
        try {
            text = fetch(addresses.get(0), host, tls, timeout);
        } catch (SSLException e) {
            return c.warning("The MTA-STS policy could not be fetched with a valid certificate, so senders ignore it "
                    + "and MTA-STS is not in effect: " + PortCheck.certificateProblem(e, host, httpsPort));
        } catch (IOException e) {
            return c.warning("The policy at " + url + " could not be fetched (" + e.getMessage() + "), so senders "
                    + "ignore it and MTA-STS is not in effect; serve it there over HTTPS with a certificate for "
                    + host + ".");
        }
        Policy policy = Policy.parse(text);
        c.detail("mode", policy.mode()).detail("mx", policy.mx());
        if (!policy.version().equalsIgnoreCase("STSv1") || !List.of("enforce", "testing", "none")
                .contains(policy.mode()) || policy.maxAge().isEmpty()) {
            return c.invalid("The policy at " + url + " is not valid (it needs version: STSv1, mode: enforce, "
                    + "testing or none, and max_age), so senders ignore it; fix it.");
        }
        List<String> mxHosts;
        try {
            mxHosts = dns.mx(t.domain()).stream().map(Dns.Mx::host).filter(h -> !h.isEmpty()).toList();
        } catch (Dns.Failure e) {
            return c.unknown("The MX of " + t.domain() + " could not be read to compare with the policy: "
                    + e.getMessage() + ".");
        }
        List<String> uncovered = mxHosts.stream().filter(h -> !policy.covers(h)).toList();
        if (!uncovered.isEmpty()) {
            String what = "The MTA-STS policy of " + t.domain() + " does not list the MX host" + (uncovered.size() > 1
                    ? "s " : " ") + String.join(", ", uncovered) + " in its mx: lines";
            return policy.mode().equals("enforce")
                    ? c.invalid(what + ", and its mode is enforce: senders that honour MTA-STS will not deliver "
                    + "there. Add \"mx: " + uncovered.get(0) + "\" to the policy (and change the id in " + name + ").")
                    : c.warning(what + "; add \"mx: " + uncovered.get(0) + "\" before moving to mode: enforce.");
        }
        if (!policy.mode().equals("enforce")) {
            return c.warning("The MTA-STS policy of " + t.domain() + " is in mode " + policy.mode() + ", so senders "
                    + "do not yet insist on TLS; move to mode: enforce once TLS reports look clean.");
        }
        return c.ok("The MTA-STS policy of " + t.domain() + " is served with a valid certificate, in mode enforce, "
                + "and covers every MX host.");
    }

    /**
     * GET over TLS to the address the doctor's own resolver gave (as a sender would, not the JVM's resolver), with
     * the certificate checked for the policy host's name; HTTP/1.1 with Connection: close, no redirects.
     */
    private static String fetch(java.net.InetAddress address, String host, SSLSocketFactory tls, Duration timeout)
            throws IOException {
        int millis = (int) Math.max(1000, timeout.toMillis());
        try (java.net.Socket plain = new java.net.Socket()) {
            plain.connect(new java.net.InetSocketAddress(address, httpsPort), millis);
            plain.setSoTimeout(millis);
            try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.createSocket(plain, host, httpsPort,
                    true)) {
                javax.net.ssl.SSLParameters params = socket.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS"); // the name must match (RFC 8461 §3.3)
                socket.setSSLParameters(params);
                socket.startHandshake();
                socket.getOutputStream().write(("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: " + host
                        + "\r\nUser-Agent: postroom-doctor\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                byte[] all = socket.getInputStream().readNBytes(MAX_POLICY + 16 * 1024);
                String response = new String(all, StandardCharsets.ISO_8859_1);
                int end = response.indexOf("\r\n\r\n");
                if (end < 0) {
                    throw new IOException("no complete HTTP answer");
                }
                String head = response.substring(0, end);
                String status = head.split("\r\n", 2)[0];
                if (!status.matches("HTTP/1\\.[01] 200.*")) {
                    throw new IOException("the server answered '" + status + "'");
                }
                byte[] body = java.util.Arrays.copyOfRange(all, end + 4, all.length);
                if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
                    body = unchunk(body);
                }
                if (body.length > MAX_POLICY) {
                    throw new IOException("the policy is larger than 64 KB");
                }
                return new String(body, StandardCharsets.UTF_8);
            }
        }
    }

    private static byte[] unchunk(byte[] body) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int at = 0;
        while (at < body.length) {
            int line = at;
            while (line + 1 < body.length && !(body[line] == '\r' && body[line + 1] == '\n')) {
                line++;
            }
            String size = new String(body, at, line - at, StandardCharsets.US_ASCII).split(";", 2)[0].trim();
            int n;
            try {
                n = Integer.parseInt(size, 16);
            } catch (NumberFormatException e) {
                throw new IOException("a chunked answer that cannot be read");
            }
            if (n == 0) {
                break;
            }
            int start = line + 2;
            if (start + n > body.length) {
                throw new IOException("a chunked answer cut short");
            }
            out.write(body, start, n);
            at = start + n + 2;
        }
        return out.toByteArray();
    }
}
