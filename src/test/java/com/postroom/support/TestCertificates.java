package com.postroom.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A private CA and server certificates signed by it, made with the JDK's keytool (no extra tools, no network), for
 * TLS servers in tests. Valid for a host name, for a number of days, optionally starting in the past (to make one that
 * has expired).
 */
public final class TestCertificates {

    private static final String PASS = "changeit";

    private final Path dir;
    private final Path caStore;
    private final Path caPem;
    private int serial;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.caStore = dir.resolve("ca.p12");
        this.caPem = dir.resolve("ca.pem");
    }

    public static TestCertificates create(Path dir) {
        TestCertificates certs = new TestCertificates(dir);
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname",
                "CN=Postroom Test CA", "-ext", "bc:c", "-validity", "3650", "-keystore", certs.caStore.toString(),
                "-storepass", PASS, "-storetype", "PKCS12");
        keytool("-exportcert", "-alias", "ca", "-keystore", certs.caStore.toString(), "-storepass", PASS, "-rfc",
                "-file", certs.caPem.toString());
        return certs;
    }

    /** The CA as PEM: the value for MAIL_TLS_CA_FILE. */
    public Path caPem() {
        return caPem;
    }

    /** A TLS server context for {@code host}, valid for {@code days} days from {@code startOffsetDays} (e.g. -30). */
    public SSLContext server(String host, int days, int startOffsetDays) {
        Path store = dir.resolve("server-" + (++serial) + ".p12");
        Path csr = dir.resolve("server-" + serial + ".csr");
        Path pem = dir.resolve("server-" + serial + ".pem");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + host,
                "-validity", Integer.toString(days), "-keystore", store.toString(), "-storepass", PASS,
                "-storetype", "PKCS12");
        keytool("-certreq", "-alias", "server", "-keystore", store.toString(), "-storepass", PASS, "-file",
                csr.toString());
        List<String> sign = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", caStore.toString(),
                "-storepass", PASS, "-infile", csr.toString(), "-outfile", pem.toString(), "-rfc", "-ext",
                "SAN=dns:" + host, "-validity", Integer.toString(days)));
        if (startOffsetDays != 0) {
            sign.addAll(List.of("-startdate", (startOffsetDays > 0 ? "+" : "") + startOffsetDays + "d"));
        }
        keytool(sign.toArray(String[]::new));
        keytool("-importcert", "-alias", "ca", "-file", caPem.toString(), "-keystore", store.toString(),
                "-storepass", PASS, "-noprompt");
        keytool("-importcert", "-alias", "server", "-file", pem.toString(), "-keystore", store.toString(),
                "-storepass", PASS, "-noprompt");
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASS.toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASS.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
