package com.postroom.mailbox;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a {@link SearchQuery} into a SQL condition over a message aliased {@code m}, with every value bound as a
 * parameter. Text goes through the full-text index ({@code search_words}, GIN); address and subject operators use the
 * index to narrow and then check the column itself, so {@code from:alice} never matches a message merely sent to alice.
 */
final class SearchSql {

    private final Set<String> emptyTexts;
    private final Map<String, List<Long>> labelIds;
    private final StringBuilder sql = new StringBuilder();
    private final List<Object> params = new ArrayList<>();

    /**
     * @param emptyTexts the text terms that reduce to nothing in the search language (stop words such as "the"):
     *                   they match every message instead of none
     * @param labelIds   each {@code label:} value (lower case) with the ids of the caller's organization's labels it
     *                   names: the only place the organization enters the condition, the caller scopes the rest
     */
    private SearchSql(Set<String> emptyTexts, Map<String, List<Long>> labelIds) {
        this.emptyTexts = emptyTexts;
        this.labelIds = labelIds;
    }

    record Compiled(String where, List<Object> params) {
    }

    static Compiled compile(SearchQuery query, Set<String> emptyTexts, Map<String, List<Long>> labelIds) {
        SearchSql c = new SearchSql(emptyTexts, labelIds);
        c.append(query);
        return new Compiled(c.sql.toString(), List.copyOf(c.params));
    }

    /** The OR of the positive text terms as a tsquery expression (for ranking and highlights), or null. */
    static Compiled rankQuery(SearchQuery query, Set<String> emptyTexts) {
        List<SearchQuery.Text> texts = SearchQuery.positiveTexts(query).stream()
                .filter(t -> !emptyTexts.contains(t.text())).toList();
        if (texts.isEmpty()) {
            return null;
        }
        StringBuilder s = new StringBuilder("(");
        List<Object> p = new ArrayList<>();
        for (SearchQuery.Text t : texts) {
            s.append(p.isEmpty() ? "" : " || ").append(t.phrase() ? "phraseto_tsquery" : "plainto_tsquery")
                    .append("(current_search_config(), ?)");
            p.add(t.text());
        }
        return new Compiled(s.append(")").toString(), p);
    }

    private void append(SearchQuery q) {
        if (q instanceof SearchQuery.And a) {
            join(a.terms(), " AND ");
        } else if (q instanceof SearchQuery.Or o) {
            join(o.terms(), " OR ");
        } else if (q instanceof SearchQuery.Not n) {
            sql.append("NOT (");
            append(n.term());
            sql.append(")");
        } else if (q instanceof SearchQuery.Text t) {
            text(t);
        } else if (q instanceof SearchQuery.Operator op) {
            operator(op);
        } else {
            sql.append("TRUE");
        }
    }

    private void join(List<SearchQuery> terms, String separator) {
        sql.append("(");
        for (int i = 0; i < terms.size(); i++) {
            sql.append(i == 0 ? "" : separator);
            append(terms.get(i));
        }
        sql.append(")");
    }

    private void text(SearchQuery.Text t) {
        if (emptyTexts.contains(t.text())) {
            sql.append("TRUE");
            return;
        }
        // The words through the index and the inline word list; a phrase's word order then from the full document
        // (which has positions), read only for rows that have all its words.
        sql.append("(m.search_words @@ plainto_tsquery(current_search_config(), ?)");
        params.add(t.text());
        if (t.phrase()) {
            sql.append(" AND m.search_doc @@ phraseto_tsquery(current_search_config(), ?)");
            params.add(t.text());
        }
        sql.append(")");
    }

    private void operator(SearchQuery.Operator op) {
        String v = op.value();
        switch (op.name()) {
            // These expressions have statistics of their own (V6__search_words.sql): change one, change both.
            case "from" -> people(v, "lower(coalesce(m.sender, '') || ' ' || coalesce(m.meta ->> 'from_name', ''))");
            case "to" -> people(v, "lower(array_to_string(m.recipients, ' '))");
            case "cc" -> people(v, "lower(array_to_string(m.cc, ' '))");
            case "bcc" -> like("lower(array_to_string(m.bcc, ' '))", v);
            case "subject" -> {
                if (emptyTexts.contains(v)) {
                    sql.append("TRUE");
                    return;
                }
                sql.append("m.subject_doc @@ plainto_tsquery(current_search_config(), ?)");
                params.add(v);
            }
            case "label" -> {
                // By the label's id, resolved beforehand: planned with the id's own statistics, PostgreSQL knows
                // whether the label is on a fifth of the mail or on a few messages. Through a join on the name it
                // guessed "a few" and fetched every labelled message (200 ms for a common label at 100,000).
                List<Long> ids = labelIds.getOrDefault(v.toLowerCase(Locale.ROOT), List.of());
                if (ids.isEmpty()) {
                    sql.append("FALSE");
                    return;
                }
                sql.append("EXISTS (SELECT 1 FROM email_message_label ml WHERE ml.message_id = m.id "
                        + "AND ml.label_id = ANY(?))");
                params.add(ids.toArray(Long[]::new));
            }
            case "in" -> sql.append("(").append(View.of(v).orElseThrow().predicate()).append(")");
            case "is" -> sql.append(switch (v) {
                case "unread" -> "NOT m.seen";
                case "read" -> "m.seen";
                case "starred" -> "m.flagged";
                default -> "NOT m.flagged";
            });
            case "has" -> sql.append("m.has_attachments");
            case "filename" -> {
                // File names are in the search document split at dots, dashes and underscores: the index narrows
                // to messages with those words, the column check keeps only those whose attachment has them.
                sql.append("(m.has_attachments AND ");
                if (!tokens(v).isEmpty() && !emptyTexts.contains(v)) {
                    sql.append("m.search_words @@ plainto_tsquery(current_search_config(), ?) AND ");
                    params.add(String.join(" ", tokens(v)));
                }
                like("lower(m.attachment_names)", v);
                sql.append(")");
            }
            case "before", "after" -> {
                sql.append(op.name().equals("before") ? "m.created_at < ?" : "m.created_at >= ?");
                params.add(LocalDate.parse(v).atStartOfDay().atOffset(ZoneOffset.UTC));
            }
            case "older_than", "newer_than" -> {
                String unit = switch (v.charAt(v.length() - 1)) {
                    case 'd' -> "days";
                    case 'm' -> "months";
                    default -> "years";
                };
                sql.append(op.name().equals("older_than") ? "m.created_at < " : "m.created_at >= ")
                        .append("now() - make_interval(").append(unit).append(" => ?)");
                params.add(Integer.parseInt(v.substring(0, v.length() - 1)));
            }
            default -> throw new IllegalStateException("operator without SQL: " + op.name());
        }
    }

    /**
     * An address or name: narrowed through the index (the people part of {@code search_words}, indexed whole
     * and split at punctuation), then checked against the column so that the match is in the right field.
     */
    private void people(String value, String column) {
        List<String> tokens = tokens(value);
        sql.append("(");
        if (!tokens.isEmpty()) {
            // Without a weight, so the index answers alone (a weight needs every candidate row read again).
            sql.append("m.search_words @@ to_tsquery('simple', ?) AND ");
            params.add(tokens.stream().map(t -> "'" + t + "'").collect(Collectors.joining(" & ")));
        }
        like(column, value);
        sql.append(")");
    }

    private void like(String column, String value) {
        sql.append(column).append(" LIKE ? ESCAPE '\\'");
        params.add("%" + value.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                + "%");
    }

    /** The words PostgreSQL's parser finds in an address or name: letters and digits between punctuation. */
    static List<String> tokens(String value) {
        List<String> out = new ArrayList<>();
        for (String t : value.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }
}
