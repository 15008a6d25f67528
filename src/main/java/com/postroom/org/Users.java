package com.postroom.org;

import java.util.Optional;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Users sign in with an email and a bcrypt password and carry roles within one organization. */
@Repository
public class Users {

    private final JdbcClient jdbc;

    Users(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public record User(long id, long orgId, String email, String passwordHash, Set<String> roles) {
        Caller asCaller() {
            return new Caller(id, orgId, email, roles);
        }
    }

    public Optional<User> byEmail(String email) {
        return jdbc.sql("SELECT id, org_id, email, password_hash, roles FROM app_user WHERE email = lower(?)")
                .param(email).query((rs, n) -> new User(rs.getLong(1), rs.getLong(2), rs.getString(3),
                        rs.getString(4), Set.of((String[]) rs.getArray(5).getArray()))).optional();
    }

    public Optional<User> byId(long id) {
        return jdbc.sql("SELECT id, org_id, email, password_hash, roles FROM app_user WHERE id = ?")
                .param(id).query((rs, n) -> new User(rs.getLong(1), rs.getLong(2), rs.getString(3),
                        rs.getString(4), Set.of((String[]) rs.getArray(5).getArray()))).optional();
    }

    public long create(long orgId, String email, String passwordHash, Set<String> roles) {
        return jdbc.sql("INSERT INTO app_user (org_id, email, password_hash, roles) VALUES (?, lower(?), ?, ?) "
                        + "RETURNING id")
                .params(orgId, email, passwordHash, roles.stream().sorted().toArray(String[]::new))
                .query(Long.class).single();
    }

    /** The organization's users, by email. */
    public java.util.List<User> list(long orgId) {
        return jdbc.sql("SELECT id, org_id, email, password_hash, roles FROM app_user WHERE org_id = ? ORDER BY email")
                .param(orgId).query((rs, n) -> new User(rs.getLong(1), rs.getLong(2), rs.getString(3),
                        rs.getString(4), Set.of((String[]) rs.getArray(5).getArray()))).list();
    }

    /** New roles for a user of the organization; false when there is no such user there. */
    public boolean setRoles(long orgId, long id, Set<String> roles) {
        return jdbc.sql("UPDATE app_user SET roles = ? WHERE id = ? AND org_id = ?")
                .params(roles.stream().sorted().toArray(String[]::new), id, orgId).update() == 1;
    }

    /** A user known only through the platform's JWT: a row without a password, so their actions can be attributed. */
    /**
     * The platform user with this number in this organization, known by no email: a row with a placeholder address
     * in the reserved {@code .invalid} domain (RFC 2606), which no mail can ever go to. Returns its id.
     */
    public long ensurePlatformUser(long orgId, String platformUserId) {
        String placeholder = "user-" + platformUserId.replaceAll("[^A-Za-z0-9_.-]", "_") + ".org-" + orgId
                + "@platform.invalid";
        return ensureExternal(orgId, placeholder.toLowerCase(java.util.Locale.ROOT));
    }

    public long ensureExternal(long orgId, String email) {
        jdbc.sql("INSERT INTO app_user (org_id, email, roles) VALUES (?, lower(?), '{}') ON CONFLICT (email) "
                + "DO NOTHING").params(orgId, email).update();
        return byEmail(email).filter(u -> u.orgId() == orgId).map(User::id).orElse(-1L);
    }
}
