package com.postroom.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Loopback servers that behave like a mail host's ports as far as the doctor looks: SMTP with or without STARTTLS,
 * implicit TLS (465, 993, 995), or a port that accepts and then says nothing.
 */
public final class FakeMailPorts implements AutoCloseable {

    /** OPEN_RELAY: STARTTLS, and it accepts any recipient from anyone (the fault the doctor's relay check finds). */
    /** OLD_TLS: STARTTLS, and it also agrees to TLS 1.0 and 1.1 (it answers such a hello with a ServerHello). */
    public enum Mode { STARTTLS, NO_STARTTLS, IMPLICIT, SILENT, OPEN_RELAY, OLD_TLS }

    private final List<ServerSocket> sockets = new ArrayList<>();

    public int open(Mode mode, SSLContext tls) {
        try {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            sockets.add(server);
            Thread t = new Thread(() -> accept(server, mode, tls), "fake-mail-port-" + server.getLocalPort());
            t.setDaemon(true);
            t.start();
            return server.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sockets that hold the closed ports for the rest of the test JVM's life. */
    private static final List<Socket> HELD = new ArrayList<>();

    /**
     * A port where nothing listens, and nothing will: a socket is bound to it and never connected, so a connection to
     * it is refused, and the port is not handed to anyone else for the rest of the test run. A port bound and closed
     * again was free for the next server to take: a sandbox mail server started right after took it once, and the
     * doctor found an SMTP server where the test expected none.
     */
    public static synchronized int closedPort() {
        try {
            Socket holder = new Socket();
            holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            HELD.add(holder);
            return holder.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void accept(ServerSocket server, Mode mode, SSLContext tls) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s, mode, tls), "fake-mail-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void serve(Socket plain, Mode mode, SSLContext tls) {
        try (plain) {
            plain.setSoTimeout(20_000);
            switch (mode) {
                case SILENT -> plain.getInputStream().read();
                case IMPLICIT -> {
                    SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
                    s.setUseClientMode(false);
                    s.startHandshake();
                    s.getOutputStream().write("* OK ready\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().read();
                }
                default -> smtp(plain, mode, tls);
            }
        } catch (IOException e) {
            // the doctor hung up
        }
    }

    private static void smtp(Socket plain, Mode mode, SSLContext tls) throws IOException {
        InputStream in = plain.getInputStream();
        OutputStream out = plain.getOutputStream();
        out.write("220 mail.postroom.test ESMTP fake\r\n".getBytes(StandardCharsets.US_ASCII));
        while (true) {
            String line = line(in);
            if (line == null) {
                return;
            }
            String verb = line.toUpperCase(java.util.Locale.ROOT);
            if (verb.startsWith("EHLO")) {
                out.write(("250-mail.postroom.test\r\n" + (mode != Mode.NO_STARTTLS
                        ? "250-STARTTLS\r\n" : "")
                        + "250 SIZE 10240000\r\n").getBytes(StandardCharsets.US_ASCII));
            } else if (verb.startsWith("STARTTLS") && mode != Mode.NO_STARTTLS) {
                out.write("220 2.0.0 Ready to start TLS\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] hello = in.readNBytes(11);
                int version = (hello[9] & 0xff) << 8 | (hello[10] & 0xff);
                if (mode == Mode.OLD_TLS && version < 0x0303) {
                    // The start of a ServerHello taking the old version: all the doctor reads.
                    out.write(new byte[] {0x16, 3, 1, 0, 0x2a, 2, 0, 0, 0x26, hello[9], hello[10]});
                    out.write(new byte[32]);
                    out.flush();
                    return;
                }
                SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain,
                        new java.io.ByteArrayInputStream(hello), true);
                s.setUseClientMode(false);
                s.startHandshake();
                s.getInputStream().read();
                return;
            } else if (verb.startsWith("MAIL FROM") || verb.startsWith("RSET")) {
                out.write("250 2.1.0 Ok\r\n".getBytes(StandardCharsets.US_ASCII));
            } else if (verb.startsWith("RCPT TO")) {
                out.write((mode == Mode.OPEN_RELAY ? "250 2.1.5 Ok\r\n" : "554 5.7.1 Relay access denied\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
            } else if (verb.startsWith("QUIT")) {
                out.write("221 bye\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            } else {
                out.write("502 5.5.2 not here\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return c == -1 && b.length() == 0 ? null : b.toString();
    }

    @Override
    public void close() {
        for (ServerSocket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
