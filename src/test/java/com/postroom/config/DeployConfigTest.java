package com.postroom.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

/**
 * The deployment files are checked here, since no Docker engine or systemd runs in the test suite: the settings that
 * deploy/docker-compose.yml, deploy/postroom.env.example and deploy/postroom.service give Postroom are accepted by
 * start-up validation, and every variable Postroom reads is documented in docs/configuration.md.
 */
class DeployConfigTest {

    private static final Pattern COMPOSE_ENV = Pattern.compile("(?m)^ {6}([A-Z][A-Z0-9_]+): (.+)$");
    private static final Pattern SYSTEMD_ENV = Pattern.compile("(?m)^Environment=([A-Z][A-Z0-9_]+)=(.+)$");
    private static final Pattern ENV_FILE = Pattern.compile("(?m)^([A-Z][A-Z0-9_]+)=(.*)$");

    @Test
    void theComposeFileAndItsEnvExamplePassStartUpValidation(@TempDir Path secrets) throws IOException {
        Map<String, String> env = new LinkedHashMap<>(read(ENV_FILE, "deploy/postroom.env.example"));
        String compose = Files.readString(Path.of("deploy/docker-compose.yml"));
        String postroomService = compose.substring(compose.indexOf("  postroom:"), compose.indexOf("\nsecrets:"));
        env.putAll(read(COMPOSE_ENV, postroomService));
        assertThat(env).containsKeys("DATABASE_URL", "POSTROOM_SECRET_KEY_FILE", "SMTP_PASSWORD_FILE",
                "IMAP_PASSWORD_FILE", "SMTP_HOST", "IMAP_HOST", "FOUNDER_EMAIL");
        PostroomSettings settings = PostroomSettings.read(new Env(environment(env, secrets)));
        assertThat(settings.sandbox()).isFalse();
        assertThat(settings.smtp().orElseThrow().describe()).isEqualTo("mail.example.com:587 (starttls)");
        assertThat(settings.imap().orElseThrow().describe()).isEqualTo("mail.example.com:993 (implicit)");
        assertThat(settings.databaseUrl()).contains("jdbc:postgresql://postgres:5432/postroom");
        assertThat(compose).contains("secrets: [db_password, secret_key, smtp_password, imap_password]");
    }

    @Test
    void theSystemdUnitPassesStartUpValidation(@TempDir Path secrets) throws IOException {
        Map<String, String> env = new LinkedHashMap<>(read(ENV_FILE, "deploy/postroom.env.example"));
        env.put("DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/postroom");
        env.put("DATABASE_USERNAME", "postroom");
        String unit = Files.readString(Path.of("deploy/postroom.service"));
        read(SYSTEMD_ENV, unit).forEach((k, v) -> env.put(k, v.replace("%d", secrets.toString())));
        assertThat(unit).contains("LoadCredential=smtp_password:");
        PostroomSettings settings = PostroomSettings.read(new Env(environment(env, secrets)));
        assertThat(settings.smtp()).isPresent();
    }

    @Test
    void everyVariablePostroomReadsIsDocumented() throws IOException {
        String code = Files.readString(Path.of("src/main/java/com/postroom/config/PostroomSettings.java"));
        Matcher m = Pattern.compile("env\\.[a-z]+\\(\"([A-Z][A-Z0-9_]+)\"").matcher(code);
        Set<String> read = new TreeSet<>();
        while (m.find()) {
            read.add(m.group(1));
        }
        assertThat(read).contains("DNS_RESOLVER", "DOCTOR_INTERVAL", "SMTP_HOST");
        String docs = Files.readString(Path.of("docs/configuration.md"));
        assertThat(read).allSatisfy(name -> assertThat(docs).as(name).contains("`" + name + "`"));
    }

    /**
     * The image, the systemd unit and the benchmarks run the same JVM options (C1 only; docs/deploy.md, "The JVM's
     * compiler"): a benchmark's figures are those of Postroom as deployed, and the two ways to deploy it agree.
     */
    @Test
    void theImageTheUnitAndTheBenchmarksRunTheSameJvmOptions() throws IOException {
        Matcher image = Pattern.compile("(?m)^ENV JDK_JAVA_OPTIONS=\"([^\"]+)\"$")
                .matcher(Files.readString(Path.of("deploy/Dockerfile")));
        Matcher bench = Pattern.compile("(?m)^DEPLOY_JVM_OPTIONS=\"([^\"]+)\"$")
                .matcher(Files.readString(Path.of("bench/jvm.sh")));
        assertThat(image.find()).as("deploy/Dockerfile sets JDK_JAVA_OPTIONS").isTrue();
        assertThat(bench.find()).as("bench/jvm.sh sets DEPLOY_JVM_OPTIONS").isTrue();
        String unit = read(SYSTEMD_ENV, "deploy/postroom.service").get("JDK_JAVA_OPTIONS");
        assertThat(image.group(1)).isEqualTo("-XX:TieredStopAtLevel=1").isEqualTo(unit).isEqualTo(bench.group(1));
        for (String script : List.of("bench/outbound/run.sh", "bench/inbound/run.sh", "bench/inbound/anchor.sh")) {
            assertThat(Files.readString(Path.of(script))).as(script).contains("source bench/jvm.sh")
                    .contains("java -Xmx512m $DEPLOY_JVM_OPTIONS");
        }
        String envExample = Files.readString(Path.of("deploy/postroom.env.example"));
        assertThat(envExample).as("how to restore the default JIT").contains("# JDK_JAVA_OPTIONS=\n");
    }

    private static Map<String, String> read(Pattern pattern, String fileOrText) throws IOException {
        String text = fileOrText.startsWith("deploy/") ? Files.readString(Path.of(fileOrText)) : fileOrText;
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            out.put(m.group(1), m.group(2).trim());
        }
        return out;
    }

    /** The environment as the container or service sees it, with each *_FILE secret written where it points. */
    private static MockEnvironment environment(Map<String, String> env, Path secrets) throws IOException {
        MockEnvironment environment = new MockEnvironment();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String value = e.getValue();
            if (e.getKey().endsWith("_FILE")) {
                Path file = secrets.resolve(Path.of(value).getFileName().toString());
                Files.writeString(file, "a-secret-of-at-least-thirty-two-characters-" + e.getKey());
                value = file.toString();
            }
            environment.setProperty(e.getKey(), value);
        }
        return environment;
    }
}
