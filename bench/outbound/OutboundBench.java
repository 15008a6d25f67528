import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives a running Postroom: (1) a burst of N sends from C concurrent clients, timed until every one is accepted
 * into the outbox and until the last SMTP 250 (max sent_at); (2) a steady open-loop rate, with per-request latency.
 * Usage: java OutboundBench.java <base-url> <email> <password> <count> <clients> <rate/s> <seconds>
 * Environment: WARMUP (sends before measuring, default count); CPU_DIR and POSTROOM_PID to record CPU per program
 * (bench/cpu.py) when the burst starts, when it is accepted and when every message is sent.
 */
public class OutboundBench {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();
    static final Pattern ID = Pattern.compile("\"message\":\\{\"id\":\"([0-9a-f-]{36})\"");
    static final String BODY = ("Statement reminder for a patient account. ".repeat(60)).substring(0, 2000);
    static String base;
    static String token;

    public static void main(String[] args) throws Exception {
        base = args[0];
        int count = Integer.parseInt(args[3]);
        int clients = Integer.parseInt(args[4]);
        int rate = Integer.parseInt(args[5]);
        int seconds = Integer.parseInt(args[6]);
        String login = post("/api/auth/login", "{\"email\":\"" + args[1] + "\",\"password\":\"" + args[2] + "\"}", null);
        Matcher t = Pattern.compile("\"access_token\":\"([^\"]+)\"").matcher(login);
        t.find();
        token = t.group(1);

        ExecutorService pool = Executors.newFixedThreadPool(clients);
        // Warm-up, not counted: a server runs warm, so the JIT compiles the send and delivery paths first. The
        // warm-up mail goes to another mailbox and is delivered before the measurement starts.
        List<Future<String>> warm = new ArrayList<>();
        int warmup = Integer.parseInt(System.getenv().getOrDefault("WARMUP", String.valueOf(count)));
        for (int i = 0; i < warmup; i++) {
            int n = i;
            warm.add(pool.submit(() -> send("warm-up " + n, "alice@postroom.test")));
        }
        String lastWarm = null;
        for (Future<String> f : warm) {
            lastWarm = f.get();
        }
        while (!get("/api/email/outbound/" + lastWarm).contains("\"status\":\"sent\"")
                || !get("/actuator/health").contains("\"status\":\"UP\"")) {
            Thread.sleep(500);
        }
        Thread.sleep(5000);


        cpuMark("start");
        List<Future<String>> futures = new ArrayList<>();
        Instant first = Instant.now();
        for (int i = 0; i < count; i++) {
            int n = i;
            futures.add(pool.submit(() -> send("postroom bench " + n)));
        }
        List<String> ids = new ArrayList<>();
        for (Future<String> f : futures) {
            ids.add(f.get());
        }
        Duration accepted = Duration.between(first, Instant.now());
        cpuMark("accepted");
        System.out.printf("burst: %d sends accepted into the outbox in %.2f s (%.0f/s) with %d clients%n", count,
                accepted.toMillis() / 1000.0, count * 1000.0 / accepted.toMillis(), clients);

        OffsetDateTime last = null;
        for (String id : ids) {
            OffsetDateTime sentAt = null;
            while (sentAt == null) {
                String status = get("/api/email/outbound/" + id);
                Matcher m = Pattern.compile("\"sent_at\":\"([^\"]+)\"").matcher(status);
                if (m.find()) {
                    sentAt = OffsetDateTime.parse(m.group(1));
                } else if (status.contains("\"status\":\"failed\"")) {
                    throw new IllegalStateException("message failed: " + status);
                } else {
                    Thread.sleep(200);
                }
            }
            if (last == null || sentAt.isAfter(last)) {
                last = sentAt;
            }
        }
        cpuMark("sent");
        double total = Duration.between(first, last.toInstant()).toMillis() / 1000.0;
        System.out.printf("postroom: %d messages from the first API call to the last SMTP 250 in %.2f s = %.1f msg/s%n",
                count, total, count / total);

        if (rate > 0) {
            steady(rate, seconds);
        }
        pool.shutdownNow();
    }

    /** Open loop: requests start on a fixed schedule whether or not earlier ones finished. */
    static void steady(int rate, int seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(64);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        long intervalNanos = 1_000_000_000L / rate;
        long start = System.nanoTime();
        int total = rate * seconds;
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int n = i;
            futures.add(pool.submit(() -> {
                long t0 = System.nanoTime();
                send("steady " + n);
                latencies.add(System.nanoTime() - t0);
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("steady: %d requests at %d/s: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n", total,
                rate, pct(sorted, 50), pct(sorted, 95), pct(sorted, 99), sorted.get(sorted.size() - 1) / 1e6);
        pool.shutdownNow();
    }

    static double pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1e6;
    }

    static String send(String subject) throws Exception {
        return send(subject, "bench@postroom.test");
    }

    static String send(String subject, String to) throws Exception {
        String json = "{\"sender\":\"founder@postroom.test\",\"recipients\":[\"" + to + "\"],\"subject\":\""
                + subject + "\",\"body_plain\":\"" + BODY + "\"}";
        String answer = post("/api/email/send", json, token);
        Matcher m = ID.matcher(answer);
        if (!m.find()) {
            throw new IllegalStateException("unexpected answer: " + answer);
        }
        return m.group(1);
    }

    static String post(String path, String json, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static String get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Records CPU per program (bench/cpu.py) under CPU_DIR/NAME.json; the run script prints the differences. */
    static void cpuMark(String name) throws Exception {
        String dir = System.getenv("CPU_DIR");
        if (dir != null) {
            new ProcessBuilder("python3", "bench/cpu.py", "snap", dir + "/" + name + ".json",
                    System.getenv().getOrDefault("POSTROOM_PID", "0")).inheritIO().start().waitFor();
        }
    }
}
