package com.postroom.deliverability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.postroom.config.PostroomSettings;
import com.postroom.mail.MailSessions;
import com.postroom.support.AuthoritativeDns;
import com.postroom.support.AuthoritativeDns.Signing;
import com.postroom.support.FakeMailPorts;
import com.postroom.support.FakeMailPorts.Mode;
import com.postroom.support.TestCertificates;

/**
 * The doctor against a real authoritative DNS server (Knot, on loopback) serving one domain per fault and one perfect
 * domain, signed with DNSSEC under a test root: every verdict must be right, with no false alarm on the perfect one,
 * and no suggested record weaker than the one published.
 */
public class DoctorZoneIT {

    /** Public, with {@link #start()}, {@link #run(String, Map)} and {@link #stop()}: bench/doctor uses the zone too. */
    @TempDir
    public static Path dir;
    static AuthoritativeDns zone;
    static FakeMailPorts ports;
    static TestCertificates certs;
    static com.sun.net.httpserver.HttpsServer policyHost;
    static int smtp;
    static int oldTls;
    static String savedAnchors;

    /** Each domain's mail host gets its own documentation address (192.0.2.n), with its PTR. */
    public static final List<String> DOMAINS = List.of("perfect.test", "spf-plus-all.test", "spf-neutral.test",
            "spf-no-all.test", "spf-void.test", "spf-two.test", "spf-lookups.test", "mx-cname.test",
            "dmarc-nomailto.test", "dmarc-foreign.test", "dmarc-authorized.test", "dmarc-commas.test",
            "mta-sts-nohost.test", "dkim-missing.test", "ptr-mismatch.test", "listed.test", "dnssec-island.test",
            "dnssec-bogus.test");

    @BeforeAll
    public static void start() {
        AuthoritativeDns.assumeAvailable();
        certs = TestCertificates.create(dir);
        ports = new FakeMailPorts();
        SSLContext daneCert = certs.server("mail.dane.test", 365, 0);
        smtp = ports.open(Mode.STARTTLS, daneCert);
        oldTls = ports.open(Mode.OLD_TLS, certs.server("mail.old-tls.test", 365, 0));
        policyHost = DoctorTest.policyServer(certs.server("mta-sts.perfect.test", 365, 0));
        DoctorTest.policy = "version: STSv1\nmode: enforce\nmx: mail.perfect.test\nmax_age: 604800\n";
        MtaStsCheck.httpsPort = policyHost.getAddress().getPort();

        zone = new AuthoritativeDns(dir.resolve("knot"));
        for (int i = 0; i < DOMAINS.size(); i++) {
            String d = DOMAINS.get(i);
            Signing signing = switch (d) {
                case "perfect.test" -> Signing.SIGNED;
                case "dnssec-island.test" -> Signing.ISLAND;
                case "dnssec-bogus.test" -> Signing.BOGUS;
                default -> Signing.UNSIGNED;
            };
            zone.zone(d, signing, healthy(d, i + 1) + faults(d));
        }
        zone.zone("dane.test", Signing.SIGNED, """
                @ IN MX 10 mail
                mail IN A 127.0.0.1
                _%d._tcp.mail IN TLSA 3 1 1 %s
                """.formatted(smtp, spkiSha256(daneCert)));
        zone.zone("dane-wrong.test", Signing.SIGNED, """
                @ IN MX 10 mail
                mail IN A 127.0.0.1
                _%d._tcp.mail IN TLSA 3 1 1 %s
                """.formatted(smtp, "ab".repeat(32)));
        zone.zone("old-tls.test", Signing.UNSIGNED, "@ IN MX 10 mail\nmail IN A 127.0.0.1\n");
        zone.zone("reports.test", Signing.UNSIGNED,
                "dmarc-authorized.test._report._dmarc IN TXT \"v=DMARC1\"\n");
        zone.zone("bl.test", Signing.UNSIGNED, "16.2.0.192 IN A 127.0.0.2\n16.2.0.192 IN TXT \"listed\"\n");
        zone.zone("2.0.192.in-addr.arpa", Signing.UNSIGNED, IntStream.rangeClosed(1, DOMAINS.size())
                .mapToObj(i -> i + " IN PTR " + (DOMAINS.get(i - 1).equals("ptr-mismatch.test")
                        ? "host-" + i + ".hosting.test." : "mail." + DOMAINS.get(i - 1) + "."))
                .collect(Collectors.joining("\n")));
        zone.start();
        savedAnchors = DnssecCheck.trustAnchors;
        DnssecCheck.trustAnchors = zone.trustAnchors();
    }

    @AfterAll
    public static void stop() {
        if (zone != null) {
            zone.close();
            ports.close();
            policyHost.stop(0);
            DnssecCheck.trustAnchors = savedAnchors;
            MtaStsCheck.httpsPort = 443;
        }
    }

    static final KeyPair DKIM = DkimCheck.generate(2048);

    /** What every domain publishes when nothing is wrong with it. */
    static String healthy(String d, int n) {
        String key = Base64.getEncoder().encodeToString(DKIM.getPublic().getEncoded());
        // A 2048-bit key does not fit one 255-byte string: split, as DNS hosts do.
        String split = IntStream.range(0, (key.length() + 199) / 200)
                .mapToObj(i -> "\"" + (i == 0 ? "v=DKIM1; k=rsa; p=" : "") + key.substring(i * 200,
                        Math.min(key.length(), i * 200 + 200)) + "\"").collect(Collectors.joining(" "));
        StringBuilder z = new StringBuilder();
        if (!d.equals("mx-cname.test")) {
            z.append("@ IN MX 10 mail\n");
        }
        z.append("mail IN A 192.0.2.").append(n).append('\n');
        if (!d.startsWith("spf-")) {
            z.append("@ IN TXT \"v=spf1 mx include:_spf.").append(d).append(" -all\"\n_spf IN TXT \"v=spf1 ip4:198.51.100.0/28 -all\"\n");
        }
        if (!d.equals("dkim-missing.test")) {
            z.append("dkim._domainkey IN TXT ( ").append(split).append(" )\n");
        }
        if (!d.startsWith("dmarc-")) {
            z.append("_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@").append(d).append("\"\n");
        }
        if (d.equals("perfect.test")) {
            z.append("_mta-sts IN TXT \"v=STSv1; id=20261204\"\nmta-sts IN A 127.0.0.1\n")
                    .append("_smtp._tls IN TXT \"v=TLSRPTv1; rua=mailto:tls@perfect.test\"\n");
        }
        return z.toString();
    }

    /** The one thing wrong with each fault domain. */
    static String faults(String d) {
        return switch (d) {
            case "spf-plus-all.test" -> "@ IN TXT \"v=spf1 mx include:_spf.spf-plus-all.test -all\"\n"
                    + "_spf IN TXT \"v=spf1 ip4:198.51.100.0/28 include:_vendor.spf-plus-all.test\"\n_vendor IN TXT \"v=spf1 +all\"\n";
            case "spf-neutral.test" -> "@ IN TXT \"v=spf1 mx redirect=_spf.spf-neutral.test\"\n"
                    + "_spf IN TXT \"v=spf1 ip4:198.51.100.0/28 ?all\"\n";
            case "spf-no-all.test" -> "@ IN TXT \"v=spf1 mx redirect=_spf.spf-no-all.test\"\n"
                    + "_spf IN TXT \"v=spf1 ip4:198.51.100.0/28\"\n";
            case "spf-void.test" -> "@ IN TXT \"v=spf1 mx a:gone1.spf-void.test a:gone2.spf-void.test "
                    + "include:gone3.spf-void.test -all\"\n";
            case "spf-two.test" -> "@ IN TXT \"v=spf1 mx -all\"\n@ IN TXT \"v=spf1 ip4:198.51.100.9 -all\"\n";
            case "spf-lookups.test" -> "@ IN TXT \"v=spf1 mx include:i1.spf-lookups.test -all\"\n" + IntStream.rangeClosed(1, 10)
                    .mapToObj(i -> "i" + i + " IN TXT \"v=spf1 a" + (i < 10 ? " include:i" + (i + 1) + ".spf-lookups.test" : "") + " -all\"")
                    .collect(Collectors.joining("\n")) + "\n";
            case "mx-cname.test" -> "@ IN MX 10 alias\nalias IN CNAME mail\n";
            case "dmarc-nomailto.test" -> "_dmarc IN TXT \"v=DMARC1; p=reject; rua=dmarc@dmarc-nomailto.test\"\n";
            case "dmarc-foreign.test" -> "_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:agg@reports.test\"\n";
            case "dmarc-authorized.test" -> "_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:agg@reports.test\"\n";
            case "dmarc-commas.test" -> "_dmarc IN TXT \"v=DMARC1, p=reject, rua=mailto:d@dmarc-commas.test\"\n";
            case "mta-sts-nohost.test" -> "_mta-sts IN TXT \"v=STSv1; id=1\"\n";
            default -> "";
        };
    }

    /** The SHA-256 of the served certificate's key, read back the way a sender would, over STARTTLS. */
    static String spkiSha256(SSLContext context) {
        return served(new Target("dane.test", "mail.dane.test", "MX",
                List.of(java.net.InetAddress.getLoopbackAddress()), null));
    }

    static String served(Target t) {
        try {
            return HexFormat.of().formatHex(DaneCheck.sha256(DaneCheck.served(t, smtp, Duration.ofSeconds(3)).get(0)
                    .getPublicKey().getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static Report run(String domain, Map<String, Integer> portMap) {
        PostroomSettings.Deliverability settings = new PostroomSettings.Deliverability(Optional.empty(),
                Optional.empty(), "dkim", Optional.empty(), Optional.of(zone.address()), Duration.ofSeconds(2),
                List.of("bl.test"), List.of(), portMap, false, Optional.empty(), Duration.ofSeconds(8),
                Duration.ofSeconds(10), 1000);
        return new Doctor(settings, Dns.using(settings.dnsResolver(), settings.dnsTimeout()),
                MailSessions.socketFactory(Optional.of(certs.caPem())), Optional.empty()).run(domain, List.of());
    }

    static Report run(String domain) {
        return run(domain, Map.of());
    }

    static Check check(Report report, String id) {
        return DoctorTest.check(report, id);
    }

    @Test
    void thePerfectDomainPassesEveryCheck() {
        Report report = run("perfect.test");
        for (Check c : report.checks()) {
            assertThat(c.status()).as(c.id() + ": " + c.message()).isEqualTo(Status.OK);
        }
        assertThat(report.status()).isEqualTo(Status.OK);
        assertThat(check(report, "dnssec").details()).containsEntry("security", "secure");
    }

    /** A check's verdict and the words that must be in its message. */
    static void expect(String domain, String id, Status status, String... words) {
        Check c = check(run(domain), id);
        assertThat(c.status()).as(domain + " " + id + ": " + c.message()).isEqualTo(status);
        for (String w : words) {
            assertThat(c.message()).as(domain + " " + id).contains(w);
        }
    }

    @Test
    void spfFaultsReachedThroughIncludesAndRedirectsAreFound() {
        expect("spf-plus-all.test", "spf", Status.INVALID, "+all");
        expect("spf-neutral.test", "spf", Status.WARNING, "neutral");
        expect("spf-no-all.test", "spf", Status.WARNING, "neutral");
        expect("spf-void.test", "spf", Status.INVALID, "void");
        expect("spf-lookups.test", "spf", Status.INVALID, "more than the 10");
        Check two = check(run("spf-two.test"), "spf");
        assertThat(two.status()).isEqualTo(Status.INVALID);
        // The merged record keeps both records' mechanisms and the strict -all.
        assertThat(two.record()).contains("mx").contains("ip4:198.51.100.9").endsWith("-all\"");
    }

    @Test
    void anMxThatIsACnameIsInvalid() {
        expect("mx-cname.test", "mx", Status.INVALID, "CNAME");
    }

    @Test
    void dmarcReportsThatCannotArriveAreSaidSoAndFixesKeepTheStrictness() {
        expect("dmarc-nomailto.test", "dmarc", Status.WARNING, "mailto:");
        expect("dmarc-foreign.test", "dmarc", Status.WARNING, "dmarc-foreign.test._report._dmarc.reports.test");
        expect("dmarc-authorized.test", "dmarc", Status.OK);
        Check commas = check(run("dmarc-commas.test"), "dmarc");
        assertThat(commas.status()).isEqualTo(Status.INVALID);
        assertThat(commas.message()).contains("semicolons");
        assertThat(commas.record()).contains("p=reject").contains("rua=mailto:d@dmarc-commas.test");
        // The records table keeps what was published, never a weaker starter record.
        assertThat(run("perfect.test").records()).anySatisfy(r -> assertThat(r).contains("_dmarc").contains("p=reject"));
    }

    @Test
    void theRestOfTheFaultsEachGetTheirVerdict() {
        expect("mta-sts-nohost.test", "mta-sts", Status.WARNING, "mta-sts.mta-sts-nohost.test");
        expect("dkim-missing.test", "dkim", Status.MISSING);
        expect("ptr-mismatch.test", "ptr", Status.INVALID, "host-15.hosting.test", "does not resolve back");
        expect("listed.test", "blocklist:bl.test", Status.INVALID);
        expect("perfect.test", "blocklist:bl.test", Status.OK);
    }

    @Test
    void dnssecIsValidatedFromTheAnchorNotTakenOnTrust() {
        expect("perfect.test", "dnssec", Status.OK);
        expect("dnssec-bogus.test", "dnssec", Status.INVALID, "DS record");
        Check island = check(run("dnssec-island.test"), "dnssec");
        assertThat(island.status()).isEqualTo(Status.WARNING);
        assertThat(island.informational()).isTrue();
        Check unsigned = check(run("spf-two.test"), "dnssec");
        assertThat(unsigned.status()).isEqualTo(Status.MISSING);
        assertThat(unsigned.informational()).isTrue();
    }

    @Test
    void daneRecordsAreComparedWithTheServedCertificate() {
        Report good = run("dane.test", Map.of("smtp", smtp));
        assertThat(check(good, "dane").status()).as(check(good, "dane").message()).isEqualTo(Status.OK);
        assertThat(check(good, "tls-versions").status()).isEqualTo(Status.OK);
        Check wrong = check(run("dane-wrong.test", Map.of("smtp", smtp)), "dane");
        assertThat(wrong.status()).isEqualTo(Status.INVALID);
        assertThat(wrong.record()).isEqualTo("_" + smtp + "._tcp.mail.dane-wrong.test. 3600 IN TLSA 3 1 1 "
                + served(new Target("dane.test", "mail.dane.test", "MX",
                List.of(java.net.InetAddress.getLoopbackAddress()), null)));
    }

    @Test
    void aMailHostThatStillSpeaksTls10Or11IsWarnedAbout() {
        Check old = check(run("old-tls.test", Map.of("smtp", oldTls)), "tls-versions");
        assertThat(old.status()).isEqualTo(Status.WARNING);
        assertThat(old.details().get("accepted")).isEqualTo(List.of("TLS 1.0", "TLS 1.1"));
    }
}
