package com.postroom.deliverability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One port of the mail host: it accepts a connection, TLS comes up (STARTTLS on 25 and 587, implicit on 465, 993 and
 * 995), the certificate chains to a trusted CA (the system's plus MAIL_TLS_CA_FILE) and is valid for the mail host's
 * name, and how many days it has left (under 21 is a warning, as the public checkers warn). No mail is sent and no
 * login is tried.
 */
final class PortCheck {

    static final int EXPIRY_WARNING_DAYS = 21;

    private PortCheck() {
    }

    static Check run(Target t, String service, int port, SSLSocketFactory tls, Duration timeout) {
        boolean starttls = service.equals("smtp") || service.equals("submission");
        String what = switch (service) {
            case "smtp" -> "SMTP (receiving)";
            case "submission" -> "SMTP submission";
            case "smtps" -> "SMTP submission over TLS";
            case "imaps" -> "IMAP over TLS";
            default -> "POP3 over TLS";
        };
        Check.Builder c = Check.of("port:" + service, what + " on " + t.mailHost() + ":" + port).detail("port", port);
        if (t.addresses().isEmpty()) {
            return c.unknown("There is no address of " + t.mailHost() + " to connect to.");
        }
        InetAddress address = Target.preferred(t.addresses()).orElseThrow();
        c.detail("address", address.getHostAddress());
        int millis = (int) timeout.toMillis();
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, port), millis);
            plain.setSoTimeout(millis);
            if (starttls) {
                String refusal = startTls(plain, c);
                if (refusal != null) {
                    return service.equals("smtp")
                            ? c.warning("Port " + port + " of " + t.mailHost() + " " + refusal + ", so mail from other "
                            + "servers arrives unencrypted; enable TLS in the mail server (Mailu: TLS_FLAVOR).")
                            : c.invalid("Port " + port + " of " + t.mailHost() + " " + refusal + ", so clients would "
                            + "send passwords in plaintext; enable TLS in the mail server (Mailu: TLS_FLAVOR).");
                }
            }
            try (SSLSocket socket = (SSLSocket) tls.createSocket(plain, t.mailHost(), port, true)) {
                SSLParameters params = socket.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS"); // host name must match (RFC 6125)
                socket.setSSLParameters(params);
                socket.startHandshake();
                X509Certificate cert = (X509Certificate) socket.getSession().getPeerCertificates()[0];
                long days = Duration.between(Instant.now(), cert.getNotAfter().toInstant()).toDays();
                c.detail("protocol", socket.getSession().getProtocol()).detail("certificate_expires",
                        cert.getNotAfter().toInstant().toString()).detail("days_left", days)
                        .detail("issuer", cert.getIssuerX500Principal().getName());
                if (starttls) {
                    socket.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                if (days < EXPIRY_WARNING_DAYS) {
                    return c.warning("The certificate of " + t.mailHost() + " on port " + port + " expires in " + days
                            + " days; renew it (Mailu renews Let's Encrypt certificates itself when TLS_FLAVOR=letsencrypt"
                            + ", so check its logs).");
                }
                return c.ok(what + " answers with " + socket.getSession().getProtocol() + " and a certificate valid "
                        + "for " + t.mailHost() + " for " + days + " more days.");
            }
        } catch (ConnectException e) {
            return c.invalid("Nothing accepts connections on " + t.mailHost() + ":" + port + "; start the " + what
                    + " service or open the port in the firewall.");
        } catch (SocketTimeoutException e) {
            String message = t.mailHost() + ":" + port + " did not answer within "
                    + String.format(java.util.Locale.ROOT, "%.1f", timeout.toMillis() / 1000.0) + " s; "
                    + "a firewall drops the connection";
            return service.equals("smtp")
                    ? c.unknown(message + ", either at the mail host or on this network (many clouds block "
                    + "outgoing port 25), so check from another network too.")
                    : c.invalid(message + "; open the port.");
        } catch (SSLException e) {
            return c.invalid(certificateProblem(e, t.mailHost(), port));
        } catch (IOException e) {
            return c.invalid("The connection to " + t.mailHost() + ":" + port + " failed: " + e.getMessage() + ".");
        }
    }

    /** The host name in a 220 or 250 line ("250-mail.example.com Hello ..."), if it looks like one. */
    static java.util.Optional<String> nameIn(String line) {
        String[] words = line.length() > 4 ? line.substring(4).trim().split("\\s+") : new String[0];
        return words.length > 0 && words[0].matches("(?i)[a-z0-9-]+(\\.[a-z0-9-]+)+\\.?")
                ? java.util.Optional.of(words[0].replaceAll("\\.$", "").toLowerCase(java.util.Locale.ROOT))
                : java.util.Optional.empty();
    }

    /**
     * Speaks SMTP up to STARTTLS; null when the server agreed, else why not. The name the server gives itself (in its
     * EHLO answer, else its greeting) is kept as the detail "greeting_name": receivers compare it with reverse DNS.
     */
    static String startTls(Socket socket, Check.Builder c) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        List<String> greeting = reply(in);
        if (!greeting.get(0).startsWith("220")) {
            return "greets with '" + greeting.get(0) + "' instead of 220";
        }
        nameIn(greeting.get(0)).ifPresent(n -> c.detail("greeting_name", n));
        out.write("EHLO postroom-doctor.invalid\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        List<String> ehlo = reply(in);
        if (!ehlo.get(0).startsWith("250")) {
            return "answers EHLO with '" + ehlo.get(0) + "'";
        }
        nameIn(ehlo.get(0)).ifPresent(n -> c.detail("greeting_name", n));
        if (ehlo.stream().noneMatch(l -> l.length() > 4 && l.substring(4).trim().equalsIgnoreCase("STARTTLS"))) {
            return "offers no STARTTLS";
        }
        out.write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        List<String> go = reply(in);
        return go.get(0).startsWith("220") ? null : "answers STARTTLS with '" + go.get(0) + "'";
    }

    /** One SMTP reply, all its lines ({@code 250-a}, {@code 250-b}, {@code 250 c}). */
    static List<String> reply(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                if (b != '\r' && line.size() < 1000) {
                    line.write(b);
                }
            }
            String s = line.toString(StandardCharsets.US_ASCII);
            if (b == -1 && s.isEmpty()) {
                throw new IOException("the server closed the connection");
            }
            lines.add(s);
            if (s.length() < 4 || s.charAt(3) != '-' || b == -1) {
                return lines;
            }
        }
    }

    static String certificateProblem(SSLException e, String host, int port) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable cause = e; cause != null && !chain.contains(cause); cause = cause.getCause()) {
            chain.add(cause);
        }
        // The most specific cause wins: an expired certificate also fails PKIX validation.
        if (chain.stream().anyMatch(c -> c instanceof CertificateExpiredException)) {
            return "The certificate of " + host + " on port " + port + " has expired; renew it now, receivers and "
                    + "clients refuse it.";
        }
        if (chain.stream().anyMatch(c -> c instanceof CertificateNotYetValidException)) {
            return "The certificate of " + host + " on port " + port + " is not valid yet; check the server's clock "
                    + "and the certificate's dates.";
        }
        String messages = chain.stream().map(c -> String.valueOf(c.getMessage())).reduce("", (a, b) -> a + " " + b);
        if (messages.contains("No subject alternative") || messages.contains("No name matching")) {
            return "The certificate on " + host + ":" + port + " is not valid for the name " + host + "; get one that "
                    + "names it (Mailu: set HOSTNAMES to include " + host + ").";
        }
        if (messages.contains("unable to find valid certification path") || messages.contains("PKIX path building")) {
            return "The certificate on " + host + ":" + port + " is not signed by a trusted CA (self-signed or a "
                    + "private CA); use a public certificate, or put the private CA in MAIL_TLS_CA_FILE.";
        }
        return "TLS on " + host + ":" + port + " failed: " + e.getMessage() + ".";
    }
}
