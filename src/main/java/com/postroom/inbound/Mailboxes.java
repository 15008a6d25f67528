package com.postroom.inbound;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import com.postroom.config.PostroomSettings;
import com.postroom.mail.Secret;
import com.postroom.config.SecretBox;
import com.postroom.mail.MailServer;
import com.postroom.mail.TlsMode;

/**
 * The mailboxes Postroom syncs. The configured one (IMAP_* or the sandbox's) is registered at start-up with its
 * password kept in memory only; mailboxes added through the API keep theirs encrypted in the database.
 */
@Repository
public class Mailboxes {

    private final JdbcClient jdbc;
    private final SecretBox box;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Map<Long, Secret> environmentPasswords = new ConcurrentHashMap<>();

    Mailboxes(JdbcClient jdbc, SecretBox box, PostroomSettings settings) {
        this.jdbc = jdbc;
        this.box = box;
        this.connectTimeout = settings.smtp().or(settings::imap).map(MailServer::connectTimeout)
                .orElse(PostroomSettings.DEFAULT_CONNECT_TIMEOUT);
        this.readTimeout = settings.smtp().or(settings::imap).map(MailServer::readTimeout)
                .orElse(PostroomSettings.DEFAULT_READ_TIMEOUT);
    }

    /** Registers (or updates) a mailbox from the environment; returns its id. */
    public long registerEnvironment(long orgId, MailServer server, List<String> folders) {
        String username = server.username().orElseThrow();
        long id = jdbc.sql("INSERT INTO mailbox (org_id, source, host, port, tls, username, folders) "
                        + "VALUES (?, 'env', ?, ?, ?, ?, ?) ON CONFLICT (org_id, username) WHERE source = 'env' "
                        + "DO UPDATE SET host = EXCLUDED.host, port = EXCLUDED.port, tls = EXCLUDED.tls, "
                        + "folders = EXCLUDED.folders, enabled = true RETURNING id")
                .params(orgId, server.host(), server.port(), tls(server.tls()), username, folders.toArray(String[]::new))
                .query(Long.class).single();
        server.password().ifPresent(p -> environmentPasswords.put(id, p));
        return id;
    }

    /** Environment mailboxes not registered by this start (the configuration changed) stop syncing. */
    public void disableEnvironmentExcept(List<Long> ids) {
        jdbc.sql("UPDATE mailbox SET enabled = false WHERE source = 'env' AND NOT (id = ANY(?))")
                .param(ids.toArray(Long[]::new)).update();
    }

    public long add(long orgId, MailServer server, List<String> folders) {
        long id = jdbc.sql("INSERT INTO mailbox (org_id, source, host, port, tls, username, folders) "
                        + "VALUES (?, 'api', ?, ?, ?, ?, ?) RETURNING id")
                .params(orgId, server.host(), server.port(), tls(server.tls()), server.username().orElseThrow(),
                        folders.toArray(String[]::new))
                .query(Long.class).single();
        jdbc.sql("UPDATE mailbox SET password_enc = ? WHERE id = ?")
                .params(box.seal(server.password().orElseThrow(), context(id)), id).update();
        return id;
    }

    public boolean remove(long orgId, long id) {
        // The messages stay (they are the organization's mail); only the sync state and locations go.
        return jdbc.sql("DELETE FROM mailbox WHERE id = ? AND org_id = ? AND source = 'api'").params(id, orgId)
                .update() > 0;
    }

    public List<Mailbox> enabled() {
        return jdbc.sql("SELECT * FROM mailbox WHERE enabled ORDER BY id").query(this::row).list().stream()
                .flatMap(Optional::stream).toList();
    }

    public List<Mailbox> enabled(long orgId) {
        return enabled().stream().filter(m -> m.orgId() == orgId).toList();
    }

    public Optional<Mailbox> find(long orgId, long id) {
        return jdbc.sql("SELECT * FROM mailbox WHERE id = ? AND org_id = ?").params(id, orgId).query(this::row)
                .optional().flatMap(m -> m);
    }

    /** A row whose password is not available (an environment mailbox from an earlier configuration) is left out. */
    private Optional<Mailbox> row(ResultSet rs, int n) throws SQLException {
        long id = rs.getLong("id");
        Optional<Secret> password = "env".equals(rs.getString("source"))
                ? Optional.ofNullable(environmentPasswords.get(id))
                : Optional.ofNullable(rs.getBytes("password_enc")).map(b -> box.open(b, context(id)));
        if (password.isEmpty()) {
            return Optional.empty();
        }
        MailServer server = new MailServer(rs.getString("host"), rs.getInt("port"),
                TlsMode.valueOf(rs.getString("tls").toUpperCase(java.util.Locale.ROOT)),
                Optional.of(rs.getString("username")), password, connectTimeout, readTimeout);
        return Optional.of(new Mailbox(id, rs.getLong("org_id"), rs.getString("source"), server,
                List.of((String[]) rs.getArray("folders").getArray())));
    }

    private static String context(long id) {
        return "mailbox:" + id;
    }

    static String tls(TlsMode mode) {
        return mode.name().toLowerCase(java.util.Locale.ROOT);
    }
}
