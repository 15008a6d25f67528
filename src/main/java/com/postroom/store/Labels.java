package com.postroom.store;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Labels of one organization, by slug. A label named by its slug alone gets the slug in title case as its name. */
@Repository
public class Labels {

    private final JdbcClient jdbc;

    Labels(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The ids of these labels, creating the missing ones, as this transaction sees them. Missing ones are inserted
     * in slug order, so two transactions creating the same labels wait for each other instead of deadlocking.
     */
    public Map<String, Long> ensure(long orgId, Collection<String> slugs) {
        Map<String, Long> ids = lookup(orgId, slugs);
        List<String> missing = slugs.stream().filter(s -> !ids.containsKey(s)).distinct().sorted().toList();
        if (!missing.isEmpty()) {
            for (String slug : missing) {
                jdbc.sql("INSERT INTO email_label (org_id, name, slug) VALUES (?, ?, ?) "
                        + "ON CONFLICT (org_id, slug) DO NOTHING").params(orgId, titleCase(slug), slug).update();
            }
            ids.putAll(lookup(orgId, missing));
        }
        return ids;
    }

    private Map<String, Long> lookup(long orgId, Collection<String> slugs) {
        Map<String, Long> ids = new HashMap<>();
        if (!slugs.isEmpty()) {
            jdbc.sql("SELECT slug, id FROM email_label WHERE org_id = ? AND slug = ANY(?)")
                    .params(orgId, slugs.toArray(String[]::new))
                    .query(rs -> {
                        ids.put(rs.getString(1), rs.getLong(2));
                    });
        }
        return ids;
    }

    /** A label as ORIGINAL-API.md lists it (created_at read as createdAt: see Organizations.Organization). */
    public record Label(long id, String name, String slug, String color, java.time.OffsetDateTime createdAt) {
    }

    /** Sorted by name. */
    public List<Label> list(long orgId) {
        return jdbc.sql("SELECT id, name, slug, color, created_at AS createdAt FROM email_label WHERE org_id = ? ORDER BY lower(name), id")
                .param(orgId).query(Label.class).list();
    }

    public java.util.Optional<Label> find(long orgId, long id) {
        return jdbc.sql("SELECT id, name, slug, color, created_at AS createdAt FROM email_label WHERE org_id = ? AND id = ?")
                .params(orgId, id).query(Label.class).optional();
    }

    public java.util.Optional<Label> bySlug(long orgId, String slug) {
        return jdbc.sql("SELECT id, name, slug, color, created_at AS createdAt FROM email_label WHERE org_id = ? AND slug = ?")
                .params(orgId, slug).query(Label.class).optional();
    }

    /** A new label; empty when one with that slug exists already. */
    public java.util.Optional<Label> create(long orgId, String name, String slug, String color) {
        return jdbc.sql("INSERT INTO email_label (org_id, name, slug, color) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (org_id, slug) DO NOTHING "
                        + "RETURNING id, name, slug, color, created_at AS createdAt")
                .params(orgId, name, slug, color).query(Label.class).optional();
    }

    public java.util.Optional<Label> update(long orgId, long id, String name, String color) {
        return jdbc.sql("UPDATE email_label SET name = coalesce(?, name), color = coalesce(?, color) "
                        + "WHERE org_id = ? AND id = ? RETURNING id, name, slug, color, created_at AS createdAt")
                .params(name, color, orgId, id).query(Label.class).optional();
    }

    /** Hides a label from the sidebar's list, or shows it again. */
    public boolean setHidden(long orgId, long id, boolean hidden) {
        return jdbc.sql("UPDATE email_label SET hidden = ? WHERE org_id = ? AND id = ?").params(hidden, orgId, id)
                .update() == 1;
    }

    /** The labels hidden from the sidebar. */
    public java.util.Set<String> hiddenSlugs(long orgId) {
        return java.util.Set.copyOf(jdbc.sql("SELECT slug FROM email_label WHERE org_id = ? AND hidden")
                .param(orgId).query(String.class).list());
    }

    public boolean delete(long orgId, long id) {
        return jdbc.sql("DELETE FROM email_label WHERE org_id = ? AND id = ?").params(orgId, id).update() == 1;
    }

    /**
     * The slug for what a caller typed: lower case, spaces and punctuation as dashes, at most 64 characters.
     * Empty when nothing usable is left.
     */
    public static java.util.Optional<String> slugOf(String label) {
        if (label == null) {
            return java.util.Optional.empty();
        }
        String slug = java.text.Normalizer.normalize(label.strip().toLowerCase(Locale.ROOT), java.text.Normalizer.Form.NFKC)
                .replaceAll("[^\\p{L}\\p{N}_]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > 64) {
            slug = slug.substring(0, 64);
        }
        return slug.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(slug);
    }

    public List<String> slugsOf(java.util.UUID messageId) {
        return jdbc.sql("SELECT l.slug FROM email_message_label ml JOIN email_label l ON l.id = ml.label_id "
                + "WHERE ml.message_id = ? ORDER BY l.slug").param(messageId).query(String.class).list();
    }

    /** The label on these messages (of the label's organization); one already there stays as it is. */
    public void attach(java.util.UUID[] messages, long labelId) {
        jdbc.sql("INSERT INTO email_message_label (message_id, label_id) SELECT unnest(?::uuid[]), ? "
                + "ON CONFLICT DO NOTHING").params(messages, labelId).update();
    }

    /** The organization's label with this slug taken off these messages. */
    public void detach(long orgId, java.util.UUID[] messages, String slug) {
        jdbc.sql("DELETE FROM email_message_label ml USING email_label l WHERE l.id = ml.label_id AND l.org_id = ? "
                + "AND l.slug = ? AND ml.message_id = ANY(?)").params(orgId, slug, messages).update();
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
