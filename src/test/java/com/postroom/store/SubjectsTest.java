package com.postroom.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;


class SubjectsTest {

    @Test
    void replyAndForwardPrefixesInTheLanguagesClientsUseAreRemoved() {
        assertThat(Subjects.normalize("Re: RE[2]: Fwd: AW: WG:  Invoice 4411")).isEqualTo("invoice 4411");
        assertThat(Subjects.normalize("SV: Antw: [Fwd: Invoice 4411]")).isEqualTo("invoice 4411");
        assertThat(Subjects.normalize("Re：Invoice 4411")).isEqualTo("invoice 4411");
    }

    @Test
    void gatewayTagsBeforeOrAfterTheReplyPrefixAreRemoved() {
        assertThat(Subjects.normalize("[EXTERNAL] RE: Invoice 4411")).isEqualTo("invoice 4411");
        assertThat(Subjects.normalize("RE: [External Sender] Invoice 4411")).isEqualTo("invoice 4411");
        assertThat(Subjects.normalize("[EXT]: Re: Invoice 4411")).isEqualTo("invoice 4411");
        assertThat(Subjects.normalize("[CAUTION: external email] Fwd: Invoice 4411")).isEqualTo("invoice 4411");
    }

    @Test
    void onlyAReplyOrForwardPrefixMakesASubjectAReply() {
        assertThat(Subjects.isReplyOrForward("Question about my bill")).isFalse();
        assertThat(Subjects.isReplyOrForward("[EXTERNAL] Question about my bill")).isFalse();
        assertThat(Subjects.isReplyOrForward("[EXTERNAL] RE: Question about my bill")).isTrue();
        assertThat(Subjects.isReplyOrForward("AW: Frage")).isTrue();
        assertThat(Subjects.isReplyOrForward("[Fwd: Invoice 4411]")).isTrue();
        assertThat(Subjects.isReplyOrForward("Return policy")).isFalse();
        assertThat(Subjects.isReplyOrForward(null)).isFalse();
    }

    @Test
    void otherBracketedWordsAndPrefixLikeWordsStay() {
        assertThat(Subjects.normalize("[billing] Invoice 4411")).isEqualTo("[billing] invoice 4411");
        assertThat(Subjects.normalize("Return policy")).isEqualTo("return policy");
        assertThat(Subjects.normalize("External audit: results")).isEqualTo("external audit: results");
        assertThat(Subjects.normalize(null)).isEmpty();
    }
}
