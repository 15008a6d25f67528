package com.postroom.contact;

import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The contact form's submissions, one row each, and the hourly count per visitor that limits them. */
@Repository
public class ContactSubmissions {

    private final JdbcClient jdbc;

    ContactSubmissions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public record Submission(long orgId, String name, String email, String organization, String subject, String message,
                      String clientIp) {
    }

    /**
     * Submissions from this visitor in the last hour. Takes a transaction-scoped lock on the address first, so two
     * submissions at once cannot both count below the limit.
     */
    public long lastHourLocked(String clientIp) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('contact:' || ?))").param(clientIp).query(Object.class).list();
        return jdbc.sql("SELECT count(*) FROM contact_submission WHERE client_ip = ? "
                + "AND created_at > now() - interval '1 hour'").param(clientIp).query(Long.class).single();
    }

    /** Stores it; the reference number the visitor is given. */
    public long add(Submission s) {
        return jdbc.sql("INSERT INTO contact_submission (org_id, name, email, organization, subject, message, "
                        + "client_ip) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
                .params(s.orgId(), s.name(), s.email(), s.organization(), s.subject(), s.message(), s.clientIp())
                .query(Long.class).single();
    }

    public void mailed(long reference, UUID messageId) {
        jdbc.sql("UPDATE contact_submission SET email_message = ? WHERE id = ?").params(messageId, reference).update();
    }
}
