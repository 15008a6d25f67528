import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.postroom.config.PostroomSettings;
import com.postroom.deliverability.Doctor;
import com.postroom.deliverability.Dns;
import com.postroom.deliverability.DoctorTools;
import com.postroom.deliverability.Report;
import com.postroom.mail.MailSessions;
import com.postroom.support.FakeDns;
import com.postroom.support.FakeMailPorts;
import com.postroom.support.TestCertificates;

/**
 * Full doctor runs against a fake DNS server and TLS ports on loopback: how long one whole report takes (all checks
 * in parallel), healthy and with DNS that does not answer for some names. Run by bench/doctor/run.sh.
 */
public class DoctorBench {

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args.length > 0 ? args[0] : "50");
        Path dir = Files.createTempDirectory("doctor-bench");
        FakeDns dns = FakeDns.start();
        FakeMailPorts ports = new FakeMailPorts();
        TestCertificates certs = TestCertificates.create(dir);
        var tls = certs.server("mail.bench.test", 365, 0);
        Map<String, Integer> portMap = new LinkedHashMap<>();
        portMap.put("smtp", ports.open(FakeMailPorts.Mode.STARTTLS, tls));
        portMap.put("submission", ports.open(FakeMailPorts.Mode.STARTTLS, tls));
        portMap.put("smtps", ports.open(FakeMailPorts.Mode.IMPLICIT, tls));
        portMap.put("imaps", ports.open(FakeMailPorts.Mode.IMPLICIT, tls));
        String key = DoctorTools.dkimKey("bench.test", "dkim", 2048).record();
        String p = key.substring(key.indexOf("p=") + 2).replaceAll("[\" )]", "");
        dns.mx("bench.test", 10, "mail.bench.test").a("mail.bench.test", "127.0.0.1")
                .ptr("127.0.0.1", "mail.bench.test").txt("bench.test", "v=spf1 mx include:_spf.bench.test ~all")
                .txt("_spf.bench.test", "v=spf1 ip4:192.0.2.0/24 -all")
                .txt("dkim._domainkey.bench.test", "v=DKIM1; k=rsa; p=" + p)
                .txt("_dmarc.bench.test", "v=DMARC1; p=quarantine; rua=mailto:d@bench.test");
        PostroomSettings.Deliverability settings = new PostroomSettings.Deliverability(Optional.empty(),
                Optional.empty(), "dkim", Optional.empty(), Optional.of(dns.address()), Duration.ofMillis(500),
                List.of("zen.bl.test", "bl.spamcop.test", "b.barracuda.test"), List.of("dbl.bl.test"), portMap, false,
                Optional.empty(), Duration.ofSeconds(3), Duration.ofSeconds(10), 1000);
        Doctor doctor = new Doctor(settings, Dns.using(settings.dnsResolver(), settings.dnsTimeout()),
                MailSessions.socketFactory(Optional.of(certs.caPem())), Optional.empty());

        measure("healthy zone, 4 TLS ports, 4 blocklists", doctor, runs);
        dns.silent("_dmarc.bench.test").silent("1.0.0.127.zen.bl.test");
        measure("two names never answer (DNS_TIMEOUT=500ms)", doctor, Math.max(5, runs / 5));
        dns.close();
        ports.close();
    }

    private static void measure(String label, Doctor doctor, int runs) {
        doctor.run("bench.test", List.of()); // warm-up: class loading, TLS, JIT
        List<Long> ms = new ArrayList<>();
        int checks = 0;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            Report r = doctor.run("bench.test", List.of());
            ms.add((System.nanoTime() - t0) / 1_000_000);
            checks = r.checks().size();
        }
        ms.sort(Long::compare);
        System.out.printf("%s: %d runs of %d checks: p50 %d ms, p95 %d ms, max %d ms%n", label, runs, checks,
                ms.get(ms.size() / 2), ms.get((int) Math.ceil(ms.size() * 0.95) - 1), ms.get(ms.size() - 1));
    }
}
