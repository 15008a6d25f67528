package com.postroom.deliverability;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.postroom.inbound.ProbeFilter;

/** The round-trip probes the doctor sent (a random token each, kept a week), for ingest to leave out. */
@Component
class Probes implements ProbeFilter {

    private final JdbcClient jdbc;

    Probes(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Set<String> probesAmong(Collection<String> tokens) {
        if (tokens.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(jdbc.sql("SELECT token FROM doctor_probe WHERE token = ANY(?)")
                .param(tokens.toArray(String[]::new)).query(String.class).list());
    }
}
