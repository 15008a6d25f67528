package com.postroom.search;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.util.HtmlUtils;

import com.postroom.store.MailboxScope;
import com.postroom.store.MessageSummary;
import com.postroom.store.Summaries;
import com.postroom.store.View;

/**
 * Search over one organization's mail with Gmail's operators ({@link SearchQuery}), on PostgreSQL full-text search.
 * Results are ranked by relevance then date (or by date alone for the original API's list), with the matching words
 * of subject and body highlighted in snippets that are safe to insert as HTML.
 */
@Repository
public class MailSearch {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MailSearch.class);

    private final JdbcClient jdbc;
    private final Summaries summaries;
    private final TransactionTemplate tx;

    private final int pairCandidates;
    private final SearchWindows windows;
    private volatile Boolean partialNames;

    @Autowired
    MailSearch(JdbcClient jdbc, Summaries summaries, TransactionTemplate tx) {
        this(jdbc, summaries, tx, PAIR_CANDIDATES, SearchWindows.STEPS);
    }

    /**
     * With another limit for the phrase index ({@link #PAIR_CANDIDATES}) and other steps of newest mail
     * ({@link SearchWindows}): tests compare the ways to the same answer.
     */
    MailSearch(JdbcClient jdbc, Summaries summaries, TransactionTemplate tx, int pairCandidates, List<Integer> steps) {
        this.jdbc = jdbc;
        this.summaries = summaries;
        this.tx = tx;
        this.pairCandidates = pairCandidates;
        this.windows = new SearchWindows(jdbc, steps);
    }

    /**
     * Runs a search in a read-only transaction planned for its actual words. A prepared statement reused by the JDBC
     * driver gets PostgreSQL's generic plan, which cannot know whether a word is in most messages or in a few and
     * guesses "a few": for a common word that meant a bitmap scan of every match (55 ms) instead of walking the
     * date index until enough matches are found (10 ms), measured on 100,000 messages.
     */
    private <T> T planned(java.util.function.Supplier<T> search) {
        return tx.execute(status -> {
            // Nor compiled to machine code: PostgreSQL's JIT starts on a plan it guesses costly (a sort of thousands
            // of matches), and compiling took 100-600 ms of a search that then ran in 20-90 ms (1,000,000 messages).
            // Nor run by parallel workers: starting them cost a phrase search 30 ms of its 88 on two cores, and a
            // search that takes three processes makes every other request wait.
            jdbc.sql("SELECT set_config('plan_cache_mode', 'force_custom_plan', true), set_config('jit', 'off', true), "
                            + "set_config('max_parallel_workers_per_gather', '0', true)")
                    .query(rs -> { });
            return search.get();
        });
    }

    /**
     * Whether the month keys hold the trigrams of names (V33__name_trigrams_by_month.sql; an external PostgreSQL
     * without its contrib modules has no pg_trgm): then from:, to:, cc: and filename: match part of a name. Asked of
     * the keys' own function, once.
     */
    public boolean partialNames() {
        Boolean known = partialNames;
        if (known == null) {
            known = jdbc.sql("SELECT cardinality(search_name_trigrams('abc')) > 0").query(Boolean.class).single();
            if (!known) {
                log.warn("PostgreSQL has no pg_trgm: from:, to:, cc: and filename: match whole words of names only "
                        + "(docs/deploy.md says how to add it)");
            }
            partialNames = known;
        }
        return known;
    }

    /** One result: the message as lists show it, with highlighted subject and snippet (escaped HTML). */
    public record Hit(MessageSummary message, String subjectHtml, String snippetHtml, double rank) {
    }

    /**
     * A page of results; {@code sparse} when the matches were too few in the newest mail and all of it was read
     * through the words' keys (pass it on to {@link #countUpTo}).
     */
    public record Page(List<Hit> hits, boolean more, boolean sparse) {
    }

    /** The ids of matching messages, newest first: the original API's search. */
    public List<UUID> ids(long orgId, SearchQuery query, int limit, int offset) {
        return planned(() -> {
            List<UUID> ids = List.of();
            Map<String, SearchSql.Words> words = words(orgId, query);
            Plan plan = plan(orgId, query, words,
                    span -> prepare(orgId, query, words, span, false, limit, offset, Optional.empty(),
                            Optional.empty()));
            List<Optional<OffsetDateTime>> steps = plan.steps();
            for (int step = 0; step < steps.size(); step++) {
                Prepared p = prepare(orgId, query, words, plan.span(), false, limit, offset, Optional.empty(),
                        steps.get(step));
                ids = throughKeysIf(sparse(steps, step, p),
                        () -> jdbc.sql(p.sql).params(p.params).query((rs, i) -> rs.getObject(1, UUID.class)).list());
                if (ids.size() == limit) {
                    break; // a full page from the newest part is the page
                }
            }
            return ids;
        });
    }

    /**
     * How a search reads the mail: the newest parts it looks in, one after the other until one holds enough matches
     * (see {@link SearchWindows}), and the organization's span of dates when its words are read through their month
     * keys (V32__search_keys_by_month.sql), or none when they are tested on each message walked.
     */
    private record Plan(List<Optional<OffsetDateTime>> steps, Optional<Span> span) {
    }

    /**
     * All the mail at once when the query asks for older mail (which the newest parts never hold) or when a phrase's
     * pairs narrow it; and all the mail walked newest first, its words tested on each message without their keys,
     * when that is what PostgreSQL would do over all of it.
     *
     * @param all the search over all the mail, with its words' month keys over this span or without them (empty)
     */
    private Plan plan(long orgId, SearchQuery query, Map<String, SearchSql.Words> words,
                      java.util.function.Function<Optional<Span>, Prepared> all) {
        Optional<Span> span = span(orgId);
        List<Optional<OffsetDateTime>> steps = windows.of(orgId);
        Prepared whole = all.apply(span);
        boolean keyed = whole.sql.contains(SearchSql.KEYS);
        if (keyed && walksNewestFirst(all.apply(Optional.empty()))) {
            return new Plan(List.of(Optional.empty()), Optional.empty());
        }
        boolean older = !SearchQuery.operatorValues(query, "before").isEmpty()
                || !SearchQuery.operatorValues(query, "older_than").isEmpty();
        if (older || narrowPhrase(query, words)) {
            return new Plan(List.of(Optional.empty()), span);
        }
        return new Plan(steps.size() > 1 && !keyed && walksNewestFirst(whole)
                ? List.of(Optional.empty()) : steps, span);
    }

    /**
     * Whether PostgreSQL would answer over all the mail by walking it newest first until enough match: it expects the
     * matches to be dense, and then the walk stops after a few thousand messages whatever the mailbox's size. Asked
     * of the search without its month keys, which have no statistics (V32): the words' own statistics say how dense
     * they are, and without an index of the words the only other plans read everything. When it walks, the words are
     * tested on each message walked (a message's keys cost 0.1 ms to build, its words a few µs), and the newest parts
     * are not needed. Given a part of 20,000 messages PostgreSQL expects few matches in it and reads them
     * through an index instead: three common words took 177 ms that way at 1,000,000 messages (through an index of
     * the words of all the mail) and 35 ms walked. Asking costs one more planning, about a millisecond.
     */
    private boolean walksNewestFirst(Prepared all) {
        List<String> lines = jdbc.sql("EXPLAIN " + all.sql).params(all.params).query(String.class).list();
        String plan = String.join("\n", lines);
        java.util.regex.Matcher cost = PLAN_COST.matcher(lines.isEmpty() ? "" : lines.get(0));
        return plan.contains("Index Scan") && !plan.contains("Bitmap") && cost.find()
                && Double.parseDouble(cost.group(1)) <= SHORT_WALK;
    }

    /** The estimated total cost in the first line of a plan ("Limit  (cost=39.54..5627.04 rows=150 width=42)"). */
    private static final java.util.regex.Pattern PLAN_COST =
            java.util.regex.Pattern.compile("cost=[0-9.]+\\.\\.([0-9.]+)");

    /**
     * The most a walk may be expected to cost (PostgreSQL's units) and still be the plan: a few thousand messages.
     * Without an index of the words, PostgreSQL can only walk or read everything, so it walks even for a word it
     * expects on one message in 500; such a walk read 26,000 messages for a subject word at 100,000 (343 ms) and was
     * estimated at 31,000. Dense words walk for 5,000-8,000 (three common words at 1,000,000: 35 ms).
     */
    private static final double SHORT_WALK = 12_000;

    /**
     * Whether every match must have a phrase that its word pairs' index narrows to a few candidates (fewer than
     * {@link #pairCandidates}): the index then gives the same candidates whatever the part of the mail, so looking in
     * the newest parts first only reads them again (a phrase with no match read its 900 candidates three times, 400 ms
     * at 1,000,000 messages).
     */
    private static boolean narrowPhrase(SearchQuery query, Map<String, SearchSql.Words> words) {
        return musts(query).stream().anyMatch(t -> t instanceof SearchQuery.Text text && text.phrase()
                && !words.get(text.text()).pairs().isEmpty());
    }

    /** Ranked results with snippets: the native API and the web UI. */
    public Page search(long orgId, SearchQuery query, int limit, int offset) {
        return search(orgId, query, limit, offset, Optional.empty());
    }

    /** The same, within one mailbox (the web UI's switcher). */
    public Page search(long orgId, SearchQuery query, int limit, int offset, Optional<MailboxScope> mailbox) {
        return search(orgId, query, limit, offset, mailbox, true);
    }

    /** The same, newest first when not by relevance (the web UI's default, as Gmail's); matches marked either way. */
    public Page search(long orgId, SearchQuery query, int limit, int offset, Optional<MailboxScope> mailbox,
                       boolean byRelevance) {
        return planned(() -> searchNow(orgId, query, limit, offset, mailbox, byRelevance));
    }

    private Page searchNow(long orgId, SearchQuery query, int limit, int offset, Optional<MailboxScope> mailbox,
                           boolean byRelevance) {
        List<UUID> ids = new ArrayList<>();
        Map<UUID, Double> ranks = new HashMap<>();
        Prepared p = null;
        Map<String, SearchSql.Words> words = words(orgId, query);
        Plan plan = plan(orgId, query, words,
                span -> prepare(orgId, query, words, span, byRelevance, limit + 1, offset, mailbox, Optional.empty()));
        List<Optional<OffsetDateTime>> steps = plan.steps();
        boolean sparse = false;
        for (int step = 0; step < steps.size(); step++) {
            ids.clear();
            ranks.clear();
            p = prepare(orgId, query, words, plan.span(), byRelevance, limit + 1, offset, mailbox, steps.get(step));
            sparse = sparse(steps, step, p);
            long[] candidates = {0};
            Prepared prepared = p;
            throughKeysIf(sparse, () -> {
                jdbc.sql(prepared.sql).params(prepared.params).query(rs -> {
                    UUID id = rs.getObject(1, UUID.class);
                    ids.add(id);
                    ranks.put(id, prepared.rank == null ? 0.0 : rs.getDouble(2));
                    candidates[0] = prepared.rank == null ? ids.size() : rs.getLong(3);
                });
                return null;
            });
            // Enough from this part: the page and whether there is more (unranked), or the whole ranking window
            // (ranked), are then what all the mail would give.
            if (candidates[0] >= p.enough) {
                break;
            }
        }
        boolean more = ids.size() > limit;
        List<UUID> page = more ? ids.subList(0, limit) : ids;
        Map<UUID, String[]> headlines = headlines(page, p.rank != null ? p.rank
                : SearchSql.rankQuery(query, words));
        List<Hit> hits = new ArrayList<>();
        for (MessageSummary m : summaries.of(orgId, page)) {
            String[] h = headlines.get(m.id());
            hits.add(new Hit(m, h == null ? escape(m.subject()) : h[0],
                    h == null || h[1] == null ? escape(m.snippet()) : h[1], ranks.get(m.id())));
        }
        return new Page(hits, more, sparse);
    }

    /**
     * Whether this step is the search over all the mail after the newest parts held too few matches, with its words
     * read through their month keys: then the matches are sparse (fewer than a page in the newest 200,000 messages),
     * and the search is made to read them through the keys' index ({@link #throughKeysIf}). PostgreSQL cannot see that
     * itself: a word in none of its statistics' thousand most common ones gets a guess, and for a word in a handful
     * of messages (a name, a claim number) or in none (a typo) it guessed hundreds of matches and walked the date
     * index newest first to find 150 of them: every message, 4.2 s at 1,000,000 (14-26 s with the pages on disk),
     * against under a millisecond through the keys. A match that sparse in new mail is no denser in the rest, so
     * reading the matches through the keys costs at most what there is to find.
     */
    private static boolean sparse(List<Optional<OffsetDateTime>> steps, int step, Prepared p) {
        return step > 0 && steps.get(step).isEmpty() && p.sql.contains(SearchSql.KEYS);
    }

    /** Runs a statement; when {@code sparse}, with index scans off, so that its words are read through their keys. */
    private <T> T throughKeysIf(boolean sparse, java.util.function.Supplier<T> statement) {
        if (!sparse) {
            return statement.get();
        }
        // Local to the search's transaction: a statement that fails ends it, and the setting with it.
        indexScans("off");
        T result = statement.get();
        indexScans("on");
        return result;
    }

    private void indexScans(String setting) {
        jdbc.sql("SELECT set_config('enable_indexscan', ?, true)").param(setting).query(rs -> { });
    }

    /**
     * How many of the organization's messages a search cannot find yet: stored a moment ago without their search
     * documents, which SearchIndexer is writing (within a second or so).
     */
    public long pendingIndexing(long orgId) {
        return jdbc.sql("SELECT count(*) FROM email_message WHERE org_id = ? AND search_words IS NULL "
                        + "AND deleted_at IS NULL").param(orgId).query(Long.class).single();
    }

    /**
     * How many messages match, counted up to {@code cap} (more is reported as cap + 1): the "of 131" beside a page of
     * results. Bounded, as a page is: a common word in a million messages is not counted to the end, and the page
     * says "of more than 1,000" instead, as Gmail says "of many".
     */
    public long countUpTo(long orgId, SearchQuery query, Optional<MailboxScope> mailbox, int cap, boolean sparse) {
        return planned(() -> {
            Map<String, SearchSql.Words> words = words(orgId, query);
            Plan plan = plan(orgId, query, words,
                    span -> prepare(orgId, query, words, span, false, cap + 1, 0, mailbox, Optional.empty()));
            Prepared p = prepare(orgId, query, words, plan.span(), false, cap + 1, 0, mailbox, Optional.empty());
            // Sparse matches (the search's page said so) are counted through their keys, as they were found.
            return throughKeysIf(sparse && p.sql.contains(SearchSql.KEYS), () -> jdbc.sql("SELECT count(*) FROM ("
                    + p.sql + ") counted").params(p.params).query(Long.class).single());
        });
    }

    /** The dates of the organization's oldest and newest message: the months a search over all its mail reads. */
    private record Span(OffsetDateTime oldest, OffsetDateTime newest) {
    }

    private Optional<Span> span(long orgId) {
        return jdbc.sql("SELECT min(created_at), max(created_at) FROM email_message WHERE org_id = ?").param(orgId)
                .query((rs, i) -> rs.getObject(1) == null ? null
                        : new Span(rs.getObject(1, OffsetDateTime.class), rs.getObject(2, OffsetDateTime.class)))
                .list().stream().filter(java.util.Objects::nonNull).findFirst();
    }

    /**
     * The months from {@code from} to {@code to}, within the dates every match must be in ({@code after:} and
     * {@code before:} of the query itself, not under OR or NOT): a month's search then reads that month's keys only.
     */
    private static List<String> months(SearchQuery query, OffsetDateTime from, OffsetDateTime to) {
        for (SearchQuery term : musts(query)) {
            if (term instanceof SearchQuery.Operator op && (op.name().equals("after") || op.name().equals("before"))) {
                OffsetDateTime day = SearchSql.startOfDay(op.value());
                if (op.name().equals("after") && day.isAfter(from)) {
                    from = day;
                } else if (op.name().equals("before") && day.minusNanos(1).isBefore(to)) {
                    to = day.minusNanos(1);
                }
            }
        }
        return from.isAfter(to) ? List.of() : SearchSql.months(from, to);
    }

    /** The terms every match must satisfy: the query's own, not those under OR or NOT. */
    private static List<SearchQuery> musts(SearchQuery query) {
        return query instanceof SearchQuery.And a ? a.terms() : List.of(query);
    }

    /** {@code enough}: the rows (unranked) or candidates (ranked) that make the answer final. */
    private record Prepared(String sql, List<Object> params, SearchSql.Compiled rank, int enough) {
    }

    /**
     * Relevance is computed over the newest matches only (this many, or as far as the caller pages): ranking every
     * match of a common word means reading every matching document, while the newest matches come from the date
     * index and stop early. Older mail that matches better than all of these is still found, on a later page or by a
     * narrower query. Three pages' worth: on 100,000 messages, 300 made a two-word search 30 ms and this 17 ms, as
     * the walk stops after half as many messages and half as many full documents are read for ranking.
     */
    static final int RANK_WINDOW = 150;

    private Prepared prepare(long orgId, SearchQuery query, Map<String, SearchSql.Words> words, Optional<Span> span,
                             boolean ranked, int limit, int offset, Optional<MailboxScope> mailbox,
                             Optional<OffsetDateTime> since) {
        SearchSql.Compiled where = SearchSql.compile(query, words, labelIds(orgId, query), partialNames(),
                span.map(s -> months(query, since.orElse(s.oldest()), s.newest())).orElse(List.of()));
        SearchSql.Compiled rank = ranked ? SearchSql.rankQuery(query, words) : null;
        List<Object> params = new ArrayList<>();
        boolean deferred = !where.deferred().isEmpty();
        StringBuilder matches = new StringBuilder("SELECT m.id, m.created_at")
                .append(rank != null || deferred ? ", " + SearchSql.DOCUMENT + " AS search_doc" : "")
                .append(deferred ? ", m.search_words" : "")
                .append(" FROM email_message m WHERE m.org_id = ? AND m.deleted_at IS NULL AND ");
        List<Object> matchParams = new ArrayList<>(List.of(orgId));
        if (!SearchQuery.namesFolder(query)) {
            matches.append("(").append(View.ALL.predicate()).append(") AND ");
        }
        matches.append("(").append(where.where()).append(")");
        matchParams.addAll(where.params());
        since.ifPresent(start -> {
            // With the month keys, those of the part's months narrow it, and the date only drops what is older in the
            // first month: written so that the date index cannot be used, or PostgreSQL intersects the keys' few rows
            // with the addresses of every message of the part (20,000 of them, 10 ms).
            matches.append(where.where().contains(SearchSql.KEYS) ? " AND m.created_at + interval '0 s' >= ?"
                    : " AND m.created_at >= ?");
            matchParams.add(start);
        });
        mailbox.ifPresent(scope -> {
            matches.append(" AND ").append(scope.predicate());
            matchParams.addAll(scope.params());
        });
        matches.append(" ORDER BY m.created_at DESC, m.id DESC");
        if (deferred) {
            // The phrases every match must have, checked on the candidates in date order until the LIMIT below has
            // enough: a phrase's pairs narrow it to its candidates, but checking the phrase in each candidate's
            // document costs ~17 µs, and a phrase in 1-3% of the mail has a thousand or two. OFFSET 0 keeps
            // PostgreSQL from moving the check back into the scan; the sorted order carries through the filter.
            // The phrase's words are tested first, on the inline word list: at 1,000,000 messages a pair's 20-bit
            // hash is shared by a few hundred messages that have other pairs, and most of those lack a word of the
            // phrase, so their full documents are never read (70 µs each from TOAST on rows written before migration
            // 34; since, the document is the inline word list itself and the second test is on the same row).
            String checks = String.join(" AND ", java.util.Collections.nCopies(where.deferred().size(),
                    "d.search_words @@ ?::tsquery AND d.search_doc @@ ?::tsquery"));
            matches.insert(0, "SELECT d.id, d.created_at, d.search_doc FROM (").append(" OFFSET 0) d WHERE ")
                    .append(checks).append(" ORDER BY d.created_at DESC, d.id DESC");
            where.deferred().forEach(phrase -> matchParams.addAll(List.of(phrase.words(), phrase.phrase())));
        }
        if (rank == null) {
            params.addAll(matchParams);
            params.add(limit);
            params.add(offset);
            return new Prepared(matches + " LIMIT ? OFFSET ?", params, null, limit);
        }
        int window = Math.max(RANK_WINDOW, offset + limit);
        params.addAll(rank.params());
        params.addAll(matchParams);
        params.add(window);
        params.add(limit);
        params.add(offset);
        // candidates: how many matches were ranked, counted before the page is cut from them.
        String sql = "SELECT c.id, ts_rank(c.search_doc, " + rank.where() + ") AS rank, count(*) OVER () AS candidates "
                + "FROM (" + matches + " LIMIT ?) c ORDER BY rank DESC, c.created_at DESC, c.id DESC LIMIT ? OFFSET ?";
        return new Prepared(sql, params, rank, window);
    }

    /** Each {@code label:} value of the query (lower case) with the ids of the labels whose slug or name it is. */
    private Map<String, List<Long>> labelIds(long orgId, SearchQuery query) {
        List<String> names = SearchQuery.operatorValues(query, "label").stream()
                .map(v -> v.toLowerCase(Locale.ROOT)).distinct().toList();
        Map<String, List<Long>> ids = new HashMap<>();
        if (names.isEmpty()) {
            return ids;
        }
        jdbc.sql("SELECT n, l.id FROM unnest(?::text[]) n JOIN email_label l ON l.org_id = ? "
                        + "AND (l.slug = n OR lower(l.name) = n)")
                .params(names.toArray(String[]::new), orgId)
                .query(rs -> {
                    ids.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getLong(2));
                });
        return ids;
    }

    /** The query's texts parsed by the search language, in one round trip (see {@link SearchSql.Words}). */
    private Map<String, SearchSql.Words> words(long orgId, SearchQuery query) {
        Set<String> texts = SearchSql.texts(query);
        Map<String, SearchSql.Words> words = new HashMap<>();
        if (texts.isEmpty()) {
            return words;
        }
        // The lexemes are the document's for the same text: the same parser and dictionaries as plainto_tsquery's.
        // The trigrams are the names' keys' for the same text (a name's value comes lower-cased, as its LIKE has it).
        jdbc.sql("SELECT t, plainto_tsquery(current_search_config(), t)::text, "
                        + "phraseto_tsquery(current_search_config(), t)::text, "
                        + "search_pairs(to_tsvector(current_search_config(), t)), "
                        + "tsvector_to_array(to_tsvector(current_search_config(), t)), search_name_trigrams(t) "
                        + "FROM unnest(?::text[]) t")
                .param(texts.toArray(String[]::new))
                .query(rs -> {
                    Integer[] pairs = (Integer[]) rs.getArray(4).getArray();
                    String[] lexemes = (String[]) rs.getArray(5).getArray();
                    String[] trigrams = (String[]) rs.getArray(6).getArray();
                    words.put(rs.getString(1), new SearchSql.Words(rs.getString(2), rs.getString(3),
                            Arrays.asList(pairs), Arrays.asList(lexemes), Arrays.asList(trigrams)));
                });
        for (SearchQuery leaf : SearchQuery.leaves(query)) {
            if (leaf instanceof SearchQuery.Text t && t.phrase() && !words.get(t.text()).pairs().isEmpty()
                    && pairsAreCommon(orgId, words.get(t.text()).pairs())) {
                words.put(t.text(), words.get(t.text()).withoutPairs());
            }
        }
        return words;
    }

    /**
     * A phrase goes through its word pairs' index (V11__phrase_pairs.sql) when that narrows it to fewer messages than
     * this; a phrase that is in more of them ("thank you", "let me know", "best regards") is found faster by walking
     * the newest messages, where its matches are dense and the walk stops after a few hundred. PostgreSQL cannot
     * tell the two apart itself: the pairs have no statistics (computing them for ANALYZE's sample costs seconds).
     * Each candidate costs its row (a few µs cached, ~20 µs from outside PostgreSQL's cache) and the phrase is then
     * checked on the newest only (see {@link SearchSql.Compiled#deferred}): on 100,000 messages a phrase with 1,578
     * candidates took 5.8 ms this way, against 14 ms checking every candidate's document.
     */
    static final int PAIR_CANDIDATES = 2000;

    /** Whether the organization has more than {@link #pairCandidates} messages with all these pairs. */
    private boolean pairsAreCommon(long orgId, List<Integer> pairs) {
        return jdbc.sql("SELECT count(*) FROM (SELECT 1 FROM email_message m "
                        + "WHERE " + SearchSql.PAIRS + " @> ?::int[] AND m.org_id = ? LIMIT ?) c")
                .params(pairs.toArray(Integer[]::new), orgId, pairCandidates + 1)
                .query(Long.class).single() > pairCandidates;
    }

    /** Highlighted subject and body fragment of each message of the page (escaped HTML). */
    private Map<UUID, String[]> headlines(List<UUID> ids, SearchSql.Compiled rank) {
        Map<UUID, String[]> out = new HashMap<>();
        if (rank == null || ids.isEmpty()) {
            return out;
        }
        List<String> lexemes = jdbc.sql("SELECT DISTINCT (regexp_matches((" + rank.where() + ")::text, "
                        + "'''([^'']+)''', 'g'))[1]")
                .params(rank.params()).query(String.class).list();
        Highlighter highlighter = new Highlighter(lexemes);
        jdbc.sql("SELECT id, subject, CASE WHEN octet_length(body_plain) > 0 THEN substr(body_plain, 1, 4000) END, "
                        + "CASE WHEN octet_length(body_plain) = 0 THEN substr(body_html, 1, 20000) END "
                        + "FROM email_message WHERE id = ANY(?)")
                .param(ids.toArray(UUID[]::new))
                .query(rs -> {
                    String html = rs.getString(4);
                    String body = rs.getString(3) != null ? rs.getString(3)
                            : html != null && !html.isEmpty() ? org.jsoup.Jsoup.parse(html).text() : null;
                    out.put(rs.getObject(1, UUID.class), new String[] {highlighter.all(rs.getString(2)),
                            body == null ? null : highlighter.around(body, Summaries.SNIPPET_LENGTH)});
                });
        return out;
    }

    static String escape(String s) {
        return s == null ? "" : HtmlUtils.htmlEscape(s, "UTF-8");
    }
}
