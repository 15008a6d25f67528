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

    @Test
    void aConnectionWithoutTheRightPasswordIsRefused() {
        assertThatThrownBy(() -> DriverManager.getConnection(dataSource.getJdbcUrl(), "postgres", "wrong").close())
                .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
        assertThatThrownBy(() -> DriverManager.getConnection(dataSource.getJdbcUrl() + "?user=postgres").close())
                .isInstanceOf(SQLException.class);
    }
}
