package com.postroom.deliverability;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import javax.net.ssl.SSLSocketFactory;

import com.postroom.config.PostroomSettings;

/**
 * Runs every deliverability check for a domain at once, each on its own thread with its own time limit, and gathers
 * them into a {@link Report}. Plain Java with no database, so the CLI runs it before Postroom is deployed; the server
 * adds checks that need its state (logins, the outbox, the round trip) as {@link Extra}s.
 */
public final class Doctor {

    /** A check the caller adds, with its own time limit; it may use the run's DNS and mail host. */
    public record Extra(String id, String title, Duration timeout, java.util.function.BiFunction<Dns, Target, Check> run) {

        public Extra(String id, String title, Duration timeout, Supplier<Check> run) {
            this(id, title, timeout, (dns, target) -> run.get());
        }
    }

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "doctor-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private final PostroomSettings.Deliverability settings;
    private final Dns dns;
    private final SSLSocketFactory tls;
    private final Optional<String> smtpHost;

    public Doctor(PostroomSettings.Deliverability settings, Dns dns, SSLSocketFactory tls, Optional<String> smtpHost) {
        this.settings = settings;
        this.dns = dns;
        this.tls = tls;
        this.smtpHost = smtpHost;
    }

    public Report run(String domain, List<Extra> extras) {
        Instant started = Instant.now();
        String d = domain.toLowerCase(java.util.Locale.ROOT).replaceAll("\\.$", "");
        Target target = target(d); // one DNS_TIMEOUT at most
        Map<String, Future<Check>> running = new LinkedHashMap<>();
        Map<String, String> titles = new LinkedHashMap<>();
        Map<String, Duration> limits = new LinkedHashMap<>();
        Duration limit = settings.checkTimeout();
        submit(running, titles, limits, "mx", "MX of " + d, limit, () -> HostRecords.mx(dns, target));
        submit(running, titles, limits, "a", "Address of " + target.mailHost(), limit,
                () -> HostRecords.address(target));
        submit(running, titles, limits, "ptr", "Reverse DNS of " + target.mailHost(), limit,
                () -> HostRecords.ptr(dns, target));
        submit(running, titles, limits, "spf", "SPF of " + d, limit, () -> SpfCheck.run(dns, target));
        submit(running, titles, limits, "dkim", "DKIM key", limit,
                () -> DkimCheck.run(dns, target, settings.dkimSelector(), settings.dkimPrivateKeyFile()));
        submit(running, titles, limits, "dmarc", "DMARC of " + d, limit, () -> PolicyChecks.dmarc(dns, target));
        submit(running, titles, limits, "mta-sts", "MTA-STS of " + d, limit,
                () -> MtaStsCheck.run(dns, target, tls, limit.multipliedBy(4).dividedBy(5)));
        submit(running, titles, limits, "tls-rpt", "TLS-RPT of " + d, limit, () -> PolicyChecks.tlsRpt(dns, target));
        submit(running, titles, limits, "dnssec", "DNSSEC of " + d, limit, () -> DnssecCheck.run(dns, target));
        // The port checks get a little less than the check limit for their own connect and read timeouts, so they
        // report what timed out themselves instead of being cut off.
        Duration portTimeout = limit.multipliedBy(4).dividedBy(5);
        settings.ports().entrySet().stream()
                .filter(e -> !e.getKey().equals("pop3s") || settings.checkPop3())
                .sorted(Map.Entry.comparingByValue())
                .forEach(e -> submit(running, titles, limits, "port:" + e.getKey(), "Port " + e.getValue(), limit,
                        () -> PortCheck.run(target, e.getKey(), e.getValue(), tls, portTimeout)));
        Integer smtpPort = settings.ports().get("smtp");
        if (smtpPort != null) {
            submit(running, titles, limits, "relay", "Relaying on " + target.mailHost() + ":" + smtpPort, limit,
                    () -> RelayCheck.run(target, smtpPort, portTimeout));
            submit(running, titles, limits, "ipv6", "IPv6 of " + target.mailHost(), limit,
                    () -> Ipv6Check.run(target, smtpPort, portTimeout));
            submit(running, titles, limits, "tls-versions", "Old TLS versions on " + target.mailHost(), limit,
                    () -> LegacyTlsCheck.run(target, smtpPort, portTimeout.dividedBy(2)));
            submit(running, titles, limits, "dane", "DANE of " + target.mailHost(), limit,
                    () -> DaneCheck.run(dns, target, smtpPort, portTimeout));
        }
        for (String zone : settings.ipBlocklists()) {
            submit(running, titles, limits, "blocklist:" + zone, "Mail host on " + zone, limit,
                    () -> BlocklistCheck.address(dns, target, zone));
        }
        for (String zone : settings.domainBlocklists()) {
            submit(running, titles, limits, "domain-blocklist:" + zone, d + " on " + zone, limit,
                    () -> BlocklistCheck.domain(dns, target, zone));
        }
        for (Extra extra : extras) {
            submit(running, titles, limits, extra.id(), extra.title(), extra.timeout(),
                    () -> extra.run().apply(dns, target));
        }
        List<Check> checks = new ArrayList<>();
        // Each check by its own limit, and all of them by the run's: DOCTOR_TIMEOUT bounds the whole run, the
        // mail host's lookup and the round trip's longer limit included, so a deploy script can count on it.
        Instant end = started.plus(settings.runTimeout());
        for (Map.Entry<String, Future<Check>> e : running.entrySet()) {
            Instant own = started.plus(limits.get(e.getKey()));
            checks.add(await(e.getKey(), titles.get(e.getKey()), e.getValue(), own.isBefore(end) ? own : end));
        }
        reconcileReverseDns(checks);
        Instant done = Instant.now();
        return new Report(d, target.mailHost(), target.mailHostSource(), Report.overall(checks), started,
                Duration.between(started, done).toMillis(), List.copyOf(checks), RecordTable.of(target, checks));
    }

    /**
     * Reverse DNS is compared by receivers with the name the server greets them with, not with the MX: when the PTR
     * already names what port 25 said, there is nothing to change, whatever the MX is called.
     */
    static void reconcileReverseDns(List<Check> checks) {
        Optional<Check> smtp = checks.stream().filter(c -> c.id().equals("port:smtp")).findFirst();
        Object greeting = smtp.map(c -> c.details().get("greeting_name")).orElse(null);
        for (int i = 0; i < checks.size(); i++) {
            Check ptr = checks.get(i);
            if (!ptr.id().equals("ptr") || ptr.status() != Status.WARNING || !(greeting instanceof String name)
                    || !(ptr.details().get("names") instanceof List<?> names) || !names.contains(name)) {
                continue;
            }
            checks.set(i, new Check(ptr.id(), ptr.title(), Status.OK, "The reverse DNS names " + name + ", the "
                    + "name the server greets with on port 25, and it resolves back: receivers find them agreeing. "
                    + "(That it differs from the MX name is fine.)", null, ptr.details(), ptr.checkedAt(),
                    ptr.informational()));
        }
    }

    private Target target(String domain) {
        String host;
        String source;
        if (settings.mailHost().isPresent()) {
            host = settings.mailHost().get();
            source = "DOCTOR_MAIL_HOST";
        } else if (smtpHost.isPresent() && !smtpHost.get().matches("[0-9.:\\[\\]]+")
                && !smtpHost.get().equalsIgnoreCase("localhost")) {
            host = smtpHost.get().toLowerCase(java.util.Locale.ROOT);
            source = "SMTP_HOST";
        } else {
            Optional<String> mx;
            try {
                mx = dns.mx(domain).stream().map(Dns.Mx::host).filter(h -> !h.isEmpty()).findFirst();
            } catch (Dns.Failure e) {
                // A resolver that does not answer costs one DNS_TIMEOUT here, not one more for each address type.
                return new Target(domain, "mail." + domain, "default", List.of(), e.getMessage());
            }
            host = mx.orElse("mail." + domain);
            source = mx.isPresent() ? "MX" : "default";
        }
        // A and AAAA at once: one DNS_TIMEOUT when the resolver is silent, not two.
        Future<List<InetAddress>> v6 = POOL.submit(() -> dns.aaaa(host));
        try {
            List<InetAddress> addresses = new ArrayList<>(dns.a(host));
            addresses.addAll(v6.get());
            return new Target(domain, host, source, addresses, null);
        } catch (Dns.Failure e) {
            v6.cancel(true);
            return new Target(domain, host, source, List.of(), e.getMessage());
        } catch (ExecutionException e) {
            return new Target(domain, host, source, List.of(), LoginCheck.root(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Target(domain, host, source, List.of(), "interrupted");
        }
    }

    private static void submit(Map<String, Future<Check>> running, Map<String, String> titles,
                               Map<String, Duration> limits, String id, String title, Duration limit,
                               Supplier<Check> check) {
        running.put(id, POOL.submit(check::get));
        titles.put(id, title);
        limits.put(id, limit);
    }

    private static Check await(String id, String title, Future<Check> future, Instant deadline) {
        long wait = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
        try {
            return future.get(wait, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return Check.of(id, title).unknown("The check did not finish in time; the server or DNS it asks is too "
                    + "slow or unreachable.");
        } catch (ExecutionException e) {
            return Check.of(id, title).unknown("The check failed: " + LoginCheck.root(e.getCause()) + ".");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Check.of(id, title).unknown("The check was interrupted.");
        }
    }
}
