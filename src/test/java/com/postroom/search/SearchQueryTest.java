package com.postroom.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;


class SearchQueryTest {

    @Test
    void parsesGmailSyntaxIntoATree() {
        assertThat(SearchQuery.parse("  ")).isInstanceOf(SearchQuery.All.class);
        assertThat(SearchQuery.parse("invoice")).isEqualTo(new SearchQuery.Text("invoice", false));
        assertThat(SearchQuery.parse("from:alice \"late fee\" -spam")).isEqualTo(new SearchQuery.And(List.of(
                new SearchQuery.Operator("from", "alice"), new SearchQuery.Text("late fee", true),
                new SearchQuery.Not(new SearchQuery.Text("spam", false)))));
        assertThat(SearchQuery.parse("a OR b c")).as("OR binds tighter, as in Gmail").isEqualTo(
                new SearchQuery.And(List.of(new SearchQuery.Or(List.of(new SearchQuery.Text("a", false),
                        new SearchQuery.Text("b", false))), new SearchQuery.Text("c", false))));
        assertThat(SearchQuery.parse("a b OR c | d")).isEqualTo(new SearchQuery.And(List.of(
                new SearchQuery.Text("a", false), new SearchQuery.Or(List.of(new SearchQuery.Text("b", false),
                        new SearchQuery.Text("c", false), new SearchQuery.Text("d", false))))));
        assertThat(SearchQuery.parse("(a OR b) c")).isEqualTo(new SearchQuery.And(List.of(
                new SearchQuery.Or(List.of(new SearchQuery.Text("a", false), new SearchQuery.Text("b", false))),
                new SearchQuery.Text("c", false))));
        assertThat(SearchQuery.parse("subject:\"March statement\"")).isEqualTo(
                new SearchQuery.Operator("subject", "March statement"));
        assertThat(SearchQuery.parse("before:2026/1/5")).isEqualTo(new SearchQuery.Operator("before", "2026-01-05"));
        assertThat(SearchQuery.parse("IN:Inbox is:Unread has:attachments")).isEqualTo(new SearchQuery.And(List.of(
                new SearchQuery.Operator("in", "inbox"), new SearchQuery.Operator("is", "unread"),
                new SearchQuery.Operator("has", "attachment"))));
        assertThat(SearchQuery.parse("meet at 10:30")).as("an unknown prefix is text")
                .isEqualTo(new SearchQuery.And(List.of(new SearchQuery.Text("meet", false),
                        new SearchQuery.Text("at", false), new SearchQuery.Text("10:30", false))));
        assertThat(SearchQuery.parse("a - b")).as("a lone dash is a word")
                .isEqualTo(new SearchQuery.And(List.of(new SearchQuery.Text("a", false),
                        new SearchQuery.Text("-", false), new SearchQuery.Text("b", false))));
    }

    @Test
    void malformedQueriesSayWhereAndWhat() {
        assertThatThrownBy(() -> SearchQuery.parse("(a b")).hasMessageContaining("position 1")
                .hasMessageContaining("never closed");
        assertThatThrownBy(() -> SearchQuery.parse("a )")).hasMessageContaining("position 3");
        assertThatThrownBy(() -> SearchQuery.parse("()")).hasMessageContaining("Empty parentheses");
        assertThatThrownBy(() -> SearchQuery.parse("after:31/01/2026")).hasMessageContaining("YYYY/MM/DD");
        assertThatThrownBy(() -> SearchQuery.parse("newer_than:3w")).hasMessageContaining("d, m or y");
        assertThatThrownBy(() -> SearchQuery.parse("x".repeat(2001))).hasMessageContaining("too long");
    }

    @Test
    void compilesToParameterisedSql() {
        SearchQuery q = SearchQuery.parse("from:o'brien -\"x; DROP TABLE\"");
        assertThat(SearchSql.texts(q)).containsExactly("o'brien", "x; DROP TABLE");
        SearchSql.Compiled c = SearchSql.compile(q, java.util.Map.of("x; DROP TABLE",
                new SearchSql.Words("'x' & 'drop' & 'tabl'", "'x' <-> 'drop' <-> 'tabl'", java.util.List.of(7, 9))),
                java.util.Map.of());
        assertThat(c.where()).doesNotContain("brien").doesNotContain("DROP").doesNotContain("tabl");
        assertThat(c.params()).contains("%o'brien%", "'x' <-> 'drop' <-> 'tabl'");
        assertThat(SearchSql.tokens("Jean-Luc.Picard@Example.org")).containsExactly("jean", "luc", "picard",
                "example", "org");
    }

    @Test
    void aPhraseNarrowsThroughItsWordPairsUnlessNegatedOrWithoutAdjacentWords() {
        java.util.Map<String, SearchSql.Words> words = java.util.Map.of(
                "claim time", new SearchSql.Words("'claim' & 'time'", "'claim' <-> 'time'", java.util.List.of(42)),
                "claim the time", new SearchSql.Words("'claim' & 'time'", "'claim' <2> 'time'", java.util.List.of()));
        SearchSql.Compiled positive = SearchSql.compile(SearchQuery.parse("\"claim time\""), words, java.util.Map.of());
        assertThat(positive.where()).contains(SearchSql.PAIRS + " @> ?::int[]").doesNotContain("m.search_words @@");
        assertThat(positive.params()).hasSize(1);
        assertThat((Integer[]) positive.params().get(0)).containsExactly(42);
        assertThat(positive.deferred()).as("checked last, on the newest candidates")
                .containsExactly(new SearchSql.Phrase("'claim' & 'time'", "'claim' <-> 'time'"));

        // Inside OR the phrase cannot be left to the end: it is checked with its candidates.
        SearchSql.Compiled either = SearchSql.compile(SearchQuery.parse("\"claim time\" OR bill"),
                java.util.Map.of("bill", new SearchSql.Words("'bill'", "'bill'", java.util.List.of()),
                        "claim time", words.get("claim time")), java.util.Map.of());
        assertThat(either.deferred()).isEmpty();
        assertThat(either.where()).contains(SearchSql.PAIRS + " @> ?::int[] AND (m.search_doc IS NULL AND "
                + "m.search_words @@ ?::tsquery OR m.search_doc @@ ?::tsquery)");

        // Under NOT each message is tested as it is walked: the cheap inline words first, never the pairs function.
        SearchSql.Compiled negated = SearchSql.compile(SearchQuery.parse("bill -\"claim time\""),
                java.util.Map.of("bill", new SearchSql.Words("'bill'", "'bill'", java.util.List.of()),
                        "claim time", words.get("claim time")), java.util.Map.of());
        assertThat(negated.where()).doesNotContain("search_pairs").contains("m.search_doc @@ ?::tsquery");

        SearchSql.Compiled gap = SearchSql.compile(SearchQuery.parse("\"claim the time\""), words, java.util.Map.of());
        assertThat(gap.where()).doesNotContain("search_pairs").contains("m.search_words @@ ?::tsquery");
    }

    @Test
    void wordsThatMustAllBeThereAreOneConditionOfTheIndex() {
        java.util.Map<String, SearchSql.Words> words = java.util.Map.of(
                "medicaid", new SearchSql.Words("'medicaid'", "'medicaid'", java.util.List.of()),
                "sentence", new SearchSql.Words("'sentenc'", "'sentenc'", java.util.List.of()),
                "the", new SearchSql.Words("", "", java.util.List.of()),
                "claim time", new SearchSql.Words("'claim' & 'time'", "'claim' <-> 'time'", java.util.List.of(42)));
        SearchSql.Compiled two = SearchSql.compile(SearchQuery.parse("medicaid the sentence is:unread"), words,
                java.util.Map.of());
        assertThat(two.where()).containsOnlyOnce("m.search_words @@ ?::tsquery").contains("NOT m.seen");
        assertThat(two.params()).containsExactly("('medicaid') & ('sentenc')");

        SearchSql.Compiled withPhrase = SearchSql.compile(SearchQuery.parse("medicaid \"claim time\" sentence"),
                words, java.util.Map.of());
        assertThat(withPhrase.where()).containsOnlyOnce("m.search_words @@ ?::tsquery").contains("search_pairs");

        SearchSql.Compiled either = SearchSql.compile(SearchQuery.parse("medicaid OR sentence"), words,
                java.util.Map.of());
        assertThat(either.params()).containsExactly("'medicaid'", "'sentenc'");
    }

    @Test
    void wordsAreNarrowedByTheirMonthKeysExceptUnderNot() {
        java.util.Map<String, SearchSql.Words> words = java.util.Map.of(
                "medicaid", new SearchSql.Words("'medicaid'", "'medicaid'", java.util.List.of(),
                        java.util.List.of("medicaid")),
                "claim form", new SearchSql.Words("'claim' & 'form'", "'claim' <-> 'form'", java.util.List.of(),
                        java.util.List.of("claim", "form")),
                "annual", new SearchSql.Words("'annual'", "'annual'", java.util.List.of(),
                        java.util.List.of("annual")));
        java.util.List<String> months = SearchSql.months(java.time.OffsetDateTime.parse("2026-11-30T23:00:00-05:00"),
                java.time.OffsetDateTime.parse("2027-01-01T00:00:00Z"));
        assertThat(months).as("UTC months, two digits of year").containsExactly("2612", "2701");

        SearchSql.Compiled both = SearchSql.compile(SearchQuery.parse("medicaid \"claim form\" subject:annual"),
                words, java.util.Map.of(), false, months);
        assertThat(both.params().stream().filter(String[].class::isInstance).map(p -> java.util.List.of((String[]) p)))
                .containsExactly(java.util.List.of("2612:medicaid", "2701:medicaid"),
                        java.util.List.of("2612:claim", "2701:claim"), java.util.List.of("2612:form", "2701:form"),
                        java.util.List.of("2612^annual", "2701^annual"));

        SearchSql.Compiled either = SearchSql.compile(SearchQuery.parse("medicaid OR subject:annual"), words,
                java.util.Map.of(), false, months);
        assertThat(either.where().split(java.util.regex.Pattern.quote(SearchSql.KEYS), -1)).hasSize(3);

        SearchSql.Compiled negated = SearchSql.compile(SearchQuery.parse("-medicaid -subject:annual"), words,
                java.util.Map.of(), false, months);
        assertThat(negated.where()).doesNotContain(SearchSql.KEYS);
        assertThat(SearchSql.compile(SearchQuery.parse("medicaid"), words, java.util.Map.of(), false,
                java.util.List.of()).where()).as("no months: the words alone").doesNotContain(SearchSql.KEYS);
        assertThat(SearchSql.months(java.time.OffsetDateTime.parse("1900-01-01T00:00:00Z"),
                java.time.OffsetDateTime.parse("2026-12-01T00:00:00Z"))).as("a century of months at most")
                .hasSize(1200);
    }
}
