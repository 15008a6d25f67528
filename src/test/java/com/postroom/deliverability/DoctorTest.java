package com.postroom.deliverability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

import com.postroom.config.PostroomSettings;
import com.postroom.mail.MailSessions;
import com.postroom.support.FakeDns;
import com.postroom.support.FakeMailPorts;
import com.postroom.support.FakeMailPorts.Mode;
import com.postroom.support.TestCertificates;

/**
 * Every doctor check against a fake DNS server and fake mail ports on loopback: a healthy domain, then each record
 * broken in the ways real zones break, plus SERVFAIL and silence from DNS and the usual TLS troubles.
 */
class DoctorTest {

    static final String DOMAIN = "clinic.test";
    static final String HOST = "mail.clinic.test";

    @TempDir
    static Path dir;
    static FakeDns dns;
    static FakeMailPorts ports;
    static TestCertificates certs;
    static SSLContext valid;
    static KeyPair dkim;
    static Map<String, Integer> healthyPorts;

    /** The MTA-STS policy host (mta-sts.clinic.test on loopback), and what it serves. */
    static com.sun.net.httpserver.HttpsServer policyHost;
    static com.sun.net.httpserver.HttpsServer wrongCertificate;
    static volatile String policy;
    static final String ENFORCE = "version: STSv1\nmode: enforce\nmx: mail.clinic.test\nmax_age: 604800\n";

    static com.sun.net.httpserver.HttpsServer policyServer(SSLContext tls) {
        try {
            com.sun.net.httpserver.HttpsServer server = com.sun.net.httpserver.HttpsServer.create(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
            server.createContext("/.well-known/mta-sts.txt", exchange -> {
                byte[] body = policy.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/plain");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void start() {
        dns = FakeDns.start();
        ports = new FakeMailPorts();
        certs = TestCertificates.create(dir);
        valid = certs.server(HOST, 365, 0);
        dkim = DkimCheck.generate(2048);
        healthyPorts = new LinkedHashMap<>();
        healthyPorts.put("smtp", ports.open(Mode.STARTTLS, valid));
        healthyPorts.put("submission", ports.open(Mode.STARTTLS, valid));
        healthyPorts.put("smtps", ports.open(Mode.IMPLICIT, valid));
        healthyPorts.put("imaps", ports.open(Mode.IMPLICIT, valid));
        policyHost = policyServer(certs.server("mta-sts." + DOMAIN, 365, 0));
        wrongCertificate = policyServer(certs.server("somewhere-else.test", 365, 0));
        MtaStsCheck.httpsPort = policyHost.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        dns.close();
        ports.close();
        policyHost.stop(0);
        wrongCertificate.stop(0);
        MtaStsCheck.httpsPort = 443;
    }

    @BeforeEach
    void healthyZone() {
        policy = ENFORCE;
        MtaStsCheck.httpsPort = policyHost.getAddress().getPort();
        dns.clear();
        dns.mx(DOMAIN, 10, HOST).a(HOST, "127.0.0.1").ptr("127.0.0.1", HOST)
                .txt(DOMAIN, "v=spf1 mx include:_spf." + DOMAIN + " ~all")
                .txt(DOMAIN, "google-site-verification=abc123")
                .txt("_spf." + DOMAIN, "v=spf1 ip4:192.0.2.0/24 -all")
                .txt("dkim._domainkey." + DOMAIN, "v=DKIM1; k=rsa; p="
                        + Base64.getEncoder().encodeToString(dkim.getPublic().getEncoded()))
                .txt("_dmarc." + DOMAIN, "v=DMARC1; p=quarantine; rua=mailto:dmarc@" + DOMAIN)
                .txt("_mta-sts." + DOMAIN, "v=STSv1; id=20261124").a("mta-sts." + DOMAIN, "127.0.0.1")
                .txt("_smtp._tls." + DOMAIN, "v=TLSRPTv1; rua=mailto:tls@" + DOMAIN);
    }

    static PostroomSettings.Deliverability settings(Map<String, Integer> portMap, Optional<Path> keyFile,
                                                    Duration dnsTimeout) {
        return new PostroomSettings.Deliverability(Optional.empty(), Optional.empty(), "dkim", keyFile,
                Optional.of(dns.address()), dnsTimeout, List.of("zen.bl.test", "bl.spamcop.test"),
                List.of("dbl.bl.test"), portMap, false, Optional.empty(), Duration.ofSeconds(3),
                Duration.ofSeconds(10), 1000);
    }

    static Report run() {
        return run(settings(healthyPorts, Optional.empty(), Duration.ofMillis(500)), Optional.of(certs.caPem()));
    }

    static Report run(PostroomSettings.Deliverability settings, Optional<Path> ca) {
        Doctor doctor = new Doctor(settings, Dns.using(settings.dnsResolver(), settings.dnsTimeout()),
                MailSessions.socketFactory(ca), Optional.empty());
        return doctor.run(DOMAIN, List.of());
    }

    static Check check(Report report, String id) {
        return report.checks().stream().filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + id + " in " + report.checks()));
    }

    @Test
    void aHealthyDomainPassesEveryCheckInUnderTwoSeconds() {
        Report report = run();

        assertThat(report.mailHost()).isEqualTo(HOST);
        assertThat(report.mailHostSource()).isEqualTo("MX");
        for (String id : List.of("mx", "ptr", "spf", "dkim", "dmarc", "mta-sts", "tls-rpt", "port:smtp", "relay", "ipv6", "tls-versions",
                "port:submission", "port:smtps", "port:imaps", "blocklist:zen.bl.test", "blocklist:bl.spamcop.test",
                "domain-blocklist:dbl.bl.test")) {
            assertThat(check(report, id).status()).as(id + ": " + check(report, id).message()).isEqualTo(Status.OK);
        }
        // 127.0.0.1 is not an address the internet can reach: the one warning of this setup.
        assertThat(check(report, "a").status()).isEqualTo(Status.WARNING);
        assertThat(report.status()).isEqualTo(Status.WARNING);
        assertThat(check(report, "dkim").details()).containsEntry("bits", 2048);
        // This fake DNS server knows nothing of DNSSEC: said, never counted; DANE is optional and suggested.
        assertThat(check(report, "dnssec").status()).isEqualTo(Status.UNKNOWN);
        assertThat(check(report, "dnssec").informational()).isTrue();
        assertThat(check(report, "dane").status()).isEqualTo(Status.MISSING);
        assertThat(check(report, "dane").record()).startsWith("_" + healthyPorts.get("smtp") + "._tcp." + HOST
                + ". 3600 IN TLSA 3 1 1 ");
        assertThat(check(report, "port:submission").details()).containsKey("days_left");
        assertThat(check(report, "spf").details()).containsEntry("lookups", 2);
        assertThat(report.records()).anySatisfy(r -> assertThat(r).startsWith("clinic.test. 3600 IN MX 10"));
        assertThat(report.durationMs()).as("a full run against loopback").isLessThan(2000);
    }

    @Test
    void spfProblemsEachGetTheirOwnVerdictAndFix() {
        reset(DOMAIN).txt(DOMAIN, "v=spf1 mx ~all").txt(DOMAIN, "v=spf1 a -all");
        assertThat(check(run(), "spf").status()).isEqualTo(Status.INVALID);
        assertThat(check(run(), "spf").message()).contains("2 SPF records");

        reset(DOMAIN).txt(DOMAIN, "v=spf1 mx +all");
        assertThat(check(run(), "spf").status()).isEqualTo(Status.INVALID);
        assertThat(check(run(), "spf").message()).contains("+all");

        reset(DOMAIN).txt(DOMAIN, "v=spf1 a:" + HOST + " ?all");
        assertThat(check(run(), "spf").status()).isEqualTo(Status.WARNING);

        reset(DOMAIN).txt(DOMAIN, "v=spf1 ip4:192.0.2.1 -all");
        Check uncovered = check(run(), "spf");
        assertThat(uncovered.status()).isEqualTo(Status.INVALID);
        assertThat(uncovered.record()).contains("v=spf1 ip4:192.0.2.1 a:" + HOST + " -all");

        reset(DOMAIN).txt(DOMAIN, "v=spf1 mx include:nowhere.test ~all");
        assertThat(check(run(), "spf").message()).contains("include:nowhere.test has no SPF records");

        reset(DOMAIN).txt(DOMAIN, "v=spf1 mx bogus:thing ~all");
        assertThat(check(run(), "spf").status()).isEqualTo(Status.INVALID);

        reset(DOMAIN);
        Check missing = check(run(), "spf");
        assertThat(missing.status()).isEqualTo(Status.MISSING);
        assertThat(missing.record()).isEqualTo("clinic.test. 3600 IN TXT \"v=spf1 mx a:" + HOST + " ~all\"");

        // Eleven lookups through a chain of includes.
        reset(DOMAIN).txt(DOMAIN, "v=spf1 mx include:i1.test ~all");
        for (int i = 1; i <= 9; i++) {
            dns.txt("i" + i + ".test", "v=spf1 a include:i" + (i + 1) + ".test ~all");
        }
        dns.txt("i10.test", "v=spf1 ip4:192.0.2.9 ~all");
        Check tooMany = check(run(), "spf");
        assertThat(tooMany.status()).isEqualTo(Status.INVALID);
        assertThat(tooMany.message()).contains("more than the 10");

        reset(DOMAIN).txt(DOMAIN, "v=spf1 redirect=_spf2." + DOMAIN);
        dns.txt("_spf2." + DOMAIN, "v=spf1 ip4:127.0.0.0/8 -all");
        assertThat(check(run(), "spf").status()).isEqualTo(Status.OK);
    }

    @Test
    void dkimKeysAreParsedSizedAndMatchedAgainstThePrivateKey() throws Exception {
        String name = "dkim._domainkey." + DOMAIN;
        KeyPair small = DkimCheck.generate(1024);
        reset(name).txt(name, "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(small.getPublic()
                .getEncoded()));
        assertThat(check(run(), "dkim").status()).isEqualTo(Status.WARNING);

        reset(name).txt(name, "v=DKIM1; k=rsa; p=");
        assertThat(check(run(), "dkim").message()).contains("revoked");

        reset(name).txt(name, "v=DKIM1; k=rsa; p=bm90IGEga2V5");
        assertThat(check(run(), "dkim").status()).isEqualTo(Status.INVALID);

        reset(name);
        Check missing = check(run(), "dkim");
        assertThat(missing.status()).isEqualTo(Status.MISSING);
        assertThat(missing.message()).contains("dkim-keygen");

        // The private key file: PKCS#1 as openssl genrsa and Mailu write it, matched against what is published.
        Path key = dir.resolve("dkim.key");
        byte[] pkcs8 = dkim.getPrivate().getEncoded();
        assertThat(pkcs8[22]).isEqualTo((byte) 0x04); // SEQ, version, rsaEncryption, then OCTET STRING { PKCS#1 }
        Files.writeString(key, "-----BEGIN RSA PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(
                Arrays.copyOfRange(pkcs8, 26, pkcs8.length)) + "\n-----END RSA PRIVATE KEY-----\n");
        healthyZone();
        Report matching = run(settings(healthyPorts, Optional.of(key), Duration.ofMillis(500)),
                Optional.of(certs.caPem()));
        assertThat(check(matching, "dkim").status()).isEqualTo(Status.OK);
        assertThat(check(matching, "dkim").message()).contains("matches the private key");

        Path other = dir.resolve("other.key");
        Files.writeString(other, DkimCheck.pem(DkimCheck.generate(2048).getPrivate()));
        Check mismatch = check(run(settings(healthyPorts, Optional.of(other), Duration.ofMillis(500)),
                Optional.of(certs.caPem())), "dkim");
        assertThat(mismatch.status()).isEqualTo(Status.INVALID);
        assertThat(mismatch.record()).startsWith(name + ". 3600 IN TXT ( \"v=DKIM1; k=rsa; p=");

        // The generated record, split into 255-character strings, is what a resolver hands back whole.
        String record = DoctorTools.dkimKey(DOMAIN, "dkim", 2048).record();
        assertThat(record).matches(".*\\( (\"[^\"]{1,255}\" ?)+\\)");
    }

    @Test
    void dmarcAdvisesFromNoneTowardQuarantine() {
        String name = "_dmarc." + DOMAIN;
        reset(name);
        Check missing = check(run(), "dmarc");
        assertThat(missing.status()).isEqualTo(Status.MISSING);
        assertThat(missing.record()).contains("p=none");

        reset(name).txt(name, "v=DMARC1; p=none; rua=mailto:d@" + DOMAIN);
        Check none = check(run(), "dmarc");
        assertThat(none.status()).isEqualTo(Status.WARNING);
        assertThat(none.record()).contains("p=quarantine");

        reset(name).txt(name, "v=DMARC1; rua=mailto:d@" + DOMAIN);
        assertThat(check(run(), "dmarc").status()).isEqualTo(Status.INVALID);

        reset(name).txt(name, "v=DMARC1; p=reject").txt(name, "v=DMARC1; p=none");
        assertThat(check(run(), "dmarc").status()).isEqualTo(Status.INVALID);

        reset(name).txt(name, "v=DMARC1; p=reject; pct=20; rua=mailto:d@" + DOMAIN);
        assertThat(check(run(), "dmarc").status()).isEqualTo(Status.WARNING);
    }

    /** Faults that looked fine on the surface: SPF that passes anyone through an include, void lookups, an MX alias. */
    @Test
    void faultsHiddenBehindIncludesAliasesAndReportAddresses() {
        reset(DOMAIN).txt(DOMAIN, "v=spf1 mx include:lax.test -all").txt("lax.test", "v=spf1 +all");
        Check lax = check(run(), "spf");
        assertThat(lax.status()).isEqualTo(Status.INVALID);
        assertThat(lax.message()).contains("lets any server pass SPF", "through an include");

        reset(DOMAIN).txt(DOMAIN, "v=spf1 mx include:a.test -all").txt("a.test", "v=spf1 include:b.test -all")
                .txt("b.test", "v=spf1 ip4:0.0.0.0/0 -all");
        assertThat(check(run(), "spf").status()).as("nested, the whole internet").isEqualTo(Status.INVALID);

        reset(DOMAIN).txt(DOMAIN, "v=spf1 mx include:quiet.test").txt("quiet.test", "v=spf1 ip4:192.0.2.9 ?all");
        Check neutral = check(run(), "spf");
        assertThat(neutral.status()).isEqualTo(Status.WARNING);
        assertThat(neutral.message()).contains("says nothing about servers it does not list");
        assertThat(neutral.record()).endsWith("include:quiet.test ~all\"");

        reset(DOMAIN).txt(DOMAIN, "v=spf1 mx a:gone1.test a:gone2.test a:gone3.test -all");
        Check voids = check(run(), "spf");
        assertThat(voids.status()).isEqualTo(Status.INVALID);
        assertThat(voids.message()).contains("void lookups", "a:gone3.test");

        healthyZone();
        dns.remove(DOMAIN, Type.MX);
        dns.mx(DOMAIN, 10, "alias." + DOMAIN).cname("alias." + DOMAIN, HOST);
        Check alias = check(run(), "mx");
        assertThat(alias.status()).isEqualTo(Status.INVALID);
        assertThat(alias.message()).contains("alias (CNAME) of " + HOST);
        assertThat(alias.record()).isEqualTo(DOMAIN + ". 3600 IN MX 10 " + HOST + ".");

        String name = "_dmarc." + DOMAIN;
        reset(name).txt(name, "v=DMARC1; p=reject; rua=dmarc@" + DOMAIN);
        Check noMailto = check(run(), "dmarc");
        assertThat(noMailto.status()).isEqualTo(Status.WARNING);
        assertThat(noMailto.message()).contains("will not arrive", "not a mailto: address")
                .doesNotContain("with aggregate reports to");

        reset(name).txt(name, "v=DMARC1; p=reject; rua=mailto:reports@vendor.test");
        Check foreign = check(run(), "dmarc");
        assertThat(foreign.status()).isEqualTo(Status.WARNING);
        assertThat(foreign.message()).contains(DOMAIN + "._report._dmarc.vendor.test");
        dns.txt(DOMAIN + "._report._dmarc.vendor.test", "v=DMARC1");
        assertThat(check(run(), "dmarc").status()).as("the vendor consented").isEqualTo(Status.OK);

        reset(name).txt(name, "v=DMARC1 p=reject rua=mailto:d@" + DOMAIN);
        Check spaces = check(run(), "dmarc");
        assertThat(spaces.status()).isEqualTo(Status.INVALID);
        assertThat(spaces.message()).contains("not separated by semicolons").doesNotContain("no p=");
        assertThat(spaces.record()).contains("\"v=DMARC1; p=reject; rua=mailto:d@" + DOMAIN + "\"");
    }

    /** MTA-STS checked as an enforcing sender would: the policy fetched over verified HTTPS, its mx: lines. */
    @Test
    void mtaStsPolicyIsFetchedAndMustCoverTheMxHosts() {
        assertThat(check(run(), "mta-sts").status()).isEqualTo(Status.OK);

        policy = ENFORCE.replace("mx: mail.clinic.test", "mx: old-mail.clinic.test");
        Check uncovered = check(run(), "mta-sts");
        assertThat(uncovered.status()).isEqualTo(Status.INVALID);
        assertThat(uncovered.message()).contains("does not list the MX host mail.clinic.test", "will not deliver");

        policy = "version: STSv1\nmode: testing\nmx: *.clinic.test\nmax_age: 86400\n";
        assertThat(check(run(), "mta-sts").message()).contains("mode testing");

        policy = "version: STSv1\nmode: enforce\nmx: *.other.test\nmax_age: 86400\n";
        assertThat(check(run(), "mta-sts").status()).isEqualTo(Status.INVALID);

        policy = ENFORCE;
        MtaStsCheck.httpsPort = wrongCertificate.getAddress().getPort();
        Check badCertificate = check(run(), "mta-sts");
        assertThat(badCertificate.status()).isEqualTo(Status.WARNING);
        assertThat(badCertificate.message()).contains("not in effect");

        healthyZone();
        dns.remove("mta-sts." + DOMAIN);
        Check noHost = check(run(), "mta-sts");
        assertThat(noHost.status()).isEqualTo(Status.WARNING);
        assertThat(noHost.message()).contains("mta-sts." + DOMAIN + " does not exist");

        reset("_mta-sts." + DOMAIN);
        Check unused = check(run(), "mta-sts");
        assertThat(unused.informational()).isTrue();
        assertThat(unused.status()).isEqualTo(Status.MISSING);
    }

    /** DOCTOR_TIMEOUT bounds the whole run: a DNS server that never answers cannot hold it longer. */
    @Test
    void theWholeRunEndsByDoctorTimeout() {
        dns.silent(DOMAIN);
        PostroomSettings.Deliverability base = settings(healthyPorts, Optional.empty(), Duration.ofSeconds(5));
        PostroomSettings.Deliverability bounded = new PostroomSettings.Deliverability(base.domain(), base.mailHost(),
                base.dkimSelector(), base.dkimPrivateKeyFile(), base.dnsResolver(), base.dnsTimeout(),
                base.ipBlocklists(), base.domainBlocklists(), base.ports(), base.checkPop3(), base.interval(),
                Duration.ofSeconds(20), base.roundTripTimeout(), base.outboxAlertDepth(), Duration.ofSeconds(2));
        long t0 = System.nanoTime();
        Report report = run(bounded, Optional.of(certs.caPem()));
        long took = (System.nanoTime() - t0) / 1_000_000;
        // Finding the mail host waits one DNS_TIMEOUT (5 s) before the checks start; then 2 s at most.
        assertThat(took).isLessThan(5000 + 2000 + 1500);
        assertThat(check(report, "spf").status()).isEqualTo(Status.UNKNOWN);
        assertThat(check(report, "spf").message()).contains("did not finish in time");
    }

    /** An AAAA record whose address does not take connections on port 25: mail over IPv6 will suffer. */
    @Test
    void anIpv6AddressThatCannotBeReachedIsSaid() throws Exception {
        healthyZone();
        dns.aaaa(HOST, "::1").ptr("::1", HOST);
        // Nothing listens on the smtp port over ::1 (the fake ports are IPv4 only).
        Check unreachable = check(run(), "ipv6");
        assertThat(unreachable.status()).isEqualTo(Status.WARNING);
        assertThat(unreachable.message()).contains("cannot be reached over IPv6 at 0:0:0:0:0:0:0:1",
                "mail over IPv6 will suffer");
        // Listening there too: fine.
        try (java.net.ServerSocket v6 = new java.net.ServerSocket()) {
            v6.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName("::1"), 0));
            Map<String, Integer> both = new LinkedHashMap<>(healthyPorts);
            both.put("smtp", v6.getLocalPort());
            Check reachable = check(run(settings(both, Optional.empty(), Duration.ofMillis(500)),
                    Optional.of(certs.caPem())), "ipv6");
            assertThat(reachable.status()).as(reachable.message()).isEqualTo(Status.OK);
        } catch (java.net.SocketException noIpv6Here) {
            // A machine without IPv6 loopback: the warning above is what can be shown here.
        }
    }

    /** A mail host that takes mail for another domain from anyone is an open relay; asked from loopback, a warning. */
    @Test
    void anOpenRelayIsFound() {
        Map<String, Integer> relaying = new LinkedHashMap<>(healthyPorts);
        relaying.put("smtp", ports.open(Mode.OPEN_RELAY, valid));
        Check relay = check(run(settings(relaying, Optional.empty(), Duration.ofMillis(500)),
                Optional.of(certs.caPem())), "relay");
        assertThat(relay.status()).isEqualTo(Status.WARNING);
        assertThat(relay.message()).contains("accepted mail for " + RelayCheck.FOREIGN_RECIPIENT,
                "run the doctor from outside");
        assertThat(check(run(), "relay").message()).contains("refuses to relay", "Relay access denied");
    }

    /** A suggested record keeps everything published and its strictness, and only adds what is missing. */
    @Test
    void fixesNeverWeakenWhatIsPublished() {
        reset(DOMAIN).txt(DOMAIN, "v=spf1 mx include:_spf." + DOMAIN + " -all");
        Report strict = run();
        assertThat(check(strict, "spf").status()).isEqualTo(Status.OK);
        assertThat(strict.records()).as("the table keeps -all").contains(DOMAIN + ". 3600 IN TXT \"v=spf1 mx include:_spf."
                + DOMAIN + " -all\"").noneMatch(r -> r.contains("~all"));

        reset(DOMAIN).txt(DOMAIN, "v=spf1 ip4:203.0.113.0/24 -all").txt(DOMAIN, "v=spf1 mx include:_spf." + DOMAIN
                + " ~all");
        Check two = check(run(), "spf");
        assertThat(two.record()).isEqualTo(DOMAIN + ". 3600 IN TXT \"v=spf1 ip4:203.0.113.0/24 mx include:_spf."
                + DOMAIN + " -all\"");

        reset(DOMAIN).txt(DOMAIN, "v=spf1 mx bogus:thing -all");
        assertThat(check(run(), "spf").record()).contains("\"v=spf1 mx -all\"");

        String name = "_dmarc." + DOMAIN;
        reset(name).txt(name, "v=DMARC1; p=reject; sp=reject; adkim=s; rua=mailto:dmarc@vendor.test");
        Report reject = run();
        assertThat(check(reject, "dmarc").status()).isEqualTo(Status.WARNING); // reports lost, policy kept
        assertThat(reject.records()).contains("_dmarc." + DOMAIN + ". 3600 IN TXT \"v=DMARC1; p=reject; sp=reject; "
                + "adkim=s; rua=mailto:dmarc@vendor.test\"").noneMatch(r -> r.contains("p=quarantine"));

        reset(name).txt(name, "v=DMARC1; p=none; adkim=s; rua=mailto:dmarc@" + DOMAIN + "; ruf=mailto:f@" + DOMAIN);
        assertThat(check(run(), "dmarc").record()).contains("\"v=DMARC1; p=quarantine; adkim=s; rua=mailto:dmarc@"
                + DOMAIN + "; ruf=mailto:f@" + DOMAIN + "\"");

        reset(name).txt(name, "v=DMARC1; p=rejct; rua=mailto:d@" + DOMAIN);
        assertThat(check(run(), "dmarc").record()).contains("p=reject; rua=mailto:d@" + DOMAIN);

        reset(name).txt(name, "v=DMARC1; p=reject").txt(name, "v=DMARC1; p=none");
        assertThat(check(run(), "dmarc").record()).contains("\"v=DMARC1; p=reject\"");
    }

    @Test
    void mxAndReverseDnsProblems() {
        healthyZone();
        dns.remove(DOMAIN, Type.MX);
        Report noMx = run();
        assertThat(check(noMx, "mx").status()).isEqualTo(Status.MISSING);
        assertThat(noMx.mailHost()).isEqualTo("mail." + DOMAIN);
        assertThat(noMx.mailHostSource()).isEqualTo("default");

        healthyZoneWithout("1.0.0.127.in-addr.arpa");
        Check noPtr = check(run(), "ptr");
        assertThat(noPtr.status()).isEqualTo(Status.MISSING);
        assertThat(noPtr.record()).isEqualTo("1.0.0.127.in-addr.arpa. IN PTR " + HOST + ".");

        dns.ptr("127.0.0.1", "host-127.provider.test");
        Check unconfirmed = check(run(), "ptr");
        assertThat(unconfirmed.status()).isEqualTo(Status.INVALID);
        assertThat(unconfirmed.message()).contains("does not resolve back");

        dns.a("host-127.provider.test", "127.0.0.1");
        assertThat(check(run(), "ptr").status()).isEqualTo(Status.WARNING);

        // The PTR names what the server greets with on port 25 (the fake says mail.postroom.test): nothing to change,
        // although the MX is called something else.
        dns.ptr("127.0.0.1", "mail.postroom.test").a("mail.postroom.test", "127.0.0.1");
        Check agreeing = check(run(), "ptr");
        assertThat(agreeing.status()).isEqualTo(Status.OK);
        assertThat(agreeing.message()).contains("the name the server greets with");
    }

    @Test
    void blocklistAnswersAreReadByTheirCodes() {
        dns.a("1.0.0.127.zen.bl.test", "127.0.0.4");
        dns.a("1.0.0.127.bl.spamcop.test", "127.255.255.254");
        dns.a(DOMAIN + ".dbl.bl.test", "127.0.1.2");
        Report report = run();
        assertThat(check(report, "blocklist:zen.bl.test").status()).isEqualTo(Status.INVALID);
        assertThat(check(report, "blocklist:zen.bl.test").message()).contains("127.0.0.1 (127.0.0.4) is listed");
        assertThat(check(report, "blocklist:bl.spamcop.test").status()).isEqualTo(Status.UNKNOWN);
        assertThat(check(report, "blocklist:bl.spamcop.test").message()).contains("refused");
        assertThat(check(report, "domain-blocklist:dbl.bl.test").status()).isEqualTo(Status.INVALID);

        healthyZone();
        dns.a("1.0.0.127.zen.bl.test", "192.0.2.7"); // a resolver that rewrites NXDOMAIN to an ad server
        assertThat(check(run(), "blocklist:zen.bl.test").status()).isEqualTo(Status.UNKNOWN);
    }

    @Test
    void servfailAndSilenceAreUnknownNotMissingAndTheRunStillEndsQuickly() {
        dns.servfail("_dmarc." + DOMAIN).silent("dkim._domainkey." + DOMAIN).silent("1.0.0.127.zen.bl.test");
        Report report = run(settings(healthyPorts, Optional.empty(), Duration.ofMillis(300)),
                Optional.of(certs.caPem()));
        assertThat(check(report, "dmarc").status()).isEqualTo(Status.UNKNOWN);
        assertThat(check(report, "dmarc").message()).contains("SERVFAIL");
        assertThat(check(report, "dkim").status()).isEqualTo(Status.UNKNOWN);
        assertThat(check(report, "dkim").message()).contains("did not answer");
        assertThat(check(report, "blocklist:zen.bl.test").status()).isEqualTo(Status.UNKNOWN);
        assertThat(check(report, "spf").status()).isEqualTo(Status.OK);
        assertThat(report.durationMs()).isLessThan(2000);

        // No DNS server at all: every DNS check is UNKNOWN, none claims a record is missing.
        PostroomSettings.Deliverability nowhere = new PostroomSettings.Deliverability(Optional.empty(),
                Optional.empty(), "dkim", Optional.empty(), Optional.of("127.0.0.1:" + FakeMailPorts.closedPort()),
                Duration.ofMillis(300), List.of("zen.bl.test"), List.of(), Map.of(), false, Optional.empty(),
                Duration.ofSeconds(3), Duration.ofSeconds(10), 1000);
        Report dark = run(nowhere, Optional.empty());
        assertThat(dark.checks()).allSatisfy(c -> assertThat(c.status()).as(c.id()).isEqualTo(Status.UNKNOWN));
    }

    @Test
    void portsReportStartTlsCertificatesAndFirewalls() {
        SSLContext soon = certs.server(HOST, 5, 0);
        SSLContext expired = certs.server(HOST, 10, -30);
        Map<String, Integer> map = new LinkedHashMap<>();
        map.put("smtp", ports.open(Mode.NO_STARTTLS, valid));
        map.put("submission", ports.open(Mode.NO_STARTTLS, valid));
        map.put("smtps", ports.open(Mode.IMPLICIT, soon));
        map.put("imaps", ports.open(Mode.IMPLICIT, expired));
        map.put("pop3s", FakeMailPorts.closedPort());
        PostroomSettings.Deliverability s = new PostroomSettings.Deliverability(Optional.empty(), Optional.empty(),
                "dkim", Optional.empty(), Optional.of(dns.address()), Duration.ofMillis(500), List.of(), List.of(),
                map, true, Optional.empty(), Duration.ofSeconds(3), Duration.ofSeconds(10), 1000);
        Report report = run(s, Optional.of(certs.caPem()));
        assertThat(check(report, "port:smtp").status()).isEqualTo(Status.WARNING);
        assertThat(check(report, "port:submission").status()).isEqualTo(Status.INVALID);
        assertThat(check(report, "port:submission").message()).contains("offers no STARTTLS");
        assertThat(check(report, "port:smtps").status()).isEqualTo(Status.WARNING);
        assertThat(check(report, "port:smtps").message()).contains("expires in 4 days");
        assertThat(check(report, "port:imaps").message()).contains("has expired");
        assertThat(check(report, "port:pop3s").message()).contains("Nothing accepts connections");

        // Without the private CA the certificate is untrusted; under another name it does not match.
        Report untrusted = run(settings(healthyPorts, Optional.empty(), Duration.ofMillis(500)), Optional.empty());
        assertThat(check(untrusted, "port:imaps").message()).contains("MAIL_TLS_CA_FILE");
        dns.clear();
        dns.mx(DOMAIN, 10, "other.clinic.test").a("other.clinic.test", "127.0.0.1");
        Check wrongName = check(run(), "port:submission");
        assertThat(wrongName.status()).isEqualTo(Status.INVALID);
        assertThat(wrongName.message()).contains("not valid for the name other.clinic.test");

        // A port that accepts and then says nothing: a firewall or a wedged server.
        healthyZone();
        Map<String, Integer> silent = Map.of("smtp", ports.open(Mode.SILENT, null), "submission",
                ports.open(Mode.SILENT, null));
        Report quiet = run(new PostroomSettings.Deliverability(Optional.empty(), Optional.empty(), "dkim",
                Optional.empty(), Optional.of(dns.address()), Duration.ofMillis(500), List.of(), List.of(), silent,
                false, Optional.empty(), Duration.ofSeconds(1), Duration.ofSeconds(10), 1000), Optional.empty());
        assertThat(check(quiet, "port:smtp").status()).isEqualTo(Status.UNKNOWN);
        assertThat(check(quiet, "port:submission").status()).isEqualTo(Status.INVALID);
        assertThat(check(quiet, "port:submission").message()).contains("did not answer");
    }

    @Test
    void informationalChecksNeverMakeTheReportWorse() {
        healthyZoneWithout("_mta-sts." + DOMAIN, "_smtp._tls." + DOMAIN);
        Report report = run();
        assertThat(check(report, "mta-sts").status()).isEqualTo(Status.MISSING);
        assertThat(check(report, "mta-sts").informational()).isTrue();
        assertThat(report.status()).isEqualTo(Status.WARNING);
    }

    @Test
    void statusOrderDecidesWhatCountsAsWorse() {
        assertThat(Status.INVALID.worseThan(Status.OK)).isTrue();
        assertThat(Status.WARNING.worseThan(Status.OK)).isTrue();
        assertThat(Status.MISSING.worseThan(Status.INVALID)).isFalse();
        assertThat(Status.UNKNOWN.worseThan(Status.OK)).isFalse();
        assertThat(Status.OK.worseThan(Status.UNKNOWN)).isFalse();
    }

    /** The healthy zone without the records of the given names. */
    private void healthyZoneWithout(String... names) {
        healthyZone();
        dns.remove(names);
    }

    /** The healthy zone without the TXT records of one name. */
    private FakeDns reset(String name) {
        healthyZone();
        return dns.remove(name, Type.TXT);
    }
}
