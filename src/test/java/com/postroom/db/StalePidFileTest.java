package com.postroom.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * After a crash and a reboot, the pid in the embedded database's stale postmaster.pid can belong to another
 * PostgreSQL on the machine. That server must be left alone (it was SIGTERMed before), and Postroom must start.
 */
class StalePidFileTest {

    @TempDir
    Path tmp;

    @Test
    void aStalePidFileNamingAnotherLivePostgresLeavesThatServerAloneAndStartsAnyway() throws Exception {
        try (EmbeddedPostgres other = EmbeddedPostgres.builder().setDataDirectory(tmp.resolve("other"))
                .setCleanDataDirectory(false).start()) {
            Path ours = tmp.resolve("postroom");
            EmbeddedDatabase.start(ours).close();
            // As after a reboot: our server is gone, its pid file names a process that is now the other server.
            Files.copy(tmp.resolve("other/postmaster.pid"), ours.resolve("postgres/postmaster.pid"));
            long otherPid = Long.parseLong(Files.readAllLines(tmp.resolve("other/postmaster.pid")).get(0).trim());
            ProcessHandle otherServer = ProcessHandle.of(otherPid).orElseThrow();
            assertThat(EmbeddedDatabase.servesDataDirectory(otherServer, ours.resolve("postgres"))).isFalse();
            assertThat(EmbeddedDatabase.servesDataDirectory(otherServer, tmp.resolve("other"))).isTrue();

            try (EmbeddedDatabase again = EmbeddedDatabase.start(ours)) {
                assertThat(again.jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:");
            }

            assertThat(otherServer.isAlive()).as("the other PostgreSQL was not stopped").isTrue();
            try (Connection c = other.getPostgresDatabase().getConnection();
                 ResultSet rs = c.createStatement().executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }
}
