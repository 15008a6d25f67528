package com.postroom.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** RFC 3676's paragraphs back from their soft line breaks, as Thunderbird writes them. */
class FlowedTest {

    @Test
    void softBreaksJoinAndHardBreaksStay() {
        assertThat(Flowed.unwrap("The statement for March is \r\nattached, with the \r\ncorrected total.\r\n\r\n"
                + "Regards,\r\nAna\r\n", false))
                .isEqualTo("The statement for March is attached, with the corrected total.\r\n\r\nRegards,\r\nAna\r\n");
    }

    @Test
    void quotedParagraphsKeepTheirDepthAndEndWhereTheDepthChanges() {
        assertThat(Flowed.unwrap(">> Is the claim \n>> paid? \n> It is, \n> since Monday.\nThanks!\n", false))
                .isEqualTo(">> Is the claim paid? \n> It is, since Monday.\nThanks!\n");
    }

    @Test
    void stuffingIsRemovedAndTheSignatureSeparatorIsNeverJoined() {
        assertThat(Flowed.unwrap(" From the desk, \n >not a quote\n-- \nAna \nBilling\n", false))
                .isEqualTo("From the desk, >not a quote\n-- \nAna Billing\n");
    }

    @Test
    void delSpRemovesTheSpaceTheSenderAdded() {
        assertThat(Flowed.unwrap("Lang \nes Wort\n", true)).isEqualTo("Langes Wort\n");
    }

    @Test
    void aTextThatDoesNotEndInANewlineDoesNotGainOne() {
        assertThat(Flowed.unwrap("one \ntwo", false)).isEqualTo("one two");
        assertThat(Flowed.unwrap("", false)).isEmpty();
    }

    @Test
    void theParserUnwrapsOnlyFlowedPlainText() throws Exception {
        String head = "From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n";
        MailParser parser = new MailParser();
        assertThat(parser.parse(RawMail.of((head + "Content-Type: text/plain; charset=UTF-8; format=flowed; "
                + "delsp=no\r\n\r\nOne long \r\nparagraph.\r\n").getBytes(StandardCharsets.UTF_8))).text())
                .isEqualTo("One long paragraph.\r\n");
        assertThat(parser.parse(RawMail.of((head + "Content-Type: text/plain; charset=UTF-8\r\n\r\nFixed \r\nlines.\r\n")
                .getBytes(StandardCharsets.UTF_8))).text()).isEqualTo("Fixed \r\nlines.\r\n");
    }
}
