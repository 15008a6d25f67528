package com.postroom.postmarkapi;

import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** A Postmark server's templates, found by numeric id or by alias, as Postmark's API names them. */
@Repository
class PostmarkTemplates {

    record Template(long id, String name, String alias, String subject, String htmlBody, String textBody,
                    String templateType, String layoutTemplate) {
    }

    private static final String COLUMNS = "id, name, alias, subject, html_body AS htmlBody, text_body AS textBody, "
            + "template_type AS templateType, layout_template AS layoutTemplate";

    private final JdbcClient jdbc;

    PostmarkTemplates(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Template> find(PostmarkServers.Server server, String idOrAlias) {
        if (idOrAlias.matches("\\d{1,18}")) {
            return jdbc.sql("SELECT " + COLUMNS + " FROM postmark_template WHERE server_id = ? AND id = ?")
                    .params(server.id(), Long.parseLong(idOrAlias)).query(Template.class).optional();
        }
        return jdbc.sql("SELECT " + COLUMNS + " FROM postmark_template WHERE server_id = ? AND alias = ?")
                .params(server.id(), idOrAlias).query(Template.class).optional();
    }

    long count(PostmarkServers.Server server, Optional<String> type) {
        return jdbc.sql("SELECT count(*) FROM postmark_template WHERE server_id = ? "
                        + "AND (?::text IS NULL OR template_type = ?)")
                .params(server.id(), type.orElse(null), type.orElse(null)).query(Long.class).single();
    }

    List<Template> list(PostmarkServers.Server server, Optional<String> type, int count, int offset) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM postmark_template WHERE server_id = ? "
                        + "AND (?::text IS NULL OR template_type = ?) ORDER BY id LIMIT ? OFFSET ?")
                .params(server.id(), type.orElse(null), type.orElse(null), count, offset).query(Template.class)
                .list();
    }

    Template create(PostmarkServers.Server server, Template t) {
        long id = jdbc.sql("INSERT INTO postmark_template (org_id, server_id, name, alias, subject, html_body, "
                        + "text_body, template_type, layout_template) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
                .params(server.orgId(), server.id(), t.name(), t.alias(), t.subject(), t.htmlBody(), t.textBody(),
                        t.templateType(), t.layoutTemplate())
                .query(Long.class).single();
        return new Template(id, t.name(), t.alias(), t.subject(), t.htmlBody(), t.textBody(), t.templateType(),
                t.layoutTemplate());
    }

    void update(PostmarkServers.Server server, Template t) {
        jdbc.sql("UPDATE postmark_template SET name = ?, alias = ?, subject = ?, html_body = ?, text_body = ?, "
                        + "layout_template = ?, updated_at = now() WHERE server_id = ? AND id = ?")
                .params(t.name(), t.alias(), t.subject(), t.htmlBody(), t.textBody(), t.layoutTemplate(), server.id(),
                        t.id())
                .update();
    }

    boolean delete(PostmarkServers.Server server, long id) {
        return jdbc.sql("DELETE FROM postmark_template WHERE server_id = ? AND id = ?").params(server.id(), id)
                .update() > 0;
    }

    /** Whether a Standard template uses the layout (a layout in use cannot be deleted). */
    boolean layoutInUse(PostmarkServers.Server server, String alias) {
        return jdbc.sql("SELECT count(*) FROM postmark_template WHERE server_id = ? AND layout_template = ?")
                .params(server.id(), alias).query(Long.class).single() > 0;
    }
}
