package com.postroom.deliverability;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether the mail host still agrees to TLS 1.0 or 1.1 on port 25 (RFC 8996 deprecates both; internet.nl and the
 * public checkers flag them). The JDK will not speak either version, so this writes the ClientHello itself and reads
 * only the first record of the answer: a ServerHello with the offered version means the server agreed, an alert or a
 * closed connection means it refused. No handshake is finished and nothing is sent after the hello.
 */
final class LegacyTlsCheck {

    /** The versions checked, by their wire value. */
    static final Map<Integer, String> OLD = Map.of(0x0301, "TLS 1.0", 0x0302, "TLS 1.1");

    private LegacyTlsCheck() {
    }

    static Check run(Target t, int port, Duration timeout) {
        Check.Builder c = Check.of("tls-versions", "Old TLS versions on " + t.mailHost() + ":" + port);
        if (t.addresses().isEmpty()) {
            return c.unknown("There is no address of " + t.mailHost() + " to connect to.");
        }
        InetAddress address = Target.preferred(t.addresses()).orElseThrow();
        List<String> accepted = new ArrayList<>();
        for (int version : List.of(0x0301, 0x0302)) {
            try {
                if (agrees(address, port, t.mailHost(), version, timeout)) {
                    accepted.add(OLD.get(version));
                }
            } catch (ConnectException e) {
                return c.unknown("Nothing accepts connections on " + t.mailHost() + ":" + port + ".");
            } catch (SocketTimeoutException e) {
                return c.unknown(t.mailHost() + ":" + port + " did not answer in time.");
            } catch (NoStartTls e) {
                return c.unknown("Port " + port + " of " + t.mailHost() + " " + e.getMessage()
                        + ", so there is no TLS to look at.");
            } catch (IOException e) {
                return c.unknown("The connection to " + t.mailHost() + ":" + port + " failed: " + e.getMessage() + ".");
            }
        }
        c.detail("accepted", accepted);
        if (!accepted.isEmpty()) {
            return c.warning(t.mailHost() + ":" + port + " still agrees to " + String.join(" and ", accepted)
                    + ", which RFC 8996 retired and receivers' checkers flag; allow TLS 1.2 and newer only (Postfix: "
                    + "smtpd_tls_protocols = >=TLSv1.2 and smtpd_tls_mandatory_protocols = >=TLSv1.2).");
        }
        return c.ok(t.mailHost() + ":" + port + " refuses TLS 1.0 and 1.1.");
    }

    private static final class NoStartTls extends IOException {
        NoStartTls(String message) {
            super(message);
        }
    }

    /** One connection: STARTTLS, then a hello offering only {@code version}; true when the server took it. */
    static boolean agrees(InetAddress address, int port, String host, int version, Duration timeout)
            throws IOException {
        int millis = (int) timeout.toMillis();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), millis);
            socket.setSoTimeout(millis);
            String refusal = PortCheck.startTls(socket, Check.of("", ""));
            if (refusal != null) {
                throw new NoStartTls(refusal);
            }
            socket.getOutputStream().write(clientHello(version, host));
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            try {
                int type = in.readUnsignedByte();
                in.readUnsignedShort(); // the record's version says nothing: servers write 0x0301 in alerts too
                int length = in.readUnsignedShort();
                if (type != 0x16 || length < 6) {
                    return false; // an alert (21): protocol_version or handshake_failure
                }
                int handshake = in.readUnsignedByte();
                in.skipNBytes(3);
                return handshake == 2 && in.readUnsignedShort() == version;
            } catch (EOFException | java.net.SocketException e) {
                return false; // some servers just hang up on a version they do not speak
            }
        }
    }

    /** A TLS ClientHello offering {@code version} only, with the CBC suites those versions had and SNI. */
    static byte[] clientHello(int version, String host) {
        ByteArrayOutputStream suites = new ByteArrayOutputStream();
        for (int suite : new int[] {0xC013, 0xC014, 0xC009, 0xC00A, 0x0033, 0x0039, 0x002F, 0x0035, 0x000A}) {
            u16(suites, suite);
        }
        ByteArrayOutputStream extensions = new ByteArrayOutputStream();
        byte[] name = host.getBytes(StandardCharsets.US_ASCII);
        u16(extensions, 0x0000); // server_name
        u16(extensions, name.length + 5);
        u16(extensions, name.length + 3);
        extensions.write(0);
        u16(extensions, name.length);
        extensions.writeBytes(name);
        u16(extensions, 0x000a); // supported_groups: x25519, secp256r1, secp384r1
        u16(extensions, 8);
        u16(extensions, 6);
        u16(extensions, 0x001d);
        u16(extensions, 0x0017);
        u16(extensions, 0x0018);
        u16(extensions, 0x000b); // ec_point_formats: uncompressed
        u16(extensions, 2);
        extensions.write(1);
        extensions.write(0);

        ByteArrayOutputStream body = new ByteArrayOutputStream();
        u16(body, version);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        body.writeBytes(random);
        body.write(0); // no session id
        u16(body, suites.size());
        body.writeBytes(suites.toByteArray());
        body.write(1); // compression: null only
        body.write(0);
        u16(body, extensions.size());
        body.writeBytes(extensions.toByteArray());

        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(0x16);
        u16(record, 0x0301);
        u16(record, body.size() + 4);
        record.write(1); // client_hello
        record.write(0);
        u16(record, body.size());
        record.writeBytes(body.toByteArray());
        return record.toByteArray();
    }

    private static void u16(ByteArrayOutputStream out, int value) {
        out.write(value >>> 8 & 0xff);
        out.write(value & 0xff);
    }
}
