package com.postroom.mailbox;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Labels of one organization, by slug. A label named by its slug alone gets the slug in title case as its name. */
@Repository
public class Labels {

    private final JdbcClient jdbc;

    Labels(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The ids of these labels, creating the missing ones. */
    public Map<String, Long> ensure(long orgId, Collection<String> slugs) {
        Map<String, Long> ids = new HashMap<>();
        if (slugs.isEmpty()) {
            return ids;
        }
        for (String slug : Set.copyOf(slugs)) {
            jdbc.sql("INSERT INTO email_label (org_id, name, slug) VALUES (?, ?, ?) ON CONFLICT (org_id, slug) DO NOTHING")
                    .params(orgId, titleCase(slug), slug).update();
        }
        jdbc.sql("SELECT slug, id FROM email_label WHERE org_id = ? AND slug = ANY(?)")
                .params(orgId, slugs.toArray(String[]::new))
                .query(rs -> {
                    ids.put(rs.getString(1), rs.getLong(2));
                });
        return ids;
    }

    public List<String> slugsOf(java.util.UUID messageId) {
        return jdbc.sql("SELECT l.slug FROM email_message_label ml JOIN email_label l ON l.id = ml.label_id "
                + "WHERE ml.message_id = ? ORDER BY l.slug").param(messageId).query(String.class).list();
    }

    static String titleCase(String slug) {
        StringBuilder out = new StringBuilder();
        for (String word : slug.replace('_', '-').split("-")) {
            if (!word.isEmpty()) {
                out.append(out.length() == 0 ? "" : " ").append(word.substring(0, 1).toUpperCase(Locale.ROOT))
                        .append(word.substring(1));
            }
        }
        return out.toString();
    }
}
