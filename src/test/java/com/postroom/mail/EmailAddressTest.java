package com.postroom.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class EmailAddressTest {

    @Test
    void aNameAndAddressAreSplitAndTheDomainIsLowerCased() {
        EmailAddress a = EmailAddress.parse("\"Müller, Jörg\" <Joerg.Mueller@Example.COM>");
        assertThat(a.address()).isEqualTo("Joerg.Mueller@example.com");
        assertThat(a.displayName()).contains("Müller, Jörg");
        assertThat(a.domain()).isEqualTo("example.com");
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "a@b", "a@@b.com", "a@b..com", "a@-b.com", "a b@c.com", "a@b.com\r\nBcc: x@y.com",
            "a@b.com,c@d.com", "a@127.0.0.1", "a@[127.0.0.1]", "", " "})
    void invalidAddressesAreRefused(String raw) {
        assertThatThrownBy(() -> EmailAddress.parse(raw)).isInstanceOf(EmailAddress.InvalidAddressException.class);
    }

    @Test
    void aLineBreakIsReportedAsSuch() {
        assertThatThrownBy(() -> EmailAddress.parse("a@b.com\nBcc: x@y.com"))
                .hasMessageContaining("line break");
    }

    @Test
    void anOverlongLocalPartIsRefused() {
        assertThatThrownBy(() -> EmailAddress.parse("x".repeat(65) + "@example.com"))
                .hasMessageContaining("longer");
    }
}
