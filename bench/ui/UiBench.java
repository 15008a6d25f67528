import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web UI's figures on a big mailbox (bench/ui/run.sh fills it): server render time of the inbox's first page and
 * of opening a conversation (full HTTP round trips on loopback, signed in), and in Chromium the first contentful
 * paint and the page weight of the inbox.
 */
public class UiBench {

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String email = args[1];
        String password = args[2];
        int runs = Integer.parseInt(args[3]);
        HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        String login = get(http, base + "/login").body();
        Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(login);
        csrf.find();
        String form = "email=" + URLEncoder.encode(email, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf=" + csrf.group(1);
        http.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());

        // Conversations to open: from the first pages of the inbox.
        Set<String> threads = new LinkedHashSet<>();
        String page = base + "/mail/inbox";
        for (int i = 0; i < 6 && page != null; i++) {
            String html = get(http, page).body();
            Matcher m = Pattern.compile("data-thread=\"([0-9a-f-]{36})\"").matcher(html);
            while (m.find()) {
                threads.add(m.group(1));
            }
            Matcher more = Pattern.compile("hx-get=\"([^\"]+cursor=[^\"]+)\"").matcher(html);
            page = more.find() ? base + more.group(1).replace("&amp;", "&") : null;
        }
        for (int i = 0; i < 30; i++) { // warm-up: JIT, caches
            get(http, base + "/mail/inbox");
        }
        List<Double> inbox = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = get(http, base + "/mail/inbox");
            inbox.add((System.nanoTime() - t0) / 1e6);
            bytes = r.body().getBytes(StandardCharsets.UTF_8).length;
        }
        List<Double> open = new ArrayList<>();
        List<String> ids = new ArrayList<>(threads);
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            get(http, base + "/mail/inbox/" + ids.get(i % ids.size()));
            open.add((System.nanoTime() - t0) / 1e6);
        }
        System.out.printf("inbox first page (50 conversations, %d KB of HTML): %s%n", bytes / 1024, stats(inbox));
        System.out.printf("open a conversation (%d different ones): %s%n", ids.size(), stats(open));

        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium").addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,900",
                "--user-data-dir=" + Files.createTempDirectory("ui-bench"));
        ChromeDriver chrome = new ChromeDriver(new ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).usingAnyFreePort().build(), options);
        try {
            chrome.get(base + "/login");
            chrome.findElement(By.id("email")).sendKeys(email);
            chrome.findElement(By.id("password")).sendKeys(password);
            chrome.findElement(By.cssSelector("button[type=submit]")).click();
            List<Double> fcp = new ArrayList<>();
            long weight = 0;
            for (int i = 0; i < 12; i++) {
                chrome.get(base + "/mail/inbox");
                Object paint = null;
                for (int tries = 0; tries < 50 && paint == null; tries++) {
                    paint = chrome.executeScript("var e = performance.getEntriesByName('first-contentful-paint');"
                            + " return e.length ? e[0].startTime : null;");
                    if (paint == null) {
                        Thread.sleep(20);
                    }
                }
                if (i >= 2 && paint != null) { // the first two load the cache
                    fcp.add(((Number) paint).doubleValue());
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> w = (Map<String, Object>) chrome.executeScript(
                        "var n = performance.getEntriesByType('navigation')[0];"
                        + "var r = performance.getEntriesByType('resource').filter(function (e) {"
                        + "  return e.initiatorType !== 'fetch' && e.initiatorType !== 'other'; });"
                        + "var size = function (e) { return e.decodedBodySize || e.encodedBodySize || 0; };"
                        + "return {page: size(n), resources: r.reduce(function (s, e) { return s + size(e); }, 0)};");
                weight = ((Number) w.get("page")).longValue() + ((Number) w.get("resources")).longValue();
            }
            System.out.printf("Chromium first contentful paint, inbox: %s%n", stats(fcp));
            System.out.printf("inbox page weight (HTML, CSS, JS; no images): %d KB%n", weight / 1024);
        } finally {
            chrome.quit();
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/html").GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String stats(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(Double::compare);
        return String.format("p50 %.1f ms, p95 %.1f ms, max %.1f ms (%d runs)", v.get(v.size() / 2),
                v.get((int) Math.ceil(v.size() * 0.95) - 1), v.get(v.size() - 1), v.size());
    }
}
