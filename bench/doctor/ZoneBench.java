package com.postroom.deliverability;

import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.postroom.config.PostroomSettings;
import com.postroom.mail.MailSessions;

/**
 * The doctor against the test suite's real DNS zone (Knot on loopback, DoctorZoneIT's domains: one per fault, one
 * perfect, DNSSEC-signed), timed per domain with the CPU it costs; then the same run with a resolver that never
 * answers, which must end within DOCTOR_TIMEOUT. Run by bench/doctor/run.sh; needs knotd (apt-get install knot).
 */
public class ZoneBench {

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args.length > 0 ? args[0] : "10");
        DoctorZoneIT.dir = Files.createTempDirectory("doctor-zone-bench");
        DoctorZoneIT.start();
        try {
            List<String> domains = new ArrayList<>(DoctorZoneIT.DOMAINS);
            DoctorZoneIT.run("perfect.test", Map.of()); // warm-up: class loading, JIT, the validator
            List<Long> wall = new ArrayList<>();
            long cpu0 = cpu();
            int checks = 0;
            for (int i = 0; i < runs; i++) {
                for (String d : domains) {
                    long t0 = System.nanoTime();
                    checks += DoctorZoneIT.run(d, Map.of()).checks().size();
                    wall.add((System.nanoTime() - t0) / 1_000_000);
                }
            }
            long cpuMs = (cpu() - cpu0) / 1_000_000;
            wall.sort(Long::compare);
            System.out.printf("test zone on Knot, %d domains x %d runs (%d checks): p50 %d ms, p95 %d ms, max %d ms; "
                            + "CPU %.1f ms per doctor run (this JVM, Knot not counted)%n", domains.size(), runs, checks,
                    wall.get(wall.size() / 2), wall.get((int) Math.ceil(wall.size() * 0.95) - 1),
                    wall.get(wall.size() - 1), (double) cpuMs / wall.size());
        } finally {
            DoctorZoneIT.stop();
        }

        // A resolver that takes every question and never answers (a bound socket nobody reads).
        try (DatagramSocket dead = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Duration dnsTimeout = Duration.ofSeconds(2);
            Duration runTimeout = Duration.ofSeconds(6);
            PostroomSettings.Deliverability settings = new PostroomSettings.Deliverability(Optional.empty(),
                    Optional.empty(), "dkim", Optional.empty(), Optional.of("127.0.0.1:" + dead.getLocalPort()),
                    dnsTimeout, List.of("bl.test", "zen.bl.test"), List.of("dbl.bl.test"),
                    Map.of("smtp", 25, "submission", 587, "smtps", 465, "imaps", 993), false, Optional.empty(),
                    Duration.ofSeconds(10), Duration.ofSeconds(30), 1000, runTimeout);
            Doctor doctor = new Doctor(settings, Dns.using(settings.dnsResolver(), dnsTimeout),
                    MailSessions.socketFactory(Optional.empty()), Optional.empty());
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                Report r = doctor.run("perfect.test", List.of());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                long unknown = r.checks().stream().filter(c -> c.status() == Status.UNKNOWN).count();
                System.out.printf("resolver never answers (DNS_TIMEOUT=%ds, DOCTOR_CHECK_TIMEOUT=10s, "
                                + "DOCTOR_TIMEOUT=%ds): %d ms, %d of %d checks UNKNOWN, %s%n", dnsTimeout.toSeconds(),
                        runTimeout.toSeconds(), ms, unknown, r.checks().size(),
                        ms <= runTimeout.toMillis() + 250 ? "within DOCTOR_TIMEOUT" : "OVER DOCTOR_TIMEOUT");
            }
        }
    }

    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
