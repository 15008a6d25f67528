package com.postroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;

/** A browser leaving (a closed tab ends the new-mail stream) is not an error: nothing is logged above debug. */
class UiErrorsTest {

    @Test
    void aClientThatLeftIsRecognisedThroughAnyWrapping() {
        assertThat(UiErrors.clientGone(new IllegalStateException("wrapped",
                new IOException("Broken pipe")))).isTrue();
        assertThat(UiErrors.clientGone(new AsyncRequestNotUsableException("gone"))).isTrue();
        assertThat(UiErrors.clientGone(new AsyncRequestTimeoutException())).isTrue();
        assertThat(UiErrors.clientGone(new IOException("Connection reset by peer"))).isTrue();
        assertThat(UiErrors.clientGone(new IllegalStateException("a real fault"))).isFalse();
        assertThat(UiErrors.clientGone(new IOException("disk full"))).isFalse();
    }
}
