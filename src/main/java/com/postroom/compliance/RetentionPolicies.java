package com.postroom.compliance;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** How long mail of each classification must be kept before it may be deleted. */
@Repository
public class RetentionPolicies {

    private final JdbcClient jdbc;

    RetentionPolicies(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Under the record's component names (see org.Organizations.Organization). */
    private static final String COLUMNS = "classification, retain_days AS retainDays, updated_at AS updatedAt";

    public record Policy(String classification, int retainDays, OffsetDateTime updatedAt) {
    }

    public List<Policy> list(long orgId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM retention_policy WHERE org_id = ? "
                + "ORDER BY classification").param(orgId).query(Policy.class).list();
    }

    public Optional<Policy> of(long orgId, String classification) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM retention_policy "
                        + "WHERE org_id = ? AND classification = ?")
                .params(orgId, classification).query(Policy.class).optional();
    }

    public Policy set(long orgId, String classification, int days) {
        return jdbc.sql("INSERT INTO retention_policy (org_id, classification, retain_days) VALUES (?, ?, ?) "
                        + "ON CONFLICT (org_id, classification) DO UPDATE SET retain_days = excluded.retain_days, "
                        + "updated_at = now() RETURNING " + COLUMNS)
                .params(orgId, classification, days).query(Policy.class).single();
    }

    public boolean remove(long orgId, String classification) {
        return jdbc.sql("DELETE FROM retention_policy WHERE org_id = ? AND classification = ?")
                .params(orgId, classification).update() == 1;
    }
}
