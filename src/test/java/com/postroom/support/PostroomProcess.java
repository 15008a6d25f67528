package com.postroom.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged Postroom (target/postroom.jar) as a separate process on a data folder that outlives it: started, killed
 * with SIGKILL or stopped with SIGTERM, and started again, as an operator or a crash would.
 */
public final class PostroomProcess implements AutoCloseable {

    private final Map<String, String> env;
    private final String logName;
    private final int httpPort;
    private Process process;
    private int starts;

    public PostroomProcess(String logName, int httpPort, Map<String, String> env) {
        this.logName = logName;
        this.httpPort = httpPort;
        this.env = env;
    }

    /** Starts the jar and waits until it is ready; anonymous API client. */
    public Api start() throws Exception {
        Path jar = Path.of("target/postroom.jar");
        assertThat(jar).as("run `./mvnw verify`, which packages the jar first").exists();
        Files.createDirectories(Path.of("target/it-logs"));
        File log = Path.of("target/it-logs/" + logName + "-" + (++starts) + ".log").toFile();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-jar", jar.toString()).redirectErrorStream(true).redirectOutput(log);
        pb.environment().putAll(env);
        pb.environment().put("SERVER_PORT", String.valueOf(httpPort));
        process = pb.start();
        Api anonymous = new Api(httpPort);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> anonymous.get("/actuator/health/readiness").status() == 200);
        return anonymous;
    }

    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGTERM; true when it stopped within the time given. */
    public boolean terminate(Duration within) throws InterruptedException {
        process.destroy();
        return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGTERM, so that it stops its PostgreSQL and no server outlives the test. */
    @Override
    public void close() throws InterruptedException {
        if (isAlive() && !terminate(Duration.ofSeconds(30))) {
            kill();
        }
    }
}
