package com.postroom.outbound;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.postroom.problem.Problem;

/**
 * A custom header's name (RFC 5322 §2.2) and whether Postroom lets a caller set it: the headers it writes from the
 * message itself are refused in any spelling, so that no caller can replace the From its sender rules checked, the
 * recipients, or the MIME structure.
 */
class HeaderNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"X-Run", "Auto-Submitted", "List-Unsubscribe", "List-Unsubscribe-Post", "In-Reply-To",
            "References", "X-Priority", "Importance", "X-PM-Tag"})
    void customHeadersAreAllowed(String name) {
        assertThatCode(() -> SendingCore.checkHeaderName(name)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"From", "FROM", "sender", "To", "Cc", "BCC", "Reply-To", "Subject", "Date", "Message-ID",
            "message-id", "MIME-Version", "Content-Type", "content-transfer-encoding", "Content-Disposition",
            "Content-ID", "Return-Path", "Received"})
    void headersPostroomWritesItselfAreRefused(String name) {
        assertThatThrownBy(() -> SendingCore.checkHeaderName(name)).isInstanceOf(Problem.class)
                .hasMessageContaining("is written by Postroom");
    }

    /** What Postmark's API drops when a library passes it on (Postroom writes its own); who sends and to whom it keeps. */
    @org.junit.jupiter.api.Test
    void theStructureHeadersAreTheOnesThatDoNotSayWhoSendsToWhom() {
        org.assertj.core.api.Assertions.assertThat(java.util.stream.Stream.of("Message-ID", "date", "MIME-Version",
                "Content-Type", "Content-Transfer-Encoding", "Return-Path", "Received")
                .allMatch(SendingCore::isStructureHeader)).isTrue();
        org.assertj.core.api.Assertions.assertThat(java.util.stream.Stream.of("From", "Sender", "To", "Cc", "Bcc",
                "Reply-To", "Subject", "X-Run").noneMatch(SendingCore::isStructureHeader)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "X A", "X-A:", "X-A: 1\r\nBcc", "X-\u00e9", "X\tA", "X-A\n"})
    void namesThatAreNotFieldNamesAreRefused(String name) {
        assertThatThrownBy(() -> SendingCore.checkHeaderName(name)).isInstanceOf(Problem.class)
                .hasMessageContaining("is not usable");
    }

    @org.junit.jupiter.api.Test
    void aNameOfMoreThan76CharactersIsRefused() {
        assertThatThrownBy(() -> SendingCore.checkHeaderName("X-" + "a".repeat(75))).isInstanceOf(Problem.class);
        assertThatCode(() -> SendingCore.checkHeaderName("X-" + "a".repeat(74))).doesNotThrowAnyException();
    }
}
