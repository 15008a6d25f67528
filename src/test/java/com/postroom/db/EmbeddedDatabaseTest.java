package com.postroom.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.DriverManager;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.support.SandboxTest;
import com.zaxxer.hikari.HikariDataSource;

@SandboxTest
class EmbeddedDatabaseTest {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    HikariDataSource dataSource;

    @Test
    void commitsAreDurable() {
        assertThat(jdbc.sql("SHOW fsync").query(String.class).single()).isEqualTo("on");
        assertThat(jdbc.sql("SHOW synchronous_commit").query(String.class).single()).isEqualTo("on");
        assertThat(jdbc.sql("SHOW listen_addresses").query(String.class).single()).isEqualTo("127.0.0.1");
    }

    @Test
    void itsCacheIsSizedToTheMachine() {
        long mb = jdbc.sql("SELECT setting::bigint * 8 / 1024 FROM pg_settings WHERE name = 'shared_buffers'")
                .query(Long.class).single();
        assertThat(mb + "MB").isEqualTo(EmbeddedDatabase.sharedBuffers());
        assertThat(mb).isBetween(128L, 1024L);
    }

    /** Text compared as bytes (the same order as C.UTF-8's), characters folded as Unicode. */
    @Test
    void comparesTextAsBytesAndFoldsCaseAsUnicode() {
        assertThat(jdbc.sql("SELECT datcollate || ' ' || datctype FROM pg_database WHERE datname = current_database()")
                .query(String.class).single()).isEqualTo("C C.UTF-8");
        assertThat(jdbc.sql("SELECT string_agg(w, ' ' ORDER BY w) FROM unnest(ARRAY['é', 'b', 'Z', 'a', 'ä', 'B']) w")
                .query(String.class).single()).isEqualTo("B Z a b ä é");
        assertThat(jdbc.sql("SELECT lower('MÜLLER ÆRØ')").query(String.class).single()).isEqualTo("müller ærø");
        assertThat(jdbc.sql("SELECT to_tsvector('simple', 'Dr. MÜLLER') @@ to_tsquery('simple', 'müller')")
                .query(Boolean.class).single()).isTrue();
    }

    @Test
    void aConnectionWithoutTheRightPasswordIsRefused() {
        assertThatThrownBy(() -> DriverManager.getConnection(dataSource.getJdbcUrl(), "postgres", "wrong").close())
                .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
        assertThatThrownBy(() -> DriverManager.getConnection(dataSource.getJdbcUrl() + "?user=postgres").close())
                .isInstanceOf(SQLException.class);
    }
}
