package com.postroom.db;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import javax.sql.DataSource;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.postroom.config.ConfigurationError;
import com.postroom.config.PostroomSettings;
import com.postroom.mail.Secret;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The one DataSource: the PostgreSQL named by DATABASE_URL, or the embedded one under the data folder. Flyway
 * (Spring Boot's auto-configuration) migrates whichever it is at start-up.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

    @Bean(destroyMethod = "close")
    EmbeddedDatabaseHolder embeddedDatabase(PostroomSettings settings) {
        return new EmbeddedDatabaseHolder(settings.databaseUrl().isPresent() ? null
                : EmbeddedDatabase.start(settings.dataDir()));
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(PostroomSettings settings, EmbeddedDatabaseHolder embedded) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("postroom");
        config.setMaximumPoolSize(Math.max(10, settings.outbound().workers() * 2 + 6));
        config.setConnectionTimeout(10_000);
        // Batched INSERTs go to the server as multi-row statements: inbound sync stores 200 messages per round trip.
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        if (embedded.database() != null) {
            config.setJdbcUrl(embedded.database().jdbcUrl());
            config.setUsername(EmbeddedDatabase.USER);
            config.setPassword(embedded.database().password());
        } else {
            configureExternal(config, settings);
        }
        return new HikariDataSource(config);
    }

    /** Accepts a JDBC URL or the libpq form {@code postgresql://user:pass@host:port/db} that PaaS hosts hand out. */
    static void configureExternal(HikariConfig config, PostroomSettings settings) {
        String url = settings.databaseUrl().orElseThrow();
        if (url.startsWith("jdbc:")) {
            config.setJdbcUrl(url);
        } else {
            URI uri = URI.create(url);
            if (uri.getHost() == null) {
                throw new ConfigurationError("DATABASE_URL has no host name; write it as "
                        + "postgresql://user:password@host:5432/database.");
            }
            config.setJdbcUrl("jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                    + uri.getRawPath() + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : ""));
            if (uri.getRawUserInfo() != null) {
                String[] userInfo = uri.getRawUserInfo().split(":", 2);
                config.setUsername(URLDecoder.decode(userInfo[0], StandardCharsets.UTF_8));
                if (userInfo.length == 2) {
                    config.setPassword(URLDecoder.decode(userInfo[1], StandardCharsets.UTF_8));
                }
            }
        }
        settings.databaseUsername().ifPresent(config::setUsername);
        settings.databasePassword().map(Secret::reveal).ifPresent(config::setPassword);
    }

    /** Holds the embedded server (or nothing) so that it stops after the pool that uses it. */
    record EmbeddedDatabaseHolder(EmbeddedDatabase database) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            if (database != null) {
                database.close();
            }
        }
    }
}
