package com.postroom.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.inbound.InboundSync;
import com.postroom.inbound.Mailboxes;
import com.postroom.org.Organizations;
import com.postroom.sandbox.Sandbox;
import com.postroom.store.Summaries;
import com.postroom.support.Api;
import com.postroom.support.MailboxFixture;
import com.postroom.support.SandboxTest;
import com.postroom.support.TestMail;

import tools.jackson.databind.JsonNode;

/**
 * Every search operator against mail that came in through the real ingest path. A made-up word unique to this class
 * is part of every query, so mail of other tests in the shared database never matches.
 */
@SandboxTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchApiTest {

    @LocalServerPort
    int port;
    @Autowired
    Sandbox sandbox;
    @Autowired
    Mailboxes mailboxes;
    @Autowired
    InboundSync inbound;
    @Autowired
    Organizations organizations;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    MailSearch mailSearch;
    @Autowired
    com.postroom.config.PostroomSettings settings;
    @Autowired
    com.postroom.store.MessageStates states;
    @Autowired
    Summaries summaries;
    @Autowired
    org.springframework.transaction.support.TransactionTemplate tx;

    Api api;
    MailboxFixture box;
    String w;
    UUID invoice;
    UUID meeting;
    UUID lunch;
    UUID spam;
    UUID markup;

    @BeforeAll
    void mail() {
        api = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        box = new MailboxFixture(sandbox.server().orElseThrow().greenMail(), mailboxes, inbound, jdbc,
                organizations.primary().orElseThrow().id());
        w = MailboxFixture.word();
        List<UUID> ids = box.deliver(
                TestMail.message().from("Alice Archer <alice.archer@clinic.example>").subject("Quarterly invoice " + w)
                        .text("The total is due at the end of the month. " + w)
                        .attach("statement-march.pdf", "application/pdf", "%PDF-1.4".getBytes(StandardCharsets.US_ASCII),
                                null),
                TestMail.message().from("Bob Baker <bob@vendor.example>").cc("carol@partner.example")
                        .subject("Meeting notes " + w).text("An exact phrase here. The invoice came up too. " + w),
                TestMail.message().from("Dana <dana@clinic.example>").subject("Lunch " + w).text("Nothing much " + w),
                TestMail.message().from("Spammer <win@prizes.example>").subject("You won " + w)
                        .header("X-Spam-Status: Yes, score=12.0").text("Claim now " + w),
                TestMail.message().from("Eve <eve@example.org>").subject("<b>bold</b> claims " + w)
                        .text("Look at <script> tags " + w));
        invoice = ids.get(0);
        meeting = ids.get(1);
        lunch = ids.get(2);
        spam = ids.get(3);
        markup = ids.get(4);
        api.post("/api/mail/changes", Map.of("action", "star", "message_ids", List.of(lunch)));
        api.post("/api/mail/changes", Map.of("action", "read", "message_ids", List.of(lunch)));
        api.post("/api/mail/changes", Map.of("action", "add_label", "message_ids", List.of(lunch), "label", "vip"));
        jdbc.sql("UPDATE email_message SET created_at = '2025-01-15T10:00:00Z' WHERE id = ?").param(invoice).update();
        // IMAP's INTERNALDATE has whole seconds: spread the rest so that "newest first" has one answer.
        List<UUID> order = List.of(meeting, lunch, markup, spam);
        for (int i = 0; i < order.size(); i++) {
            jdbc.sql("UPDATE email_message SET created_at = now() - make_interval(mins => ?) WHERE id = ?")
                    .params(10 - i, order.get(i)).update();
        }
    }

    private List<UUID> search(String q) {
        Api.Response r = api.get("/api/mail/search?q=" + URLEncoder.encode(q + " " + w, StandardCharsets.UTF_8));
        assertThat(r.status()).as(q + ": " + r.raw()).isEqualTo(200);
        List<UUID> ids = new ArrayList<>();
        r.body().get("results").forEach(h -> ids.add(UUID.fromString(h.get("message").get("id").asString())));
        return ids;
    }

    @Test
    void plainWordsSearchSubjectBodyPeopleAndFileNamesButNotSpamOrTrash() {
        assertThat(search("")).containsExactlyInAnyOrder(invoice, meeting, lunch, markup);
        assertThat(search("archer")).containsExactly(invoice);
        // Names are stemmed like the query's words ("Alice" is 'alic' in English), as well as indexed unstemmed.
        assertThat(search("alice")).as("a first name that stems").containsExactly(invoice);
        assertThat(search("\"Alice Archer\"")).as("a sender's name as a phrase").containsExactly(invoice);
        assertThat(search("dana")).as("a name alone, not in the body").containsExactly(lunch);
        assertThat(search("alice.archer@clinic.example")).containsExactly(invoice);
        assertThat(search("statement")).as("attachment file name").containsExactly(invoice);
        assertThat(search("the")).as("a stop word alone matches, it does not empty the result")
                .containsExactlyInAnyOrder(invoice, meeting, lunch, markup);
        assertThat(search("in:spam")).containsExactly(spam);
        assertThat(search("in:anywhere")).hasSize(5);
        assertThat(search("in:inbox")).containsExactlyInAnyOrder(invoice, meeting, lunch, markup);
    }

    @Test
    void relevanceRanksSubjectMatchesFirst() {
        assertThat(search("invoice")).containsExactly(invoice, meeting);
    }

    @Test
    void addressOperatorsMatchTheirOwnField() {
        assertThat(search("from:alice")).containsExactly(invoice);
        assertThat(search("from:clinic.example")).containsExactlyInAnyOrder(invoice, lunch);
        assertThat(search("from:\"Alice Archer\"")).containsExactly(invoice);
        assertThat(search("from:Alice.Archer@Clinic.example")).as("a whole address is that sender, in any case")
                .containsExactly(invoice);
        assertThat(search("from:lice.archer@clinic.example")).as("not any address that contains it").isEmpty();
        assertThat(search("-from:alice.archer@clinic.example")).containsExactlyInAnyOrder(meeting, lunch, markup);
        String plan = tx.execute(s -> {
            jdbc.sql("SET LOCAL enable_seqscan = off").update();
            return String.join("\n", jdbc.sql("EXPLAIN SELECT m.id FROM email_message m WHERE m.org_id = 1 AND "
                    + "m.sender IS NOT NULL AND lower(m.sender) = 'a@b.example' ORDER BY m.created_at DESC, m.id DESC "
                    + "LIMIT 50").query(String.class).list());
        });
        assertThat(plan).as("newest first from the sender's index").contains("email_message_sender");
        assertThat(search("cc:carol")).containsExactly(meeting);
        assertThat(search("to:carol")).isEmpty();
        assertThat(search("to:founder@postroom.test")).containsExactlyInAnyOrder(invoice, meeting, lunch, markup);
    }

    @Test
    void partOfANameOrFileNameIsFoundThroughItsTrigramKeys() {
        assertThat(mailSearch.partialNames()).as("the embedded PostgreSQL ships pg_trgm").isTrue();
        assertThat(search("from:arch")).as("the start of a last name").containsExactly(invoice);
        assertThat(search("from:licE.arc")).as("across the dot of an address, any case").containsExactly(invoice);
        assertThat(search("from:vendor.exa")).containsExactly(meeting);
        assertThat(search("cc:caro")).containsExactly(meeting);
        assertThat(search("to:caro")).as("still the field asked for").isEmpty();
        assertThat(search("to:founder@postroom")).containsExactlyInAnyOrder(invoice, meeting, lunch, markup);
        assertThat(search("filename:ment-mar")).containsExactly(invoice);
        assertThat(search("-from:arch")).containsExactlyInAnyOrder(meeting, lunch, markup);
        assertThat(search("from:da")).as("two letters make no trigram: whole words only, and Dana is not \"da\"")
                .isEmpty();
        assertThat(jdbc.sql("SELECT search_name_trigrams('garcía-lo')").query(String.class).single())
                .as("trigrams within a word, none hashed (í) or padded").isEqualTo("{arc,gar}");
        String plan = tx.execute(s -> {
            jdbc.sql("SET LOCAL enable_seqscan = off").update();
            return String.join("\n", jdbc.sql("EXPLAIN SELECT id FROM email_message m WHERE "
                    + SearchSql.KEYS + " && '{2612~gar}'").query(String.class).list());
        });
        assertThat(plan).as("the keys' expression is the index's").contains("email_message_keys");
    }

    @Test
    void withoutPgTrgmNamesMatchWholeWordsAndWithItPartsThroughTheirTrigramKeys() {
        SearchQuery q = SearchQuery.parse("from:arch");
        assertThat(SearchSql.compile(q, Map.of(), Map.of(), false).where()).doesNotContain("search_keys")
                .contains("search_words");
        assertThat(SearchSql.compile(q, Map.of(), Map.of(), true).where()).as("any part of the name")
                .doesNotContain("search_words");
        SearchSql.Compiled keyed = SearchSql.compile(q, Map.of("arch", new SearchSql.Words("'arch'", "'arch'",
                List.of(), List.of(), List.of("arc", "rch"))), Map.of(), true, List.of("2611", "2612"));
        assertThat(keyed.params().stream().filter(String[].class::isInstance).map(p -> List.of((String[]) p)))
                .containsExactly(List.of("2611~arc", "2612~arc"), List.of("2611~rch", "2612~rch"));
        assertThat(SearchSql.compile(SearchQuery.parse("-from:arch"), Map.of("arch", new SearchSql.Words("'arch'",
                "'arch'", List.of(), List.of(), List.of("arc", "rch"))), Map.of(), true, List.of("2611")).where())
                .as("a key never excludes").doesNotContain("search_keys");
    }

    @Test
    void subjectLabelFlagsAttachmentsAndFileNames() {
        assertThat(search("subject:invoice")).containsExactly(invoice);
        assertThat(search("subject:\"meeting notes\"")).containsExactly(meeting);
        assertThat(search("label:vip")).containsExactly(lunch);
        assertThat(search("label:VIP")).as("labels match without case").containsExactly(lunch);
        assertThat(search("-label:vip")).containsExactlyInAnyOrder(invoice, meeting, markup);
        assertThat(search("label:nosuchlabel")).isEmpty();
        assertThat(search("label:nosuchlabel OR lunch")).containsExactly(lunch);
        assertThat(search("is:starred")).containsExactly(lunch);
        assertThat(search("is:read")).containsExactly(lunch);
        assertThat(search("is:unread")).containsExactlyInAnyOrder(invoice, meeting, markup);
        assertThat(search("has:attachment")).containsExactly(invoice);
        assertThat(search("filename:pdf")).containsExactly(invoice);
        assertThat(search("filename:statement-march")).containsExactly(invoice);
    }

    @Test
    void phrasesNegationOrAndParentheses() {
        assertThat(search("\"exact phrase here\"")).containsExactly(meeting);
        assertThat(search("\"phrase exact\"")).isEmpty();
        assertThat(search("-\"exact phrase here\"")).doesNotContain(meeting).contains(invoice);
        assertThat(search("\"phrase exact\" OR lunch")).containsExactly(lunch);
        assertThat(search("-lunch -claims")).containsExactlyInAnyOrder(invoice, meeting);
        assertThat(search("(lunch OR meeting)")).containsExactlyInAnyOrder(meeting, lunch);
        assertThat(search("from:dana OR from:bob")).containsExactlyInAnyOrder(meeting, lunch);
        assertThat(search("-(from:dana OR from:bob) -claims")).containsExactly(invoice);
        assertThat(search("\"The invoice came up\"")).as("stop words at the ends and inside").containsExactly(meeting);
        assertThat(search("\"phrase here. The invoice\"")).as("across a sentence").containsExactly(meeting);
        assertThat(search("\"invoice came\" -\"exact phrase\"")).isEmpty();
    }

    @Test
    void aMessageHasOneInlineDocumentAndOneStoredBeforeMigration34IsStillFoundByPhraseAndRanked() {
        // Since migration 34 the full document (positions, weights) is search_words itself, and search_doc is empty.
        assertThat(jdbc.sql("SELECT search_doc IS NULL AND strip(search_words) <> search_words "
                + "AND search_words @@ 'exact <-> phrase'::tsquery FROM email_message WHERE id = ?")
                .param(meeting).query(Boolean.class).single()).isTrue();
        // A row as migrations 6 to 33 wrote it: the document in search_doc, its stripped copy in search_words
        // (written with the trigger off, which would otherwise write the document again).
        java.util.function.Consumer<UUID> older = id -> tx.executeWithoutResult(s -> {
            jdbc.sql("SET LOCAL session_replication_role = replica").update();
            jdbc.sql("UPDATE email_message SET search_doc = search_words, search_words = strip(search_words) "
                    + "WHERE id = ?").param(id).update();
        });
        older.accept(invoice);
        older.accept(markup);
        try {
            assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE id IN (?, ?) AND search_doc IS NOT NULL "
                    + "AND strip(search_words) = search_words").params(invoice, markup).query(Long.class).single())
                    .isEqualTo(2);
            assertThat(search("\"total is due\"")).as("a phrase of an older row").containsExactly(invoice);
            assertThat(search("\"exact phrase here\"")).as("and of a newer one").containsExactly(meeting);
            assertThat(search("\"total is due\" OR \"exact phrase\"")).containsExactlyInAnyOrder(invoice, meeting);
            assertThat(search("-\"total is due\" -claims")).containsExactlyInAnyOrder(meeting, lunch);
            assertThat(search("invoice")).as("the older row's weights rank it first").containsExactly(invoice, meeting);
            assertThat(search("\"look at\"")).as("one word and a stop word, older row").containsExactly(markup);
        } finally {
            states.rebuildSearchDocuments(List.of(invoice, markup));
        }
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE id IN (?, ?) AND search_doc IS NULL "
                + "AND strip(search_words) <> search_words").params(invoice, markup).query(Long.class).single())
                .as("rebuilt as one inline document").isEqualTo(2);
        assertThat(search("\"total is due\"")).containsExactly(invoice);
    }

    @Test
    void aPhraseFindsTheSameMailThroughItsWordPairsAndByWalking() {
        // A limit of 0 candidates: every phrase counts as common and is checked message by message, as before the
        // phrase index; the bean's own limit sends these rare phrases through the index.
        MailSearch walking = new MailSearch(jdbc, summaries, tx, 0, SearchWindows.STEPS);
        long org = organizations.primary().orElseThrow().id();
        for (String phrase : List.of("\"exact phrase here\"", "\"invoice came\"", "\"phrase exact\"",
                "\"The invoice came up\"", "\"total is due\" OR \"exact phrase\"", "-\"nothing much\" lunch",
                "\"statement march\"", "\"Alice Archer\"", "\"exact phrase\" \"phrase here\" from:bob",
                "(\"exact phrase\" OR lunch) -\"total is\"")) {
            SearchQuery q = SearchQuery.parse(phrase + " " + w);
            List<UUID> indexed = mailSearch.search(org, q, 50, 0).hits().stream().map(h -> h.message().id()).toList();
            List<UUID> walked = walking.search(org, q, 50, 0).hits().stream().map(h -> h.message().id()).toList();
            assertThat(indexed).as(phrase).isEqualTo(walked);
        }
        assertThat(search("\"statement march\"")).as("a file name's words").containsExactly(invoice);
    }

    @Test
    void lookingInTheNewestMailFirstGivesTheSameAnswersAsLookingInAllOfIt() {
        long org = organizations.primary().orElseThrow().id();
        // Steps that end between this test's messages (by how deep each is in the organization's mail, newest
        // first), so that a step holds some of the matches but not all of them.
        List<Integer> steps = new ArrayList<>();
        for (UUID id : List.of(meeting, lunch, markup, invoice)) {
            steps.add(jdbc.sql("SELECT count(*)::int FROM email_message WHERE org_id = ? AND deleted_at IS NULL "
                    + "AND created_at > (SELECT created_at FROM email_message WHERE id = ?)").params(org, id)
                    .query(Integer.class).single());
        }
        MailSearch stepped = new MailSearch(jdbc, summaries, tx, MailSearch.PAIR_CANDIDATES, steps.stream()
                .sorted().distinct().toList());
        MailSearch whole = new MailSearch(jdbc, summaries, tx, MailSearch.PAIR_CANDIDATES, List.of());
        for (String text : List.of("", "invoice", "from:clinic.example", "\"exact phrase\" OR lunch", "-lunch",
                "is:unread", "before:2025/06/01", "has:attachment OR from:dana")) {
            SearchQuery q = SearchQuery.parse(text + " " + w);
            for (int[] page : new int[][] {{50, 0}, {1, 0}, {1, 1}, {2, 1}, {2, 2}}) {
                for (boolean ranked : List.of(true, false)) {
                    MailSearch.Page a = stepped.search(org, q, page[0], page[1], java.util.Optional.empty(), ranked);
                    MailSearch.Page b = whole.search(org, q, page[0], page[1], java.util.Optional.empty(), ranked);
                    String as = text + " " + java.util.Arrays.toString(page) + (ranked ? " ranked" : " by date");
                    assertThat(a.hits().stream().map(h -> h.message().id()).toList()).as(as)
                            .isEqualTo(b.hits().stream().map(h -> h.message().id()).toList());
                    assertThat(a.more()).as(as).isEqualTo(b.more());
                }
                assertThat(stepped.ids(org, q, page[0], page[1])).as(text).isEqualTo(whole.ids(org, q, page[0],
                        page[1]));
            }
        }
    }

    @Test
    void wordsTooFewInTheNewestMailAreReadThroughTheirKeys() {
        long org = organizations.primary().orElseThrow().id();
        // A first step of the mail newer than the invoice: its words are not there, so the search over all the mail
        // that follows knows they are sparse and reads them through their keys (MailSearch.sparse).
        int newer = jdbc.sql("SELECT count(*)::int FROM email_message WHERE org_id = ? AND deleted_at IS NULL "
                + "AND created_at > (SELECT created_at FROM email_message WHERE id = ?)").params(org, invoice)
                .query(Integer.class).single();
        assertThat(newer).as("mail newer than the invoice").isPositive();
        MailSearch stepped = new MailSearch(jdbc, summaries, tx, MailSearch.PAIR_CANDIDATES, List.of(newer));
        MailSearch whole = new MailSearch(jdbc, summaries, tx, MailSearch.PAIR_CANDIDATES, List.of());
        SearchQuery q = SearchQuery.parse("invoice " + w);
        for (boolean ranked : List.of(true, false)) {
            MailSearch.Page a = stepped.search(org, q, 50, 0, java.util.Optional.empty(), ranked);
            MailSearch.Page b = whole.search(org, q, 50, 0, java.util.Optional.empty(), ranked);
            assertThat(a.hits().stream().map(h -> h.message().id()).toList()).contains(invoice)
                    .isEqualTo(b.hits().stream().map(h -> h.message().id()).toList());
            assertThat(a.sparse()).as("read through the keys").isTrue();
            assertThat(b.sparse()).as("one step: nothing says the words are sparse").isFalse();
            assertThat(stepped.countUpTo(org, q, java.util.Optional.empty(), 1000, true))
                    .isEqualTo(whole.countUpTo(org, q, java.util.Optional.empty(), 1000, false))
                    .isEqualTo(a.hits().size());
        }
        assertThat(stepped.ids(org, q, 50, 0)).isEqualTo(whole.ids(org, q, 50, 0));
        assertThat(stepped.search(org, SearchQuery.parse("is:unread"), 1, 0, java.util.Optional.empty(), false)
                .sparse()).as("no words: no keys to read").isFalse();
    }

    @Test
    void wordsAreFoundThroughTheKeysOfTheMonthTheirMessageIsIn() {
        // The month keys (V32) carry the month in UTC, two digits of year: a message late on New Year's Eve in New
        // York is January's in UTC, one a century earlier shares its keys with its month now, one in the future is
        // after every step's start. Each is found by its words and its subject, newest first in steps or all at once.
        String v = MailboxFixture.word();
        List<UUID> ids = box.deliver(
                TestMail.message().from("Fay Núñez <fay@clinic.example>").subject("Renewal notice " + v)
                        .text("Ledger " + v),
                TestMail.message().from("Gil <gil@clinic.example>").subject("Ledger " + v).text("Renewal " + v),
                TestMail.message().from("Hal <hal@clinic.example>").subject("Memo " + v).text("Renewal ledger " + v));
        List<String> dates = List.of("1999-12-31T23:30:00-05:00", "1926-12-04T10:00:00Z", "2040-02-29T12:00:00Z");
        for (int i = 0; i < ids.size(); i++) {
            jdbc.sql("UPDATE email_message SET created_at = ?::timestamptz WHERE id = ?")
                    .params(dates.get(i), ids.get(i)).update();
        }
        assertThat(jdbc.sql("SELECT " + SearchSql.KEYS + " FROM email_message m WHERE id = ?")
                .param(ids.get(0)).query(String.class).single()).contains("0001:ledger").contains("0001^renew")
                .as("the names' trigrams within words (V33)").contains("0001~fay", "0001~cli").doesNotContain("0001~ fa");
        long org = organizations.primary().orElseThrow().id();
        MailSearch newestFirst = new MailSearch(jdbc, summaries, tx, MailSearch.PAIR_CANDIDATES, List.of(1, 2, 3));
        for (MailSearch searcher : List.of(mailSearch, newestFirst)) {
            java.util.function.Function<String, List<UUID>> found = q -> searcher.search(org, SearchQuery.parse(q),
                    50, 0, java.util.Optional.empty(), false).hits().stream().map(h -> h.message().id()).toList();
            assertThat(found.apply("ledger " + v)).containsExactly(ids.get(2), ids.get(0), ids.get(1));
            assertThat(found.apply("renewal ledger " + v)).containsExactly(ids.get(2), ids.get(0), ids.get(1));
            assertThat(found.apply("subject:ledger " + v)).containsExactly(ids.get(1));
            assertThat(found.apply("subject:renewal " + v)).containsExactly(ids.get(0));
            assertThat(found.apply("subject:renewal OR subject:memo " + v)).containsExactly(ids.get(2), ids.get(0));
            assertThat(found.apply("ledger -subject:ledger " + v)).containsExactly(ids.get(2), ids.get(0));
            assertThat(found.apply("\"renewal ledger\" " + v)).containsExactly(ids.get(2));
            assertThat(found.apply("ledger before:2000/01/01 " + v)).containsExactly(ids.get(1));
            assertThat(found.apply("ledger after:2000/01/01 before:2000/02/01 " + v)).containsExactly(ids.get(0));
            // Names through their trigrams' keys (V33): part of a word, across punctuation, beyond ASCII (a
            // trigram with ñ is hashed by pg_trgm and not asked for; "úñe" has no other, and is checked on each
            // message), and under NOT.
            assertThat(found.apply("from:fay " + v)).containsExactly(ids.get(0));
            assertThat(found.apply("from:clinic.exam " + v)).containsExactly(ids.get(2), ids.get(0), ids.get(1));
            assertThat(found.apply("from:al@clin " + v)).containsExactly(ids.get(2));
            assertThat(found.apply("from:NÚÑEZ " + v)).containsExactly(ids.get(0));
            assertThat(found.apply("from:úñe " + v)).containsExactly(ids.get(0));
            assertThat(found.apply("-from:fay " + v)).containsExactly(ids.get(2), ids.get(1));
            assertThat(found.apply("from:fay after:2000/01/01 before:2000/02/01 " + v)).containsExactly(ids.get(0));
            assertThat(found.apply("from:fay before:2000/01/01 " + v)).isEmpty();
        }
    }

    @Test
    void autovacuumCanAnalyseTheMessagesWithItsEmptySearchPath() {
        // Autovacuum, pg_dump and pg_restore run with an empty search path: every function of an index expression
        // must work there, or ANALYZE fails on the table and its statistics stay those of an empty one.
        String schema = jdbc.sql("SELECT current_schema()").query(String.class).single();
        tx.executeWithoutResult(status -> {
            // As docs/deploy.md has an operator add pg_trgm later: the keys' functions made again, then the index.
            jdbc.sql("SELECT search_keys_install()").query(rs -> { });
            jdbc.sql("SELECT set_config('search_path', '', true)").query(rs -> { });
            jdbc.sql("ANALYZE \"" + schema + "\".email_message").update();
            jdbc.sql("REINDEX INDEX \"" + schema + "\".email_message_keys").update();
        });
    }

    @Test
    void documentsOfAnEarlierVersionAreRebuiltInTheBackgroundAtStart() throws InterruptedException {
        // What a message stored before names were indexed in the search language looks like (no 'alic').
        jdbc.sql("UPDATE email_message SET search_words = to_tsvector('simple', 'archer " + w + "') WHERE id = ?")
                .param(invoice).update();
        assertThat(search("alice")).isEmpty();
        jdbc.sql("UPDATE search_config SET doc_version = 1").update();
        new SearchLanguage(jdbc, settings, states).afterPropertiesSet();
        for (int i = 0; i < 200 && jdbc.sql("SELECT doc_version FROM search_config").query(Integer.class).single()
                < SearchLanguage.DOC_VERSION; i++) {
            Thread.sleep(50);
        }
        assertThat(jdbc.sql("SELECT doc_version FROM search_config").query(Integer.class).single())
                .isEqualTo(SearchLanguage.DOC_VERSION);
        assertThat(search("alice")).containsExactly(invoice);
    }

    /**
     * The phrase index may only narrow: every message that has a phrase must have all the phrase's word pairs
     * ({@code search_pairs}, V11__phrase_pairs.sql). Checked for every run of two to five words of every message in
     * the shared database and of texts chosen for PostgreSQL's parser (hyphens, addresses, URLs, numbers,
     * apostrophes, markup, scripts other than Latin, stop words, position overflow), each against its own document.
     */
    @Test
    void thePhraseIndexNeverLosesAMessageThatHasThePhrase() {
        // Each document's pairs computed once (OFFSET 0 keeps PostgreSQL from computing them per phrase); the runs
        // of words taken from each text's first 60 and last 20 words.
        String texts = """
                SELECT coalesce(search_doc, search_words) AS doc, subject || ' ' || left(body_plain, 600) AS t FROM email_message
                UNION ALL SELECT to_tsvector(current_search_config(), t), t FROM unnest(?::text[]) t""";
        String windows = "SELECT doc, pairs, array_to_string(w[i:i + n - 1], ' ') AS phrase "
                + "FROM (SELECT doc, search_pairs(doc) AS pairs, words[1:60] || words[cardinality(words) - 19:] AS w "
                + "FROM (SELECT doc, regexp_split_to_array(t, '\\s+') AS words FROM (" + texts + ") x) y OFFSET 0) s, "
                + "generate_series(1, cardinality(w)) i, generate_series(2, 5) n WHERE i + n - 1 <= cardinality(w)";
        String[] tricky = {"Re: claim-time e-mail re-billing co-pay for the follow-up visit",
                "don't can't O'Brien's claim wasn't paid", "see https://billing.example.com/claims/123?x=1 and reply",
                "alice.archer@clinic.example wrote: the claim", "USD 1,000.50 on 2025-01-15 at 10:30 for 3.5 hours",
                "Müller Straße naïve café Ärztekammer", "日本語のテキスト 請求書 を 送付", "<b>bold</b> text <i>claim</i> time",
                "C++ and C# code v1.2.3-beta build_42 foo_bar", "the of and a claim the time to the end",
                "ＡＢＣ full width １２３", "claim " + "time ".repeat(300) + "claim time",
                "word ".repeat(16400) + "claim time end"};
        Long[] counts = jdbc.sql("SELECT count(*), count(*) FILTER (WHERE NOT pairs @> "
                        + "search_pairs(to_tsvector(current_search_config(), phrase))) FROM (" + windows + ") w "
                        + "WHERE doc @@ phraseto_tsquery(current_search_config(), phrase)")
                .param(tricky).query((rs, i) -> new Long[] {rs.getLong(1), rs.getLong(2)}).single();
        assertThat(counts[0]).as("phrases checked").isGreaterThan(1000);
        assertThat(counts[1]).as("messages with the phrase that the index would not find").isZero();
    }

    @Test
    void datesAbsoluteAndRelative() {
        assertThat(search("after:2025/01/01 before:2025/02/01")).containsExactly(invoice);
        assertThat(search("before:2025/01/15")).isEmpty();
        assertThat(search("after:2025/01/15 before:2025/01/16")).containsExactly(invoice);
        assertThat(search("older_than:30d")).containsExactly(invoice);
        assertThat(search("newer_than:1y")).containsExactlyInAnyOrder(meeting, lunch, markup);
    }

    @Test
    void snippetsHighlightMatchesAndEscapeEverythingElse() {
        JsonNode hit = api.get("/api/mail/search?q=" + URLEncoder.encode("claims script " + w,
                StandardCharsets.UTF_8)).body().get("results").get(0);
        assertThat(hit.get("message").get("id").asString()).isEqualTo(markup.toString());
        // Angle brackets are blanked in highlights (the text parser would read them as tags); nothing is markup.
        assertThat(hit.get("subject_html").asString()).contains("<mark>claims</mark>").doesNotContain("<b>");
        assertThat(hit.get("snippet_html").asString()).contains("<mark>script</mark>").doesNotContain("<script>");
        assertThat(hit.get("message").get("subject").asString()).isEqualTo("<b>bold</b> claims " + w);
    }

    @Test
    void malformedQueriesAre400sThatPointAtTheProblem() {
        for (String[] q : new String[][] {{"(invoice", "never closed"}, {"invoice)", "position 8"},
                {"\"open", "never closed"}, {"before:2025-13-45", "YYYY/MM/DD"}, {"in:nowhere", "not a folder"},
                {"is:maybe", "is:unread"}, {"older_than:soon", "7d"}, {"from:", "needs a value"},
                {"invoice OR", "needs a term"}}) {
            Api.Response r = api.get("/api/mail/search?q=" + URLEncoder.encode(q[0], StandardCharsets.UTF_8));
            assertThat(r.status()).as(q[0]).isEqualTo(400);
            assertThat(r.detail()).as(q[0]).contains(q[1]);
        }
    }

    @Test
    void theOriginalSearchRouteTakesItsParameters() {
        assertThat(original("q=" + w + "&sender=bob")).containsExactly(meeting);
        assertThat(original("q=" + w + "&recipient=founder@postroom.test&has_attachments=true"))
                .containsExactly(invoice);
        assertThat(original("q=" + w + "&label=vip")).containsExactly(lunch);
        assertThat(original("q=" + w + "&start=2025-01-01&end=2025-01-31")).containsExactly(invoice);
        assertThat(original("q=" + w)).as("newest first").containsExactly(markup, lunch, meeting, invoice);
        Api.Response noQuery = api.get("/api/email/search");
        assertThat(noQuery.status()).isEqualTo(422);
        assertThat(api.get("/api/email/search?q=" + w + "&start=yesterday").status()).isEqualTo(422);
    }

    private List<UUID> original(String query) {
        Api.Response r = api.get("/api/email/search?" + query);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        List<UUID> ids = new ArrayList<>();
        r.body().forEach(m -> ids.add(UUID.fromString(m.get("id").asString())));
        return ids;
    }
}
