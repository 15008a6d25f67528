package com.postroom.search;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.postroom.store.View;

/**
 * Turns a {@link SearchQuery} into a SQL condition over a message aliased {@code m}, with every value bound as a
 * parameter. Text goes through the full-text index ({@code search_words}, GIN); address and subject operators use the
 * index to narrow and then check the column itself, so {@code from:alice} never matches a message merely sent to alice.
 */
public final class SearchSql {

    /** An address with a local part and a dotted domain: from: then means that sender, not any text containing it. */
    private static final java.util.regex.Pattern WHOLE_ADDRESS = java.util.regex.Pattern.compile(
            "[^\\s@<>()\\[\\],;:\"]+@[\\p{L}\\p{N}-]+(\\.[\\p{L}\\p{N}-]+)+");

    /** Every name, address and file name of a message in lower case (V29__partial_names.sql). */
    static final String NAMES = "email_message_names(m.sender, m.meta ->> 'from_name', m.recipients, m.cc, "
            + "m.attachment_names)";

    /**
     * The expression of the month keys' index (V32__search_keys_by_month.sql, V33__name_trigrams_by_month.sql),
     * written exactly as the index has it.
     */
    static final String KEYS = "search_keys(m.created_at, m.search_words, m.subject_doc, " + NAMES + ")";

    /**
     * A message's full search document (words with their positions and weights), for phrases and ranking: inline in
     * {@code search_words} since migration 34, in {@code search_doc} on rows written before it
     * (V34__one_inline_search_document.sql). The pairs' index is over this expression, written exactly so.
     */
    static final String DOCUMENT = "coalesce(m.search_doc, m.search_words)";

    /** The phrase pairs' index expression (V11__phrase_pairs.sql, V34). */
    static final String PAIRS = "search_pairs(" + DOCUMENT + ")";

    private final Map<String, Words> words;
    private final Map<String, List<Long>> labelIds;
    private final boolean partialNames;
    private final List<String> months;
    private final StringBuilder sql = new StringBuilder();
    /** How many NOTs enclose the term being written. */
    private int negations;
    /** How many ORs enclose the term being written. */
    private int alternatives;
    private final List<Phrase> deferred = new ArrayList<>();
    private final List<Object> params = new ArrayList<>();

    /**
     * A text of the query as the search language reads it, as {@code tsquery} text: its words ({@code plainto_tsquery})
     * and the same as a phrase ({@code phraseto_tsquery}). Parsed once per search and bound as constants: written as
     * {@code plainto_tsquery(current_search_config(), ?)} in a filter, PostgreSQL parsed the text again, and read the
     * configured language from its table, for every message a search walked (on 100,000 messages, counting the
     * messages with two words took 108 ms that way and 36 ms with the parsed query). {@code pairs} are the text's
     * adjacent words as {@code search_pairs()} hashes them (V11__phrase_pairs.sql): every message with the phrase
     * has them, so they narrow a phrase through its index. {@code lexemes} are the words as the month keys have them,
     * and {@code trigrams} the text's trigrams as the names' month keys have them (V33__name_trigrams_by_month.sql):
     * those every name that contains the text has.
     */
    public record Words(String all, String phrase, List<Integer> pairs, List<String> lexemes, List<String> trigrams) {

        public Words {
            pairs = List.copyOf(pairs);
            lexemes = List.copyOf(lexemes);
            trigrams = List.copyOf(trigrams);
        }

        public Words(String all, String phrase, List<Integer> pairs, List<String> lexemes) {
            this(all, phrase, pairs, lexemes, List.of());
        }

        /** Without its lexemes: such a term is not narrowed by the month keys (tests of the SQL's shape). */
        public Words(String all, String phrase, List<Integer> pairs) {
            this(all, phrase, pairs, List.of());
        }

        Words withoutPairs() {
            return new Words(all, phrase, List.of(), lexemes, trigrams);
        }

        /** Only stop words (such as "the"): such a term matches every message instead of none. */
        boolean empty() {
            return all.isEmpty();
        }
    }

    /**
     * @param words    each text of the query (see {@link #texts}) parsed by the search language
     * @param labelIds each {@code label:} value (lower case) with the ids of the caller's organization's labels it
     *                 names: the only place the organization enters the condition, the caller scopes the rest
     */
    private SearchSql(Map<String, Words> words, Map<String, List<Long>> labelIds, boolean partialNames,
                      List<String> months) {
        this.words = words;
        this.labelIds = labelIds;
        this.partialNames = partialNames;
        this.months = months;
    }

    /**
     * A phrase every match must have, as {@code tsquery} texts: its words ({@code words}, tested first on the inline
     * word list) and the phrase itself (tested on the full document, which has positions).
     */
    public record Phrase(String words, String phrase) {
    }

    /**
     * @param deferred phrases (tsquery text) that every match must have, left out of {@code where} so that the caller
     *                 checks them last, on the newest candidates only (see {@link #text})
     */
    public record Compiled(String where, List<Object> params, List<Phrase> deferred) {

        Compiled(String where, List<Object> params) {
            this(where, params, List.of());
        }
    }

    public static Compiled compile(SearchQuery query, Map<String, Words> words, Map<String, List<Long>> labelIds) {
        return compile(query, words, labelIds, false);
    }

    /**
     * @param partialNames whether PostgreSQL has pg_trgm (V29__partial_names.sql, V33__name_trigrams_by_month.sql):
     *                     then from:, to:, cc: and filename: match part of a name ("from:garc"), narrowed by its
     *                     trigrams' month keys; without it, whole words of it
     */
    public static Compiled compile(SearchQuery query, Map<String, Words> words, Map<String, List<Long>> labelIds,
                                   boolean partialNames) {
        return compile(query, words, labelIds, partialNames, List.of());
    }

    /**
     * @param months the months ({@code YYMM}, {@link #months}) whose mail the search looks in: the words are then read
     *               through their month keys (V32__search_keys_by_month.sql) of these months only. Every month that
     *               has a message the search may find must be in it; empty, the words are not narrowed by month.
     */
    public static Compiled compile(SearchQuery query, Map<String, Words> words, Map<String, List<Long>> labelIds,
                                   boolean partialNames, List<String> months) {
        SearchSql c = new SearchSql(words, labelIds, partialNames, List.copyOf(months));
        c.append(query);
        return new Compiled(c.sql.toString(), List.copyOf(c.params), List.copyOf(c.deferred));
    }

    /**
     * The texts the search language must parse for {@link #compile}: text terms, subject: and filename: values, and
     * the values of from:, to:, cc: and filename: in lower case (their trigrams).
     */
    public static Set<String> texts(SearchQuery q) {
        Set<String> out = new LinkedHashSet<>();
        for (SearchQuery leaf : SearchQuery.leaves(q)) {
            if (leaf instanceof SearchQuery.Text t) {
                out.add(t.text());
            } else if (leaf instanceof SearchQuery.Operator op && op.name().equals("subject")) {
                out.add(op.value());
            } else if (leaf instanceof SearchQuery.Operator op && op.name().equals("filename")) {
                out.add(fileNameWords(op.value()));
                out.add(op.value().toLowerCase(Locale.ROOT));
            } else if (leaf instanceof SearchQuery.Operator op && List.of("from", "to", "cc").contains(op.name())) {
                out.add(op.value().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    /** The OR of the positive text terms as a tsquery expression (for ranking and highlights), or null. */
    static Compiled rankQuery(SearchQuery query, Map<String, Words> words) {
        List<SearchQuery.Text> texts = SearchQuery.positiveTexts(query).stream()
                .filter(t -> !words.get(t.text()).empty()).toList();
        if (texts.isEmpty()) {
            return null;
        }
        StringBuilder s = new StringBuilder("(");
        List<Object> p = new ArrayList<>();
        for (SearchQuery.Text t : texts) {
            s.append(p.isEmpty() ? "" : " || ").append("?::tsquery");
            Words w = words.get(t.text());
            p.add(t.phrase() ? w.phrase() : w.all());
        }
        return new Compiled(s.append(")").toString(), p);
    }

    private Words words(String text) {
        Words w = words.get(text);
        if (w == null) {
            throw new IllegalStateException("search text not parsed beforehand: " + text);
        }
        return w;
    }

    private void append(SearchQuery q) {
        if (q instanceof SearchQuery.And a) {
            join(a.terms(), " AND ");
        } else if (q instanceof SearchQuery.Or o) {
            alternatives++;
            join(o.terms(), " OR ");
            alternatives--;
        } else if (q instanceof SearchQuery.Not n) {
            sql.append("NOT (");
            negations++;
            append(n.term());
            negations--;
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
        List<SearchQuery> rest = terms;
        if (separator.equals(" AND ")) {
            rest = new ArrayList<>();
            List<String> together = new ArrayList<>();
            Set<String> lexemes = new LinkedHashSet<>();
            for (SearchQuery t : terms) {
                if (t instanceof SearchQuery.Text text && !text.phrase() && !words(text.text()).empty()) {
                    together.add("(" + words(text.text()).all() + ")");
                    lexemes.addAll(words(text.text()).lexemes());
                } else {
                    rest.add(t);
                }
            }
            if (together.size() == 1) {
                rest = terms; // nothing to put together: written in the query's own order
            } else if (!together.isEmpty()) {
                // Words that must all be in a message, as one condition: the index then reads their lists together
                // and skips through the longer ones by the rarer (three common words at 1,000,000 messages: 160 ms
                // as one condition, 380 ms as three), and PostgreSQL estimates the match as one.
                sql.append("m.search_words @@ ?::tsquery");
                params.add(String.join(" & ", together));
                keys(lexemes, ':');
                if (!rest.isEmpty()) {
                    sql.append(separator);
                }
            }
        }
        for (int i = 0; i < rest.size(); i++) {
            sql.append(i == 0 ? "" : separator);
            append(rest.get(i));
        }
        sql.append(")");
    }

    private void text(SearchQuery.Text t) {
        Words w = words(t.text());
        if (w.empty()) {
            sql.append("TRUE");
            return;
        }
        if (t.phrase() && !w.pairs().isEmpty() && negations == 0) {
            // The phrase's adjacent words through their index (a few candidates), then the phrase itself from the
            // full document, which has positions. The words alone are not tested as well: PostgreSQL would then
            // intersect with every message that has both (a quarter of the mail for two common words, 20 ms).
            // A phrase every match must have is checked by the caller after the candidates are sorted by date, on
            // the newest until enough have it, instead of reading the document of every candidate.
            sql.append(PAIRS + " @> ?::int[]");
            params.add(w.pairs().toArray(Integer[]::new));
            if (alternatives == 0) {
                deferred.add(new Phrase(w.all(), w.phrase()));
            } else {
                sql.append(" AND ");
                phrase(w.phrase());
            }
            return;
        }
        // The words through the index and the inline word list; a phrase's word order then from the full document
        // (which has positions), read only for rows that have all its words. Under NOT, a message is tested as it
        // is walked, and this is the cheap order: the inline words first, the document only where they are all in
        // (since migration 34 both are the row's inline search_words; on older rows the document is a TOAST read).
        sql.append("(m.search_words @@ ?::tsquery");
        params.add(w.all());
        keys(w.lexemes(), ':');
        if (t.phrase() && !w.phrase().equals(w.all())) {
            // (A "phrase" of one word and stop words is that word: nothing more to check.)
            sql.append(" AND ");
            phrase(w.phrase());
        }
        sql.append(")");
    }

    /**
     * A phrase checked on the full document. Written per column, not on {@link #DOCUMENT}: an expression has no
     * statistics, so PostgreSQL took {@code coalesce(...) @@ phrase} for one message in 200 and read every candidate
     * of the month keys and sorted them (1.2 s at 100,000) instead of walking the newest; each column's own
     * statistics give the estimate. On a row written before migration 34 the stripped search_words has no positions
     * (a phrase never matches it), so the document in search_doc decides there.
     */
    private void phrase(String phrase) {
        sql.append("(m.search_doc IS NULL AND m.search_words @@ ?::tsquery OR m.search_doc @@ ?::tsquery)");
        params.add(phrase);
        params.add(phrase);
    }

    private void operator(SearchQuery.Operator op) {
        String v = op.value();
        switch (op.name()) {
            // These expressions have statistics of their own (V6__search_words.sql): change one, change both.
            case "from" -> {
                if (WHOLE_ADDRESS.matcher(v).matches()) {
                    // That sender, as Gmail reads from:<address>, newest first through its own index (migration 31).
                    sql.append("(m.sender IS NOT NULL AND lower(m.sender) = ?)");
                    params.add(v.toLowerCase(Locale.ROOT));
                    return;
                }
                people(v, "lower(coalesce(m.sender, '') || ' ' || coalesce(m.meta ->> 'from_name', ''))");
            }
            case "to" -> people(v, "lower(array_to_string(m.recipients, ' '))");
            case "cc" -> people(v, "lower(array_to_string(m.cc, ' '))");
            case "bcc" -> like("lower(array_to_string(m.bcc, ' '))", v);
            case "subject" -> {
                if (words(v).empty()) {
                    sql.append("TRUE");
                    return;
                }
                sql.append("m.subject_doc @@ ?::tsquery");
                params.add(words(v).all());
                keys(words(v).lexemes(), '^');
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
                // Narrowed by its trigrams' month keys (any part of a file name), or else by the search document,
                // which has file names split at dots, dashes and underscores (whole words); the column check keeps
                // only those whose attachment has the value.
                sql.append("(m.has_attachments AND ");
                Words w = words(fileNameWords(v));
                if (!partial(v) && !w.empty()) {
                    sql.append("m.search_words @@ ?::tsquery");
                    params.add(w.all());
                    keys(w.lexemes(), ':');
                    sql.append(" AND ");
                }
                like("lower(m.attachment_names)", v);
                sql.append(")");
            }
            case "before", "after" -> {
                sql.append(op.name().equals("before") ? "m.created_at < ?" : "m.created_at >= ?");
                params.add(startOfDay(v));
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
     * An address or name: narrowed through an index, then checked against the column so that the match is in the
     * right field. With pg_trgm, any part of a name of three characters or more ("garc" finds Garcia), narrowed by its
     * trigrams' month keys; else the people part of {@code search_words} (indexed whole and split at punctuation),
     * which holds whole words only.
     */
    private void people(String value, String column) {
        sql.append("(");
        if (!partial(value)) {
            List<String> tokens = tokens(value);
            if (!tokens.isEmpty()) {
                // Without a weight, so the index answers alone (a weight needs every candidate row read again).
                sql.append("m.search_words @@ to_tsquery('simple', ?)");
                params.add(tokens.stream().map(t -> "'" + t + "'").collect(Collectors.joining(" & ")));
                if (tokens.stream().allMatch(t -> t.chars().allMatch(c -> c < 128))) {
                    // The 'simple' dictionary keeps a token as its lexeme, lower-cased by PostgreSQL: the same as
                    // Java's for ASCII; beyond it (a final sigma, say) the two may differ, and a key must never miss.
                    keys(tokens, ':');
                }
                sql.append(" AND ");
            }
        }
        like(column, value);
        sql.append(")");
    }

    /**
     * Each lexeme in one of the search's months, through the month keys' index: a message has all its keys in its own
     * month, so one condition per lexeme (any of the months) asks for messages of those months that have them all.
     * Nothing under NOT (a key never excludes) or without months or lexemes (then the words' own test stands alone).
     */
    private void keys(java.util.Collection<String> lexemes, char separator) {
        if (negations > 0 || months.isEmpty()) {
            return;
        }
        for (String lexeme : lexemes) {
            sql.append(" AND ");
            monthKeys(lexeme, separator);
        }
    }

    /** The condition that a message has a lexeme's or trigram's key in one of the search's months. */
    private void monthKeys(String lexeme, char separator) {
        sql.append(KEYS).append(" && ?::text[]");
        params.add(months.stream().map(month -> month + separator + lexeme).toArray(String[]::new));
    }

    /** The start of a day of {@code after:} or {@code before:} (an ISO date), in UTC. */
    static java.time.OffsetDateTime startOfDay(String isoDate) {
        return LocalDate.parse(isoDate).atStartOfDay().atOffset(ZoneOffset.UTC);
    }

    /**
     * Every month from the one of {@code from} to the one of {@code to}, as the keys have them ({@code YYMM} in UTC,
     * V32__search_keys_by_month.sql): at most a century's 1,200, as the keys repeat after that.
     */
    static List<String> months(java.time.OffsetDateTime from, java.time.OffsetDateTime to) {
        Set<String> out = new LinkedHashSet<>();
        java.time.YearMonth last = java.time.YearMonth.from(to.withOffsetSameInstant(ZoneOffset.UTC));
        for (java.time.YearMonth m = java.time.YearMonth.from(from.withOffsetSameInstant(ZoneOffset.UTC));
             !m.isAfter(last); m = m.plusMonths(1)) {
            out.add(String.format(Locale.ROOT, "%02d%02d", Math.floorMod(m.getYear(), 100), m.getMonthValue()));
            if (out.size() == 1200) {
                break;
            }
        }
        return List.copyOf(out);
    }

    /**
     * Whether the value matches any part of a name (true), narrowed by the month keys of its trigrams, which every
     * name containing it has: "garcia" by 'gar', 'arc', 'rci' and 'cia' of the search's months. Fewer than three
     * characters make no trigram, and such a value matches whole words instead.
     */
    private boolean partial(String value) {
        if (!partialNames || value.strip().length() < 3) {
            return false;
        }
        Words w = words.get(value.toLowerCase(Locale.ROOT));
        if (w != null && negations == 0 && !months.isEmpty()) {
            for (String trigram : w.trigrams()) {
                monthKeys(trigram, '~');
                sql.append(" AND ");
            }
        }
        return true;
    }

    private void like(String column, String value) {
        sql.append(column).append(" LIKE ? ESCAPE '\\'");
        params.add("%" + value.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                + "%");
    }

    /** A file name's words, as its attachment's names are indexed (split at dots, dashes and underscores). */
    private static String fileNameWords(String value) {
        return String.join(" ", tokens(value));
    }

    /** The words PostgreSQL's parser finds in an address or name: letters and digits between punctuation. */
    public static List<String> tokens(String value) {
        List<String> out = new ArrayList<>();
        for (String t : value.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }
}
