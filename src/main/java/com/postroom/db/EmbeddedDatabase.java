package com.postroom.db;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.postroom.config.ConfigurationError;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * PostgreSQL run by Postroom itself when DATABASE_URL is unset, kept under {@code <data dir>/postgres} so it survives
 * restarts. zonky's defaults suit throw-away test databases, so three of them are changed: fsync is turned back on
 * (zonky starts the server with {@code -F}), it listens on loopback only, and after the first start the superuser
 * gets a password and {@code pg_hba.conf} demands it (zonky's initdb trusts every local connection).
 */
final class EmbeddedDatabase implements AutoCloseable {

    static final String DATABASE = "postroom";
    static final String USER = "postgres";
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(30);

    private final EmbeddedPostgres postgres;
    private final String password;

    private EmbeddedDatabase(EmbeddedPostgres postgres, String password) {
        this.postgres = postgres;
        this.password = password;
    }

    static EmbeddedDatabase start(Path dataDir) {
        Path pgDir = dataDir.resolve("postgres");
        Path passwordFile = dataDir.resolve("postgres.password");
        try {
            Files.createDirectories(dataDir);
            boolean fresh = !Files.exists(pgDir.resolve("postgresql.conf"));
            stopOrphanedServer(pgDir);
            String password = readOrCreatePassword(passwordFile);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(pgDir)
                    .setCleanDataDirectory(false)
                    // Stopped by the application context, after everything that uses it (see DatabaseConfiguration).
                    // zonky's own JVM shutdown hook would stop it while the context is still closing, and every
                    // component that touches the database on its way out would then wait for a connection timeout.
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(STARTUP_WAIT)
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "100")
                    // Group commit: with several transactions in flight, wait up to 1 ms so one WAL flush covers
                    // them all. Each commit still returns only after its flush; durability is unchanged.
                    .setServerConfig("commit_delay", "1000")
                    .setServerConfig("commit_siblings", "4")
                    // Inbound sync writes tens of megabytes per transaction: a larger WAL buffer lets it write WAL
                    // in big sequential chunks instead of stalling on a full 4 MB buffer.
                    .setServerConfig("wal_buffers", "16MB")
                    .setServerConfig("shared_buffers", sharedBuffers())
                    .setLocaleConfig("encoding", "UTF8")
                    // Characters are classified and case-folded as Unicode (C.UTF-8: "MÜLLER" is "müller" to search),
                    // but compared as bytes ("C"): the same order as C.UTF-8, whose glibc collation is code point
                    // order, which UTF-8's bytes keep. PostgreSQL compares text under "C" with memcmp and under any
                    // other collation through strcoll on copies of both strings: text comparisons in the search
                    // index were 7% of storing a received message, and "C" takes 2.6% off it (bench/db/store_cost.sh).
                    // A cluster made before keeps its collation; only a new data folder gets this.
                    .setLocaleConfig("locale", "C.UTF-8")
                    .setLocaleConfig("lc-collate", "C");
            if (!fresh) {
                builder.setConnectConfig("password", password);
            }
            EmbeddedPostgres postgres = builder.start();
            EmbeddedDatabase database = new EmbeddedDatabase(postgres, password);
            if (fresh) {
                database.secureFreshCluster(pgDir);
            }
            database.createDatabaseIfMissing();
            log.info("Embedded PostgreSQL ready on 127.0.0.1:{} with data in {}", postgres.getPort(), pgDir);
            return database;
        } catch (IllegalStateException e) {
            if (String.valueOf(e.getMessage()).contains("could not lock")) {
                throw new ConfigurationError("POSTROOM_DATA_DIR " + dataDir + " is in use by another running "
                        + "Postroom; stop it or give this one its own POSTROOM_DATA_DIR.");
            }
            throw e;
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("The embedded PostgreSQL in " + pgDir + " could not start: "
                    + e.getMessage(), e);
        }
    }

    /**
     * PostgreSQL's own cache: an eighth of the machine's memory, at least 128 MB and at most 1 GB. A page not in it is
     * read from the operating system's cache, 20 µs a page on the development machine: a search that visits 1,800
     * messages took 6 ms with them cached here and 45-75 ms without, and 100,000 messages' rows and search indexes
     * (~500 MB) did not fit the fixed 256 MB this used to be. An eighth leaves the rest to the JVM, the mail server
     * and the operating system's cache on a machine that runs them all.
     */
    static String sharedBuffers() {
        long total = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize();
        return Math.max(128, Math.min(1024, total / 8 / (1024 * 1024))) + "MB";
    }

    /**
     * A Postroom killed with SIGKILL leaves its PostgreSQL running (pg_ctl detaches it), holding the data folder.
     * When no live Postroom holds the folder's lock, such a server is an orphan: stop it (SIGTERM, PostgreSQL's smart
     * shutdown; its clients died with the old process) so this start can use the folder. Only a postmaster whose data
     * directory is this folder is ever stopped: after a reboot the pid in a stale postmaster.pid can belong to another
     * PostgreSQL (or anything else), which is left alone, and the stale file is removed so that PostgreSQL does not
     * take that live process for a postmaster running here and refuse to start.
     */
    static void stopOrphanedServer(Path pgDir) throws IOException {
        Path pidFile = pgDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(pgDir.resolve("epg-lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = channel.tryLock()) {
            if (lock == null) {
                return;
            }
            List<String> lines = Files.readAllLines(pidFile);
            if (lines.isEmpty()) {
                return;
            }
            long pid = Long.parseLong(lines.get(0).trim());
            Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            if (process.isPresent() && servesDataDirectory(process.get(), pgDir)) {
                log.warn("Stopping PostgreSQL (pid {}) left running in {} by a Postroom that did not shut down",
                        pid, pgDir);
                process.get().destroy();
                try {
                    process.get().onExit().get(ORPHAN_STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    throw new IOException("PostgreSQL pid " + pid + " did not stop within " + ORPHAN_STOP_WAIT, e);
                }
            } else if (process.isPresent()) {
                log.warn("{} names pid {}, a process that is not PostgreSQL serving {}; the file is stale and is "
                        + "removed, the process left alone", pidFile, pid, pgDir);
                Files.deleteIfExists(pidFile);
            }
        } catch (NumberFormatException | OverlappingFileLockException e) {
            // Not a pid file we understand, or this JVM holds the lock: leave it to PostgreSQL to judge.
        }
    }

    /**
     * Whether a process is a postmaster of this data directory: a postgres program whose working directory (a
     * postmaster works in its data directory) or whose {@code -D} argument is this folder.
     */
    static boolean servesDataDirectory(ProcessHandle process, Path pgDir) {
        if (!process.info().command().map(c -> c.endsWith("/postgres")).orElse(false)) {
            return false;
        }
        Path ours = realPath(pgDir);
        Path cwd = Path.of("/proc", Long.toString(process.pid()), "cwd");
        if (Files.isSymbolicLink(cwd)) {
            try {
                return realPath(Files.readSymbolicLink(cwd)).equals(ours);
            } catch (IOException | SecurityException e) {
                // Fall back to the command line below.
            }
        }
        String[] args = process.info().arguments().orElse(new String[0]);
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("-D") && realPath(Path.of(args[i + 1])).equals(ours)) {
                return true;
            }
        }
        return false;
    }

    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }

    private static String readOrCreatePassword(Path file) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Files.writeString(file, password, StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // Not a POSIX file system; the data folder's own permissions protect it.
        }
        return password;
    }

    /** Gives the superuser its password, then makes every TCP connection prove it (scram-sha-256). */
    private void secureFreshCluster(Path pgDir) throws SQLException, IOException {
        try (Connection c = dataSource("postgres", false).getConnection(); Statement s = c.createStatement()) {
            s.execute("SET password_encryption = 'scram-sha-256'");
            s.execute("ALTER USER " + USER + " PASSWORD '" + password.replace("'", "''") + "'");
        }
        String hba = """
                # Written by Postroom: password authentication for every connection.
                local   all   all                  scram-sha-256
                host    all   all   127.0.0.1/32   scram-sha-256
                host    all   all   ::1/128        scram-sha-256
                """;
        Files.writeString(pgDir.resolve("pg_hba.conf"), hba, StandardCharsets.UTF_8);
        try (Connection c = dataSource("postgres", false).getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_reload_conf()");
        }
    }

    private void createDatabaseIfMissing() throws SQLException {
        try (Connection c = dataSource("postgres", true).getConnection(); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
            if (!rs.next()) {
                s.execute("CREATE DATABASE " + DATABASE + " ENCODING 'UTF8'");
            }
        }
    }

    private PGSimpleDataSource dataSource(String database, boolean withPassword) {
        PGSimpleDataSource ds = (PGSimpleDataSource) postgres.getDatabase(USER, database,
                withPassword ? Map.of("password", password) : Map.of());
        ds.setServerNames(new String[] {"127.0.0.1"});
        return ds;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE;
    }

    String password() {
        return password;
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
