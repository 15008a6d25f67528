package com.postroom.mail;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;



/**
 * Builds Jakarta Mail sessions with the rules every connection follows: connect, read and write timeouts (Angus
 * defaults to none); TLS with certificate and host-name checks (RFC 6125), trusting the system's CAs plus
 * MAIL_TLS_CA_FILE; STARTTLS required when the mode says so (RFC 3207); no authentication over plaintext except on
 * loopback or with MAIL_ALLOW_INSECURE (checked where the settings are read).
 */
public class MailSessions {

    /** The TLS versions every connection may use, Angus's sessions and {@link #secure} alike. */
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final SSLSocketFactory socketFactory;

    /** @param caFile MAIL_TLS_CA_FILE: a PEM CA to trust besides the system's (checked when settings are read) */
    public MailSessions(Optional<Path> caFile) {
        StreamProviderPin.install();
        this.socketFactory = socketFactory(caFile);
    }

    /** Whether the file can serve as a trust store; the reason it cannot, for a configuration error, if not. */
    public static void checkCaFile(Path caFile) {
        socketFactory(Optional.of(caFile));
    }

    public Session smtp(MailServer server) {
        return Session.getInstance(smtpProperties(server));
    }

    public Session imap(MailServer server) {
        return Session.getInstance(imapProperties(server));
    }

    /** A connected, authenticated SMTP transport (or unauthenticated, when the server has no credentials). */
    public Transport connectSmtp(MailServer server) throws MessagingException {
        Transport transport = smtp(server).getTransport();
        transport.connect(server.host(), server.port(), server.username().orElse(null),
                server.password().map(Secret::reveal).orElse(null));
        return transport;
    }

    /** A connected, logged-in IMAP store. */
    public Store connectImap(MailServer server) throws MessagingException {
        Store store = imap(server).getStore();
        store.connect(server.host(), server.port(), server.username().orElse(null),
                server.password().map(Secret::reveal).orElse(null));
        return store;
    }

    /**
     * TLS over a connected socket (after STARTTLS, or at once for implicit TLS), with the checks every session here has:
     * the server's name against its certificate (as Angus's {@code ssl.checkserveridentity}), TLS 1.3 or 1.2, the
     * cipher suites in {@link #cipherSuites}' order, the plain socket's read timeout. The handshake is done before it
     * returns, so a certificate that does not check out fails here.
     */
    public SSLSocket secure(Socket plain, String host, int port) throws IOException {
        SSLSocket tls = (SSLSocket) socketFactory.createSocket(plain, host, port, true);
        tls.setEnabledProtocols(java.util.Arrays.stream(tls.getSupportedProtocols())
                .filter(PROTOCOLS::contains).toArray(String[]::new));
        tls.setEnabledCipherSuites(cipherSuites(socketFactory.getDefaultCipherSuites()).toArray(String[]::new));
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("LDAPS");
        tls.setSSLParameters(parameters);
        tls.setSoTimeout(plain.getSoTimeout());
        tls.startHandshake();
        return tls;
    }

    Properties smtpProperties(MailServer server) {
        String p = server.tls() == TlsMode.IMPLICIT ? "mail.smtps." : "mail.smtp.";
        Properties props = common(p, server);
        props.put("mail.transport.protocol", server.tls() == TlsMode.IMPLICIT ? "smtps" : "smtp");
        props.put(p + "auth", Boolean.toString(server.authenticates()));
        if (server.tls() == TlsMode.STARTTLS) {
            props.put(p + "starttls.enable", "true");
            props.put(p + "starttls.required", "true");
        }
        // Lets the delivery worker see every recipient's reply instead of failing the whole message on one (RFC 5321
        // §3.3: a RCPT can be refused while others are accepted).
        props.put(p + "sendpartial", "true");
        props.put(p + "localhost", "postroom.localdomain");
        return props;
    }

    Properties imapProperties(MailServer server) {
        String p = server.tls() == TlsMode.IMPLICIT ? "mail.imaps." : "mail.imap.";
        Properties props = common(p, server);
        props.put("mail.store.protocol", server.tls() == TlsMode.IMPLICIT ? "imaps" : "imap");
        if (server.tls() == TlsMode.STARTTLS) {
            props.put(p + "starttls.enable", "true");
            props.put(p + "starttls.required", "true");
        }
        props.put(p + "partialfetch", "false");
        props.put(p + "fetchsize", Integer.toString(1024 * 1024));
        return props;
    }

    private Properties common(String p, MailServer server) {
        Properties props = new Properties();
        props.put(p + "host", server.host());
        props.put(p + "port", Integer.toString(server.port()));
        props.put(p + "connectiontimeout", Long.toString(server.connectTimeout().toMillis()));
        props.put(p + "timeout", Long.toString(server.readTimeout().toMillis()));
        props.put(p + "writetimeout", Long.toString(server.readTimeout().toMillis()));
        if (server.tls() != TlsMode.NONE) {
            props.put(p + "ssl.enable", Boolean.toString(server.tls() == TlsMode.IMPLICIT));
            props.put(p + "ssl.checkserveridentity", "true");
            props.put(p + "ssl.socketFactory", socketFactory);
            props.put(p + "ssl.protocols", String.join(" ", PROTOCOLS));
            props.put(p + "ssl.ciphersuites", String.join(" ", cipherSuites(socketFactory.getDefaultCipherSuites())));
        }
        return props;
    }

    /**
     * The JVM's default cipher suites, every one of them, with ChaCha20-Poly1305 asked for first (a server that keeps
     * its own order, or has no ChaCha20, still agrees on AES-GCM). Without AVX-512 instructions the JVM's AES-GCM is
     * slow, and with C1 only (as Postroom is deployed) it runs without any of its intrinsics: decrypting TLS was 72%
     * of the IMAP thread's CPU while syncing mail. On this project's machine ChaCha20-Poly1305 decrypts 5 times as
     * much per CPU-second with C1 only (140 against 27 MB/s) and 1.6 times as much with C2 (325 against 205).
     */
    static List<String> cipherSuites(String[] defaults) {
        List<String> ordered = new ArrayList<>();
        for (String suite : defaults) {
            if (suite.contains("CHACHA20_POLY1305")) {
                ordered.add(suite);
            }
        }
        for (String suite : defaults) {
            if (!suite.contains("CHACHA20_POLY1305")) {
                ordered.add(suite);
            }
        }
        return ordered;
    }

    /** The JVM's trusted CAs, plus those in the PEM file when one is configured. */
    public static SSLSocketFactory socketFactory(Optional<Path> caFile) {
        try {
            TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            defaults.init((KeyStore) null);
            if (caFile.isEmpty()) {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, defaults.getTrustManagers(), null);
                return context.getSocketFactory();
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (TrustManager tm : defaults.getTrustManagers()) {
                if (tm instanceof X509TrustManager x509) {
                    int i = 0;
                    for (X509Certificate cert : x509.getAcceptedIssuers()) {
                        store.setCertificateEntry("system-" + i++, cert);
                    }
                }
            }
            int i = 0;
            for (Certificate cert : readPem(caFile.get())) {
                store.setCertificateEntry("configured-" + i++, cert);
            }
            TrustManagerFactory combined = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            combined.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, combined.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("MAIL_TLS_CA_FILE " + caFile.orElse(null) + " could not be used as a "
                    + "trust store (" + e.getClass().getSimpleName() + ").");
        }
    }

    private static List<Certificate> readPem(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("MAIL_TLS_CA_FILE " + file + " holds no PEM certificate.");
            }
            return new ArrayList<>(certs);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("MAIL_TLS_CA_FILE " + file + " is not a PEM certificate file.");
        }
    }
}
