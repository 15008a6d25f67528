package com.postroom.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import com.postroom.PostroomApplication;
import com.postroom.support.SmtpFaultProxy;

/**
 * Postroom behind the documented HTTPS reverse proxy: Debian's nginx on loopback terminating TLS and sending
 * X-Forwarded-For/-Proto/-Port. Redirects stay on https, the session cookie is Secure, HSTS is sent, and the client
 * address Postroom uses (the contact form's limit per visitor) is the visitor's, not the proxy's, and cannot be forged
 * with a header of one's own. Visitors connect from 127.0.0.2 and 127.0.0.3, which are not trusted proxies.
 */
class ReverseProxyIT {

    static final Path NGINX = Path.of("/usr/sbin/nginx");
    static ConfigurableApplicationContext context;
    static Process nginx;
    static int httpsPort;
    static int appPort;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        boolean required = "true".equals(System.getenv("POSTROOM_REAL_MAIL_REQUIRED"));
        if (!Files.isExecutable(NGINX)) {
            assertThat(required).as("nginx is required in CI (apt-get install nginx)").isFalse();
            Assumptions.abort("nginx is not installed; the reverse-proxy suite is skipped (apt-get install nginx)");
        }
        dir = Files.createDirectories(Path.of("target/it-data/proxy-" + UUID.randomUUID()).toAbsolutePath());
        appPort = SmtpFaultProxy.freePort();
        context = new SpringApplicationBuilder(PostroomApplication.class).properties(Map.of(
                "POSTROOM_DATA_DIR", dir.resolve("data").toString(), "SERVER_PORT", String.valueOf(appPort),
                "SANDBOX_SMTP_PORT", "0", "SANDBOX_IMAP_PORT", "0", "POSTROOM_ADMIN_PASSWORD", "proxy-admin-password",
                "TRUSTED_PROXIES", "127.0.0.1/32", "CONTACT_LIMIT_PER_HOUR", "2", "DNS_RESOLVER", "127.0.0.9:9"))
                .run();
        httpsPort = SmtpFaultProxy.freePort();
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", dir.resolve("key.pem").toString(),
                "-out", dir.resolve("cert.pem").toString());
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("nginx.conf"), """
                user root;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log;
                events { worker_connections 64; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi; uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
                  server {
                    listen 127.0.0.1:%2$d ssl;
                    server_name localhost;
                    ssl_certificate %1$s/cert.pem;
                    ssl_certificate_key %1$s/key.pem;
                    location / {
                      proxy_pass http://127.0.0.1:%3$d;
                      proxy_set_header Host $host:$server_port;
                      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                      proxy_set_header X-Forwarded-Proto $scheme;
                      proxy_set_header X-Forwarded-Port $server_port;
                    }
                  }
                }
                """.formatted(dir, httpsPort, appPort));
        nginx = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                "-g", "daemon off;").redirectErrorStream(true).redirectOutput(dir.resolve("logs/nginx.out").toFile())
                .start();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> request("127.0.0.2", "GET", "/login", Map.of(), null).status() == 200);
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.destroy();
        }
        if (context != null) {
            context.close();
        }
    }

    @Test
    void redirectsStayOnHttpsTheSessionCookieIsSecureAndHstsIsSent() throws Exception {
        Reply page = request("127.0.0.2", "GET", "/dashboard", Map.of(), null);
        assertThat(page.status()).isEqualTo(302);
        assertThat(page.header("location")).startsWith("https://localhost:" + httpsPort + "/login");

        Reply login = request("127.0.0.2", "GET", "/login", Map.of(), null);
        assertThat(login.header("set-cookie")).contains("JSESSIONID").containsIgnoringCase("Secure")
                .containsIgnoringCase("HttpOnly");
        assertThat(login.header("strict-transport-security")).contains("max-age=");
    }

    @Test
    void withoutTheProxyForwardedHeadersAreIgnored() throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
            s.connect(new InetSocketAddress("127.0.0.1", appPort), 5000);
            Reply direct = exchange(s, "GET", "/dashboard", Map.of("X-Forwarded-Proto", "https",
                    "X-Forwarded-For", "9.9.9.9"), null, "127.0.0.1:" + appPort);
            assertThat(direct.status()).isEqualTo(302);
            assertThat(direct.header("location")).startsWith("http://127.0.0.1:" + appPort + "/login");
            assertThat(direct.header("strict-transport-security")).isNull();
        }
    }

    @Test
    void theContactFormsLimitIsPerVisitorAndCannotBeDodgedWithAForgedHeader() throws Exception {
        String form = "{\"name\":\"Dana Scully\",\"email\":\"dana@example.org\",\"message\":\"Please call me back "
                + "about my bill.\"}";
        Map<String, String> forged = Map.of("X-Forwarded-For", "198.51.100." + (int) (Math.random() * 200 + 1));
        assertThat(request("127.0.0.2", "POST", "/api/contact", forged, form).status()).isEqualTo(200);
        assertThat(request("127.0.0.2", "POST", "/api/contact", Map.of(), form).status()).isEqualTo(200);
        Reply third = request("127.0.0.2", "POST", "/api/contact", Map.of("X-Forwarded-For", "203.0.113.7"), form);
        assertThat(third.status()).as("the same visitor, whatever header it sends").isEqualTo(429);
        assertThat(request("127.0.0.3", "POST", "/api/contact", Map.of(), form).status())
                .as("another visitor through the same proxy").isEqualTo(200);
    }

    record Reply(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** One HTTPS request through nginx from a given loopback address (Java 17's HttpClient cannot choose it). */
    static Reply request(String from, String method, String path, Map<String, String> headers, String body)
            throws Exception {
        SSLContext tls = SSLContext.getInstance("TLS");
        // The proxy's certificate is the test's own; what is under test is Postroom behind it, not TLS itself.
        tls.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) { }
            public void checkServerTrusted(X509Certificate[] c, String a) { }
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress("127.0.0.1", httpsPort), 5000);
            s.startHandshake();
            return exchange(s, method, path, headers, body, "localhost:" + httpsPort);
        }
    }

    private static Reply exchange(Socket s, String method, String path, Map<String, String> headers, String body,
                                  String host) throws IOException {
        s.setSoTimeout(15000);
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host
                + "\r\nConnection: close\r\nAccept: text/html,application/json\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        if (body != null) {
            req.append("Content-Type: application/json\r\nContent-Length: ").append(content.length).append("\r\n");
        }
        req.append("\r\n");
        OutputStream out = s.getOutputStream();
        out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(content);
        out.flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        String text = all.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        List<String> lines = List.of((end < 0 ? text : text.substring(0, end)).split("\r\n"));
        Map<String, String> replyHeaders = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                replyHeaders.merge(line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).strip(), (a, b) -> a + "; " + b);
            }
        }
        return new Reply(Integer.parseInt(lines.get(0).split(" ")[1]), replyHeaders,
                end < 0 ? "" : text.substring(end + 4));
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    }
}
