package com.postroom.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.postroom.mime.ParsedMail;

/** The meaning of inbound mail: spam and automatic replies recognised from real mail's headers and subjects. */
class ClassifierTest {

    private static ParsedMail parse(String fixture) throws Exception {
        return new com.postroom.mime.MailParser().parse(com.postroom.mime.MailParserTest.fixture(fixture));
    }

    @Test
    void spamAndAutoRepliesAreRecognised() throws Exception {
        Classifier.Meaning spam = Classifier.of(parse("spam.eml"), false);
        assertThat(spam.spam()).isTrue();
        assertThat(spam.labels()).contains("spam");
        Classifier.Meaning away = Classifier.of(parse("auto-reply.eml"), false);
        assertThat(away.autoReply()).isTrue();
        assertThat(away.classification()).isEqualTo("billing");
        assertThat(Classifier.of(parse("no-message-id.eml"), true).spam()).isTrue();
        // Exchange as many run it: no Auto-Submitted, only Outlook's subject prefix.
        assertThat(Classifier.of(parse("outlook-automatic-reply.eml"), false).autoReply()).isTrue();
        assertThat(Classifier.of(parse("8bit-headers.eml"), false).autoReply()).isFalse();
    }

}
