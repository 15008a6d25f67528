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
            listActions(chrome, base, runs);
            if (args.length > 4) {
                newMail(chrome, base, Integer.parseInt(args[4]), Math.min(runs, 40));
            }
        } finally {
            chrome.quit();
        }
    }

    /**
     * The list's actions at 300 loaded rows, in the browser: from the click to the change on screen (measured in the
     * page: a MutationObserver sees the change, then the next animation frame is when it is painted). Star shows at
     * once (optimistic) and is confirmed by the server's answer; read/unread, archive and its undo wait for the answer.
     */
    private static void listActions(ChromeDriver chrome, String base, int runs) throws Exception {
        chrome.get(base + "/mail/inbox");
        for (int i = 0; i < 100 && rowCount(chrome) < 300; i++) {
            chrome.executeScript("var m = document.querySelector('.rows .more'); if (m) { m.scrollIntoView(); }");
            Thread.sleep(100);
        }
        System.out.printf("list actions at %d loaded rows:%n", rowCount(chrome));
        // Clicks something, then waits in the page until `done` (a JS expression over `row`) holds and one frame has
        // been drawn after it; answers the milliseconds taken.
        String measure = "var row = document.querySelectorAll('.rows .row')[arguments[0]]; var id = row.id;"
                + "var click = arguments[1]; var done = new Function('row', 'id', 'return ' + arguments[2]);"
                + "var callback = arguments[arguments.length - 1]; var t0 = performance.now();"
                + "var check = function () { if (done(document.getElementById(id), id)) { observer.disconnect();"
                + "  requestAnimationFrame(function () { callback(performance.now() - t0); }); return true; } };"
                + "var observer = new MutationObserver(check);"
                + "observer.observe(document.getElementById('rows'), {subtree: true, childList: true, attributes: true,"
                + "  characterData: true});"
                + "new Function('row', click)(row); check();";
        chrome.manage().timeouts().scriptTimeout(java.time.Duration.ofSeconds(10));
        List<Double> star = new ArrayList<>();
        List<Double> starConfirmed = new ArrayList<>();
        List<Double> read = new ArrayList<>();
        List<Double> archive = new ArrayList<>();
        List<Double> undo = new ArrayList<>();
        int n = Math.min(runs, 60);
        String swaps = "return document.documentElement.getAttribute('data-swaps')";
        for (int i = 0; i < n + 5; i++) {
            int at = 100 + (i * 7) % 180; // rows across the loaded pages
            boolean keep = i >= 5; // the first five warm the browser and the server
            String before = String.valueOf(chrome.executeScript(swaps));
            double shown = ms(chrome.executeAsyncScript(measure, at, "row.querySelector('button.star').click()",
                    "row && row.querySelector('button.star').getAttribute('aria-pressed') === 'true'"));
            waitSwaps(chrome, before);
            before = String.valueOf(chrome.executeScript(swaps));
            double confirmed = ms(chrome.executeAsyncScript(measure, at, "row.querySelector('button.star').click()",
                    "document.documentElement.getAttribute('data-swaps') !== '" + before + "'"));
            boolean unread = (Boolean) chrome.executeScript(
                    "return document.querySelectorAll('.rows .row')[arguments[0]].classList.contains('unread')", at);
            double r = ms(chrome.executeAsyncScript(measure, at,
                    "row.querySelector('input[type=checkbox]').checked = true;"
                    + "document.querySelector('#bulk button[value=" + (unread ? "read" : "unread") + "]').click()",
                    "row && row.classList.contains('unread') === " + !unread));
            chrome.executeScript("document.querySelectorAll('.rows input[type=checkbox]:checked')"
                    + ".forEach(function (b) { b.checked = false; });");
            String gone = String.valueOf(chrome.executeScript(
                    "return document.querySelectorAll('.rows .row')[arguments[0]].id", at));
            double a = ms(chrome.executeAsyncScript(measure, at,
                    "row.querySelector('input[type=checkbox]').checked = true;"
                    + "document.querySelector('#bulk button[value=archive]').click()", "!row"));
            double u = ms(chrome.executeAsyncScript("var callback = arguments[arguments.length - 1];"
                    + "var t0 = performance.now(); var id = arguments[0];"
                    + "var observer = new MutationObserver(function () { if (document.getElementById(id)) {"
                    + "  observer.disconnect(); requestAnimationFrame(function () { callback(performance.now() - t0); }); } });"
                    + "observer.observe(document.getElementById('rows'), {childList: true});"
                    + "document.querySelector('[data-undo-change]').click();", gone));
            if (keep) {
                star.add(shown);
                starConfirmed.add(confirmed);
                read.add(r);
                archive.add(a);
                undo.add(u);
            }
        }
        System.out.printf("  star (shown at once): %s%n", stats(star));
        System.out.printf("  star, server's answer swapped in: %s%n", stats(starConfirmed));
        System.out.printf("  mark read / unread: %s%n", stats(read));
        System.out.printf("  archive (row gone): %s%n", stats(archive));
        System.out.printf("  undo (row back in its place): %s%n", stats(undo));
        System.out.printf("  rows still loaded afterwards: %d%n", rowCount(chrome));
    }

    /**
     * New mail in the open list: a message handed to the sandbox's SMTP port, then the time until its row is in the
     * list (the IDLE push, the event to the browser, the list's refresh).
     */
    private static void newMail(ChromeDriver chrome, String base, int smtpPort, int runs) throws Exception {
        chrome.get(base + "/mail/inbox");
        for (int i = 0; i < 100 && chrome.findElements(By.cssSelector("body[data-live-ready]")).isEmpty(); i++) {
            Thread.sleep(50);
        }
        java.util.Properties props = new java.util.Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(smtpPort));
        props.put("mail.smtp.connectiontimeout", "5000");
        props.put("mail.smtp.timeout", "5000");
        jakarta.mail.Session session = jakarta.mail.Session.getInstance(props);
        List<Double> shown = new ArrayList<>();
        chrome.manage().timeouts().scriptTimeout(java.time.Duration.ofSeconds(15));
        for (int i = 0; i < runs + 3; i++) {
            String subject = "Live " + i + " " + System.nanoTime();
            jakarta.mail.internet.MimeMessage m = new jakarta.mail.internet.MimeMessage(session);
            m.setFrom("dispatch@county.example");
            m.setRecipients(jakarta.mail.Message.RecipientType.TO, "founder@postroom.test");
            m.setSubject(subject);
            m.setText("A run sheet arrived.");
            long t0 = System.nanoTime();
            jakarta.mail.Transport.send(m);
            chrome.executeAsyncScript("var callback = arguments[arguments.length - 1]; var s = arguments[0];"
                    + "var seen = function () { return Array.prototype.some.call(document.querySelectorAll('.rows .row'),"
                    + "  function (r) { return r.textContent.indexOf(s) >= 0; }); };"
                    + "if (seen()) { callback(0); return; }"
                    + "var o = new MutationObserver(function () { if (seen()) { o.disconnect();"
                    + "  requestAnimationFrame(function () { callback(0); }); } });"
                    + "o.observe(document.getElementById('rows'), {childList: true});", subject);
            if (i >= 3) {
                shown.add((System.nanoTime() - t0) / 1e6);
            }
            Thread.sleep(300);
        }
        System.out.printf("new mail visible in the open list after the SMTP hand-off: %s%n", stats(shown));
    }

    private static int rowCount(ChromeDriver chrome) {
        return ((Number) chrome.executeScript("return document.querySelectorAll('.rows .row').length")).intValue();
    }

    private static void waitSwaps(ChromeDriver chrome, String before) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (!before.equals(String.valueOf(chrome.executeScript(
                    "return document.documentElement.getAttribute('data-swaps')")))) {
                return;
            }
            Thread.sleep(10);
        }
    }

    private static double ms(Object value) {
        return ((Number) value).doubleValue();
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
