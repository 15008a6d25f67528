package com.postroom.support;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;

/**
 * A real authoritative DNS server for tests: Debian's Knot DNS ({@code knotd}) on a free high loopback port, serving
 * the zones a test writes, DNSSEC-signed where asked. Every {@code *.test} zone is delegated from a signed
 * {@code test.} zone, so a validating client anchored at {@link #trustAnchors()} walks a real chain of trust: a signed
 * child gets its DS in the parent, an "island" gets none, a "bogus" one gets a DS that matches no key.
 *
 * <p>Skipped without knotd; CI installs it (`.ci/run`) and sets POSTROOM_REAL_DNS_REQUIRED=true so it cannot be.
 */
public final class AuthoritativeDns implements AutoCloseable {

    /** How a zone is signed. */
    public enum Signing { UNSIGNED, SIGNED, ISLAND, BOGUS }

    private static final Path KNOTD = Path.of("/usr/sbin/knotd");
    private static final Path KEYMGR = Path.of("/usr/sbin/keymgr");

    private final Path dir;
    private final Map<String, String> zones = new LinkedHashMap<>();
    private final Map<String, Signing> signing = new LinkedHashMap<>();
    private Process knotd;
    private int port;
    private String anchors = "";

    public AuthoritativeDns(Path dir) {
        this.dir = dir;
    }

    /** Skips the test here when Knot is not installed; fails in CI (POSTROOM_REAL_DNS_REQUIRED=true). */
    public static void assumeAvailable() {
        boolean present = Files.isExecutable(KNOTD) && Files.isExecutable(KEYMGR);
        if (!present && "true".equals(System.getenv("POSTROOM_REAL_DNS_REQUIRED"))) {
            throw new IllegalStateException("knotd is not installed but POSTROOM_REAL_DNS_REQUIRED=true "
                    + "(apt-get install knot)");
        }
        Assumptions.assumeTrue(present, "Knot DNS (knotd) is not installed: apt-get install knot");
    }

    /** A zone: its records in zone-file syntax, relative to its origin (SOA and NS are added). */
    public AuthoritativeDns zone(String name, Signing how, String records) {
        zones.put(name, records);
        signing.put(name, how);
        return this;
    }

    public AuthoritativeDns start() {
        try {
            port = freePort();
            Files.createDirectories(dir.resolve("zones"));
            Files.createDirectories(dir.resolve("db"));
            StringBuilder parent = new StringBuilder();
            List<String> conf = new ArrayList<>();
            conf.add(zoneConf("test", true));
            for (Map.Entry<String, String> z : zones.entrySet()) {
                String name = z.getKey();
                Signing how = signing.get(name);
                conf.add(zoneConf(name, how != Signing.UNSIGNED));
                write(name, z.getValue());
                if (!name.endsWith(".test")) {
                    continue;
                }
                parent.append(name).append(". IN NS ns.test.\n");
                if (how == Signing.SIGNED || how == Signing.BOGUS) {
                    for (String ds : keys(name)) {
                        // A DS that matches no key: the zone's real DS with its digest's last byte changed.
                        parent.append(how == Signing.BOGUS ? corrupt(ds) : ds).append('\n');
                    }
                } else if (how == Signing.ISLAND) {
                    keys(name);
                }
            }
            parent.append("ns IN A 127.0.0.1\n");
            anchors = String.join("\n", keys("test")) + "\n";
            write("test", parent.toString());
            Files.writeString(dir.resolve("knot.conf"), """
                    server:
                        listen: 127.0.0.1@%d
                        rundir: %s
                    database:
                        storage: %s
                    log:
                      - target: stderr
                        any: warning
                    policy:
                      - id: manual
                        manual: on
                    template:
                      - id: default
                        storage: %s
                        zonefile-load: whole
                        journal-content: none
                        zonefile-sync: -1
                    zone:
                    %s
                    """.formatted(port, dir, dir.resolve("db"), dir.resolve("zones"), String.join("\n", conf)));
            knotd = new ProcessBuilder(KNOTD.toString(), "-c", dir.resolve("knot.conf").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("knotd.log").toFile()).start();
            awaitLoaded();
            return this;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For DNS_RESOLVER. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** The DS records of the signed {@code test.} zone: where a validating client starts. */
    public String trustAnchors() {
        return anchors;
    }

    private String zoneConf(String name, boolean signed) {
        return "  - domain: " + name + (signed ? "\n    dnssec-signing: on\n    dnssec-policy: manual" : "");
    }

    private void write(String name, String records) throws IOException {
        String zone = "$ORIGIN " + name + ".\n$TTL 300\n"
                + "@ IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300\n@ IN NS ns.test.\n" + records + "\n";
        Files.writeString(dir.resolve("zones").resolve(name + ".zone"), zone);
    }

    /** A key for the zone in Knot's key store (one combined signing key), and its DS records. */
    private List<String> keys(String zone) throws IOException {
        run(KEYMGR.toString(), "-c", configForKeys(), zone, "generate", "algorithm=ecdsap256sha256", "ksk=yes",
                "zsk=yes");
        return run(KEYMGR.toString(), "-c", configForKeys(), zone, "ds").lines()
                .filter(l -> l.contains(" DS ")).toList();
    }

    /** keymgr needs only the key store's place, so a minimal configuration will do before the real one exists. */
    private String configForKeys() throws IOException {
        Path conf = dir.resolve("keymgr.conf");
        if (!Files.exists(conf)) {
            Files.writeString(conf, "database:\n    storage: " + dir.resolve("db") + "\n");
        }
        return conf.toString();
    }

    private static String corrupt(String ds) {
        char last = ds.charAt(ds.length() - 1);
        return ds.substring(0, ds.length() - 1) + (last == '0' ? '1' : '0');
    }

    private String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** Until the parent zone answers, signed: Knot signs zones after it starts listening. */
    private void awaitLoaded() throws IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            if (!knotd.isAlive()) {
                throw new IllegalStateException("knotd stopped: " + Files.readString(dir.resolve("knotd.log")));
            }
            try {
                org.xbill.DNS.SimpleResolver r = new org.xbill.DNS.SimpleResolver(address().split(":")[0]);
                r.setPort(port);
                r.setTimeout(Duration.ofMillis(300));
                boolean all = true;
                for (String zone : zones.keySet()) {
                    org.xbill.DNS.Message m = r.send(org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
                            org.xbill.DNS.Name.fromString(zone + "."), org.xbill.DNS.Type.SOA,
                            org.xbill.DNS.DClass.IN)));
                    all &= m.getRcode() == org.xbill.DNS.Rcode.NOERROR
                            && !m.getSection(org.xbill.DNS.Section.ANSWER).isEmpty();
                }
                if (all) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("knotd did not load the zones in 20 s: "
                + Files.readString(dir.resolve("knotd.log")));
    }

    private static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        if (knotd != null) {
            knotd.destroy();
            try {
                knotd.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
