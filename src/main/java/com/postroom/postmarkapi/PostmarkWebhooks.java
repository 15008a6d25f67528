package com.postroom.postmarkapi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import tools.jackson.databind.json.JsonMapper;

import com.postroom.config.SecretBox;
import com.postroom.mail.Secret;

/**
 * Where a Postmark server's events go: one webhook per URL and stream, with the triggers it wants, Basic auth (the
 * password sealed with the server's key) and custom headers.
 */
@Repository
class PostmarkWebhooks {

    record Header(String name, String value) {
    }

    record Webhook(long id, long orgId, long serverId, String stream, String url, Optional<String> username,
                   Optional<Secret> password, List<Header> headers, boolean delivery, boolean bounce,
                   boolean spamComplaint, boolean subscription) {
    }

    private final JdbcClient jdbc;
    private final SecretBox box;
    private final JsonMapper json;

    PostmarkWebhooks(JdbcClient jdbc, SecretBox box, JsonMapper json) {
        this.jdbc = jdbc;
        this.box = box;
        this.json = json;
    }

    private static final String COLUMNS = "id, org_id, server_id, stream, url, username, password_sealed, "
            + "headers::text, delivery, bounce, spam_complaint, subscription";

    List<Webhook> list(PostmarkServers.Server server, Optional<String> stream) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM postmark_webhook WHERE server_id = ? "
                        + "AND (?::text IS NULL OR stream = ?) ORDER BY id")
                .params(server.id(), stream.orElse(null), stream.orElse(null)).query((rs, n) -> row(rs)).list();
    }

    Optional<Webhook> find(long id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM postmark_webhook WHERE id = ?").param(id)
                .query((rs, n) -> row(rs)).optional();
    }

    Optional<Webhook> find(PostmarkServers.Server server, long id) {
        return find(id).filter(w -> w.serverId() == server.id());
    }

    long create(PostmarkServers.Server server, Webhook w) {
        return jdbc.sql("INSERT INTO postmark_webhook (org_id, server_id, stream, url, username, password_sealed, "
                        + "headers, delivery, bounce, spam_complaint, subscription) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?) RETURNING id")
                .params(server.orgId(), server.id(), w.stream(), w.url(), w.username().orElse(null),
                        sealed(w), headersJson(w), w.delivery(), w.bounce(), w.spamComplaint(), w.subscription())
                .query(Long.class).single();
    }

    void update(Webhook w) {
        jdbc.sql("UPDATE postmark_webhook SET url = ?, username = ?, password_sealed = ?, headers = ?::jsonb, "
                        + "delivery = ?, bounce = ?, spam_complaint = ?, subscription = ? WHERE id = ?")
                .params(w.url(), w.username().orElse(null), sealed(w), headersJson(w), w.delivery(), w.bounce(),
                        w.spamComplaint(), w.subscription(), w.id())
                .update();
    }

    boolean delete(PostmarkServers.Server server, long id) {
        return jdbc.sql("DELETE FROM postmark_webhook WHERE id = ? AND server_id = ?").params(id, server.id())
                .update() > 0;
    }

    private byte[] sealed(Webhook w) {
        return w.password().map(p -> box.seal(p, "postmark-webhook")).orElse(null);
    }

    private String headersJson(Webhook w) {
        return json.writeValueAsString(w.headers().stream().map(h -> Map.of("Name", h.name(), "Value", h.value()))
                .toList());
    }

    private Webhook row(java.sql.ResultSet rs) throws java.sql.SQLException {
        byte[] sealed = rs.getBytes(7);
        List<Header> headers = json.readTree(rs.getString(8)).values().stream()
                .map(h -> new Header(h.path("Name").asString(""), h.path("Value").asString(""))).toList();
        return new Webhook(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5),
                Optional.ofNullable(rs.getString(6)),
                sealed == null ? Optional.empty() : Optional.of(box.open(sealed, "postmark-webhook")), headers,
                rs.getBoolean(9), rs.getBoolean(10), rs.getBoolean(11), rs.getBoolean(12));
    }
}
