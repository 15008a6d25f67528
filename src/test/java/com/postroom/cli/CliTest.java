package com.postroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.postroom.support.FakeDns;
import com.postroom.support.FakeMailPorts;

class CliTest {

    @Test
    void tokenCreatePrintsATokenForAnAdmin() {
        Path data = Path.of("target/test-data/cli-" + UUID.randomUUID());
        System.setProperty("POSTROOM_DATA_DIR", data.toString());
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true));
            int code = Cli.run(new String[] {"token", "create", "--email", "founder@postroom.test", "--name", "ci"}, com.postroom.PostroomApplication.class);
            assertThat(code).isZero();
            assertThat(Cli.run(new String[] {"token", "create", "--email", "nobody@postroom.test"}, com.postroom.PostroomApplication.class)).isEqualTo(1);
            assertThat(Cli.run(new String[] {"token"}, com.postroom.PostroomApplication.class)).isEqualTo(2);
        } finally {
            System.setOut(out);
            System.clearProperty("POSTROOM_DATA_DIR");
        }
        assertThat(captured.toString()).containsPattern("(?m)^pr_[A-Za-z0-9_-]{43}$");
    }

    @Test
    void doctorPrintsTheReportAndExitsOneWhenSomethingIsMissing() {
        FakeDns dns = FakeDns.start();
        Map<String, String> props = Map.of("DNS_RESOLVER", dns.address(), "DOCTOR_PORTS",
                "submission=" + FakeMailPorts.closedPort(), "DNS_BLOCKLISTS", "zen.bl.test",
                "DNS_DOMAIN_BLOCKLISTS", "dbl.bl.test", "DNS_TIMEOUT", "500ms");
        props.forEach(System::setProperty);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        try (dns) {
            dns.mx("cli.test", 10, "mail.cli.test").a("mail.cli.test", "127.0.0.1");
            System.setOut(new PrintStream(captured, true));
            assertThat(Cli.run(new String[] {"doctor", "--domain", "cli.test"}, com.postroom.PostroomApplication.class)).isEqualTo(1);
            assertThat(Cli.run(new String[] {"doctor", "--domain", "cli.test", "--json"}, com.postroom.PostroomApplication.class)).isEqualTo(1);
            assertThat(Cli.run(new String[] {"doctor", "--domain"}, com.postroom.PostroomApplication.class)).isEqualTo(2);
        } finally {
            System.setOut(out);
            props.keySet().forEach(System::clearProperty);
        }
        String text = captured.toString();
        assertThat(text).contains("Postroom doctor: cli.test, mail host mail.cli.test (from MX)")
                .containsPattern("MISSING +SPF of cli.test")
                .contains("publish: cli.test. 3600 IN TXT \"v=spf1 mx a:mail.cli.test ~all\"")
                .contains("Records for cli.test:")
                .contains("\"mail_host\" : \"mail.cli.test\"");
    }

    /** The CLI as a deploy gate: a resolver that is down is "could not check" (3), never a pass; a bad one is 2. */
    @Test
    void doctorExitsThreeWhenItCouldNotCheckAndTwoOnABadResolver() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream was = System.err;
        PrintStream out = System.out;
        // A resolver that never answers: a socket that takes the questions and says nothing.
        try (java.net.DatagramSocket silent = new java.net.DatagramSocket(0,
                java.net.InetAddress.getLoopbackAddress())) {
            Map<String, String> props = Map.of("DNS_RESOLVER", "127.0.0.1:" + silent.getLocalPort(), "DOCTOR_PORTS",
                    "submission=" + FakeMailPorts.closedPort(), "DNS_BLOCKLISTS", "zen.bl.test",
                    "DNS_DOMAIN_BLOCKLISTS", "dbl.bl.test", "DNS_TIMEOUT", "300ms");
            props.forEach(System::setProperty);
            System.setErr(new PrintStream(err, true));
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true));
            long t0 = System.nanoTime();
            int status = Cli.run(new String[] {"doctor", "--domain", "gate.test"}, com.postroom.PostroomApplication.class);
            long took = (System.nanoTime() - t0) / 1_000_000;
            assertThat(status).as(err.toString()).isEqualTo(3);
            // Every lookup waits its one DNS_TIMEOUT (300 ms), the independent ones at once: not a sum of them.
            assertThat(took).as("a silent resolver costs a few DNS_TIMEOUTs, not one per question").isLessThan(2500);
            assertThat(err.toString()).contains("Could not check: ", "MX of gate.test");
            System.setProperty("DNS_RESOLVER", "127.0.0.1:99999");
            err.reset();
            assertThat(Cli.run(new String[] {"doctor", "--domain", "gate.test"}, com.postroom.PostroomApplication.class))
                    .isEqualTo(2);
            assertThat(err.toString().strip()).contains("DNS_RESOLVER", "65535").doesNotContain("Exception")
                    .doesNotContain("\tat ");
        } catch (java.net.SocketException e) {
            throw new AssertionError(e);
        } finally {
            System.setErr(was);
            System.setOut(out);
            List.of("DNS_RESOLVER", "DOCTOR_PORTS", "DNS_BLOCKLISTS", "DNS_DOMAIN_BLOCKLISTS", "DNS_TIMEOUT")
                    .forEach(System::clearProperty);
        }
    }

    @Test
    void dkimKeygenWritesAPrivateKeyOnceAndPrintsTheRecord(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("dkim.key");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        try {
            System.setOut(new PrintStream(captured, true));
            assertThat(Cli.run(new String[] {"doctor", "dkim-keygen", "--domain", "cli.test", "--out",
                    key.toString()}, com.postroom.PostroomApplication.class)).isZero();
            assertThat(Cli.run(new String[] {"doctor", "dkim-keygen", "--domain", "cli.test", "--out",
                    key.toString()}, com.postroom.PostroomApplication.class)).as("never overwrites a key").isEqualTo(2);
            assertThat(Cli.run(new String[] {"doctor", "dkim-keygen", "--domain", "cli.test", "--bits", "512",
                    "--out", dir.resolve("weak.key").toString()}, com.postroom.PostroomApplication.class)).isEqualTo(2);
        } finally {
            System.setOut(out);
        }
        assertThat(captured.toString()).startsWith("dkim._domainkey.cli.test. 3600 IN TXT ( \"v=DKIM1; k=rsa; p=MIIB");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(key)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE);
    }
}
