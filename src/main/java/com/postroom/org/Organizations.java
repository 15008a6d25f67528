package com.postroom.org;

import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Organizations (tenants): each owns an email domain. */
@Repository
public class Organizations {

    private final JdbcClient jdbc;

    Organizations(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * An organization. Its columns are read under the components' own names (email_domain AS emailDomain): a record
     * mapped by JdbcClient looks each component up by its name first and, when the driver finds no such column, by
     * the snake_case name after catching the exception, which costs a stack trace per component per row.
     */
    public record Organization(long id, String name, String emailDomain, String phone) {
    }

    public Optional<Organization> byId(long id) {
        return jdbc.sql("SELECT id, name, email_domain AS emailDomain, phone FROM organization WHERE id = ?").param(id)
                .query(Organization.class).optional();
    }

    public Optional<Organization> byDomain(String domain) {
        return jdbc.sql("SELECT id, name, email_domain AS emailDomain, phone FROM organization WHERE email_domain = lower(?)")
                .param(domain).query(Organization.class).optional();
    }

    /** The first organization: the one public forms (contact) belong to in a single-tenant deployment. */
    public Optional<Organization> primary() {
        return jdbc.sql("SELECT id, name, email_domain AS emailDomain, phone FROM organization ORDER BY id LIMIT 1")
                .query(Organization.class).optional();
    }

    public long count() {
        return jdbc.sql("SELECT count(*) FROM organization").query(Long.class).single();
    }

    public long create(String name, String domain) {
        return jdbc.sql("INSERT INTO organization (name, email_domain) VALUES (?, lower(?)) RETURNING id")
                .params(name, domain).query(Long.class).single();
    }
}
