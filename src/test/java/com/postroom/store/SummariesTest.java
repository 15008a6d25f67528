package com.postroom.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The list's snippet is the message's own words, not the history it quotes. */
class SummariesTest {

    @Test
    void snippetsLeaveOutQuotedHistory() {
        assertThat(Summaries.snippet("Thanks, paid today.\n\nOn Mon, Nov 24, 2026 at 9:00 Billing <b@x.org> wrote:\n"
                + "> Your balance is $120.\n> Regards", "")).isEqualTo("Thanks, paid today.");
        assertThat(Summaries.snippet("Fine.\n> quoted\nSee below.", "")).isEqualTo("Fine. See below.");
        assertThat(Summaries.snippet("Ok\n-----Original Message-----\nFrom: someone", "")).isEqualTo("Ok");
        assertThat(Summaries.snippet("> only a quote", "")).as("all quote: shown").isEqualTo("> only a quote");
        assertThat(Summaries.snippet("", "<p>Yes</p><blockquote>old <b>history</b></blockquote>")).isEqualTo("Yes");
        assertThat(Summaries.snippet("", "<div>Sure</div><div class=\"gmail_quote\">On Mon wrote: old</div>"))
                .isEqualTo("Sure");
    }

    @Test
    void theQuotedHistoryStartsAtTheAttributionOrTheTrailingQuote() {
        String reply = "Paid.\n\nOn Mon, Nov 24, 2026, Billing <b@x.org> wrote:\n> Your balance\n";
        assertThat(reply.substring(Summaries.quotedHistoryStart(reply))).startsWith("On Mon");
        String trailing = "Paid.\n> Your balance\n> is due\n";
        assertThat(trailing.substring(Summaries.quotedHistoryStart(trailing))).isEqualTo("> Your balance\n> is due\n");
        String inline = "> Is it paid?\nYes, today.\n";
        assertThat(Summaries.quotedHistoryStart(inline)).as("a quote answered below stays").isEqualTo(inline.length());
        assertThat(Summaries.quotedHistoryStart("No quote")).isEqualTo(8);
    }
}
