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
 * Drives a running Postroom. MODE=api (default): (1) a burst of N sends through POST /api/email/send from C concurrent
 * clients, timed until every one is accepted into the outbox and until the last SMTP 250 (the delivery workers'
 * counter reaching N, read four times a second); (2) a steady open-loop rate, with per-request latency.
 * MODE=batch: N messages through Postmark's POST /email/batch in N/500 concurrent calls, then SINGLES (default 5)
 * single calls of 500, each on a quiet server (MAIL_QUEUE: also after the mail server has delivered everything).
 * Usage: java OutboundBench.java <base-url> <email> <password> <count> <clients> <rate/s> <seconds>
 * Environment: WARMUP (sends before measuring, default count); CPU_DIR and POSTROOM_PID to record CPU per program
 * (bench/cpu.py) when the burst starts, when it is accepted and when every message is sent; BENCH_BODY=varied for
 * bodies of varied words (body()).
 */
public class OutboundBench {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();
    static final Pattern ID = Pattern.compile("\"message\":\\{\"id\":\"([0-9a-f-]{36})\"");
    static final String BODY = ("Statement reminder for a patient account. ".repeat(60)).substring(0, 2000);
    /** BENCH_BODY=varied: each message ~2 KB of its own words, as a real statement has (see body()). */
    static final boolean VARIED = "varied".equals(System.getenv("BENCH_BODY"));
    static final List<String> VOCABULARY = vocabulary();
    static final int SINGLES = Integer.parseInt(System.getenv().getOrDefault("SINGLES", "5"));
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
        if (System.getenv().getOrDefault("MODE", "api").equals("batch")) {
            batch(pool, count);
        } else {
            api(pool, count);
            if (rate > 0) {
                steady(rate, seconds);
            }
        }
        pool.shutdownNow();
    }

    /** Sends through {@code POST /api/email/send}, one message per request, from the pool's clients. */
    static void api(ExecutorService pool, int count) throws Exception {
        // Warm-up, not counted: a server runs warm, so the JIT compiles the send and delivery paths first. The
        // warm-up mail goes to another mailbox and is delivered before the measurement starts.
        int warmup = Integer.parseInt(System.getenv().getOrDefault("WARMUP", String.valueOf(count)));
        long before = sentCounter();
        List<Future<String>> warm = new ArrayList<>();
        for (int i = 0; i < warmup; i++) {
            int n = i;
            warm.add(pool.submit(() -> send("warm-up " + n, "alice@postroom.test")));
        }
        for (Future<String> f : warm) {
            f.get();
        }
        awaitSent(before + warmup);
        Thread.sleep(5000);
        awaitMailServerIdle();

        before = sentCounter();
        cpuMark("start");
        List<Future<String>> futures = new ArrayList<>();
        Instant first = Instant.now();
        for (int i = 0; i < count; i++) {
            int n = i;
            futures.add(pool.submit(() -> send("postroom bench " + n)));
        }
        for (Future<String> f : futures) {
            f.get();
        }
        Duration accepted = Duration.between(first, Instant.now());
        cpuMark("accepted");
        System.out.printf("burst: %d sends accepted into the outbox in %.2f s (%.0f/s)%n", count,
                accepted.toMillis() / 1000.0, count * 1000.0 / accepted.toMillis());
        Instant last = awaitSent(before + count);
        cpuMark("sent");
        awaitMailServerIdle();
        cpuMark("delivered");
        double total = Duration.between(first, last).toMillis() / 1000.0;
        System.out.printf("postroom: %d messages from the first API call to the last SMTP 250 in %.2f s = %.1f msg/s%n",
                count, total, count / total);
    }

    /**
     * Sends through Postmark's {@code POST /email/batch} with a server token: batches of 500 from four clients at
     * once (the burst), then single calls of 500 timed one after another on a quiet server.
     */
    static void batch(ExecutorService pool, int count) throws Exception {
        // BENCH_SEARCH_BODIES=false: a server whose mail's text is not indexed for search (migration 42).
        boolean searchBodies = !"false".equals(System.getenv("BENCH_SEARCH_BODIES"));
        String server = post("/api/postmark/servers", "{\"name\":\"bench\",\"senders\":[\"postroom.test\"],"
                + "\"search_bodies\":" + searchBodies + "}", token);
        Matcher t = Pattern.compile("\"token\":\"([^\"]+)\"").matcher(server);
        if (!t.find()) {
            throw new IllegalStateException("no server token: " + server);
        }
        String serverToken = t.group(1);
        int batches = Math.max(1, count / 500);
        int warmup = Math.max(1, Integer.parseInt(System.getenv().getOrDefault("WARMUP", String.valueOf(count))) / 500);
        long before = sentCounter();
        for (int done = 0; done < warmup; done += batches) {
            burst(pool, serverToken, Math.min(batches, warmup - done), "alice@postroom.test", "warm-up");
        }
        awaitSent(before + warmup * 500L);
        Thread.sleep(5000);
        awaitMailServerIdle();

        before = sentCounter();
        List<String> measured = bodies(batches, "bench@postroom.test", "postroom batch");
        cpuMark("start");
        Instant first = Instant.now();
        send(pool, serverToken, measured);
        Duration accepted = Duration.between(first, Instant.now());
        cpuMark("accepted");
        System.out.printf("burst: %d messages in %d concurrent calls of 500 to /email/batch accepted in %d ms%n",
                batches * 500, batches, accepted.toMillis());
        Instant last = awaitSent(before + batches * 500L);
        cpuMark("sent");
        awaitMailServerIdle();
        cpuMark("delivered");
        double total = Duration.between(first, last).toMillis() / 1000.0;
        System.out.printf("postroom: %d messages from the first API call to the last SMTP 250 in %.2f s = %.1f msg/s%n",
                batches * 500, total, batches * 500 / total);

        // One call of 500 on a quiet server: each after the previous one's mail has been delivered.
        List<Long> single = new ArrayList<>();
        long expected = sentCounter();
        for (int i = 0; i < SINGLES; i++) {
            Thread.sleep(2000);
            awaitMailServerIdle();
            List<String> one = bodies(1, "alice@postroom.test", "single " + i);
            long t0 = System.nanoTime();
            long started = System.currentTimeMillis();
            send(pool, serverToken, one);
            single.add((System.nanoTime() - t0) / 1_000_000);
            System.out.printf("single call %d: %d ms, from %d (epoch ms; to match a profile's samples)%n", i,
                    single.get(i), started);
            expected += 500;
            awaitSent(expected);
        }
        System.out.printf("single calls of 500 to /email/batch on a quiet server: %s ms%n", single);
    }

    /**
     * Quiet means the whole machine: Postroom's counter says the mail server accepted the last message, but Postfix
     * then spends seconds more of both cores delivering the previous call's 500 into Dovecot. With MAIL_QUEUE (the
     * Postfix queue's folder), waits until its active, incoming and maildrop queues are empty.
     */
    static void awaitMailServerIdle() throws Exception {
        String queue = System.getenv("MAIL_QUEUE");
        if (queue == null || queue.isBlank()) {
            return;
        }
        for (int i = 0; i < 600 && !queueEmpty(java.nio.file.Path.of(queue)); i++) {
            Thread.sleep(200);
        }
    }

    static boolean queueEmpty(java.nio.file.Path queue) throws java.io.IOException {
        for (String name : List.of("active", "incoming", "maildrop")) {
            java.nio.file.Path dir = queue.resolve(name);
            if (java.nio.file.Files.isDirectory(dir)) {
                try (var files = java.nio.file.Files.walk(dir)) {
                    if (files.anyMatch(java.nio.file.Files::isRegularFile)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** {@code calls} concurrent calls of 500 messages each; fails loudly if any message is refused. */
    static void burst(ExecutorService pool, String serverToken, int calls, String to, String subject)
            throws Exception {
        send(pool, serverToken, bodies(calls, to, subject));
    }

    /** The calls' JSON, written before the clock starts: the client's own work is not the server's latency. */
    static List<String> bodies(int calls, String to, String subject) {
        List<String> bodies = new ArrayList<>();
        for (int c = 0; c < calls; c++) {
            StringBuilder json = new StringBuilder("[");
            for (int i = 0; i < 500; i++) {
                json.append(i == 0 ? "" : ",").append("{\"From\":\"founder@postroom.test\",\"To\":\"").append(to)
                        .append("\",\"Subject\":\"").append(subject).append(' ').append(c).append('.').append(i)
                        .append("\",\"TextBody\":\"").append(body()).append("\",\"MessageStream\":\"outbound\"}");
            }
            bodies.add(json.append(']').toString());
        }
        return bodies;
    }

    /** Each body in its own call at once; every message must be accepted. */
    static void send(ExecutorService pool, String serverToken, List<String> bodies) throws Exception {
        List<Future<String>> answers = new ArrayList<>();
        for (String body : bodies) {
            answers.add(pool.submit(() -> postmark("/email/batch", body, serverToken)));
        }
        for (Future<String> f : answers) {
            String answer = f.get();
            int ok = answer.split("\"ErrorCode\":0,", -1).length - 1;
            if (ok != 500) {
                throw new IllegalStateException(ok + " of 500 accepted: " + answer.substring(0, 400));
            }
        }
    }

    /** The delivery workers' counter of messages the SMTP server accepted (Prometheus). */
    static long sentCounter() throws Exception {
        Matcher m = Pattern.compile("(?m)^postroom_outbound_sent_total(?:\\{[^}]*\\})? ([0-9.E]+)")
                .matcher(get("/actuator/prometheus"));
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    /** Waits until the counter reaches {@code target}; read four times a second, so the scrape costs little. */
    static Instant awaitSent(long target) throws Exception {
        while (sentCounter() < target) {
            Thread.sleep(250);
        }
        return Instant.now();
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

    /**
     * The body of one message. By default one sentence repeated, as the history in docs/benchmarks.md was measured:
     * seven words, so its search document is tiny and its row small. BENCH_BODY=varied draws about 2 KB of words the
     * way bench/search/populate.py does (a Zipf spread over common words and 1,200 made-up ones), so the search
     * document, the phrase pairs and the row's size are those of real mail.
     */
    static String body() {
        if (!VARIED) {
            return BODY;
        }
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        StringBuilder b = new StringBuilder(2100);
        while (b.length() < 2000) {
            // Zipf: rank k with weight 1/(k+1), drawn by inverting the harmonic sum's logarithm.
            int k = (int) Math.min(VOCABULARY.size() - 1, Math.exp(r.nextDouble() * Math.log(VOCABULARY.size() + 1)) - 1);
            b.append(VOCABULARY.get(k)).append(' ');
        }
        return b.toString().strip();
    }

    static List<String> vocabulary() {
        List<String> words = new ArrayList<>(List.of(("the of and to a in is it you that he was for on are with as his "
                + "they be at one have this from or had by word but not what all were we when your can said there use "
                + "an each which she do how their if will up other about out many then them these so some her would "
                + "make like him into time has look two more write go see number no way could people my than first "
                + "patient account statement invoice claim billing payment balance transport ambulance mileage oxygen "
                + "dispatch crew insurance payer remittance denial appeal coverage deductible copay itemized service")
                .split(" ")));
        java.util.Random seeded = new java.util.Random(23);
        String[] syllables = "ka lo mi ne ru sa te vo zu bi da fe gi ho ju ly pa qu ri so tu va we xi yo ze".split(" ");
        while (words.size() < 1300) {
            StringBuilder w = new StringBuilder();
            for (int i = 0, n = 2 + seeded.nextInt(3); i < n; i++) {
                w.append(syllables[seeded.nextInt(syllables.length)]);
            }
            words.add(w.toString());
        }
        return words;
    }

    static double pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1e6;
    }

    static String send(String subject) throws Exception {
        return send(subject, "bench@postroom.test");
    }

    static String send(String subject, String to) throws Exception {
        String json = "{\"sender\":\"founder@postroom.test\",\"recipients\":[\"" + to + "\"],\"subject\":\""
                + subject + "\",\"body_plain\":\"" + body() + "\"}";
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

    static String postmark(String path, String json, String serverToken) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .header("X-Postmark-Server-Token", serverToken).POST(HttpRequest.BodyPublishers.ofString(json))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
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
