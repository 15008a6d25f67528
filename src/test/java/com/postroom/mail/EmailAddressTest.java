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

    /** IDNA: the ASCII form of an internationalized domain goes through every mail server; UTF-8 would need SMTPUTF8. */
    @Test
    void anInternationalizedDomainIsWrittenInItsAsciiForm() {
        assertThat(EmailAddress.parse("jose@bücher.example").address()).isEqualTo("jose@xn--bcher-kva.example");
        EmailAddress named = EmailAddress.parse("José Ruiz <Jose@BÜCHER.example>");
        assertThat(named.address()).isEqualTo("Jose@xn--bcher-kva.example");
        assertThat(named.displayName()).contains("José Ruiz");
        assertThat(EmailAddress.parse("a@xn--bcher-kva.example").address()).isEqualTo("a@xn--bcher-kva.example");
        assertThatThrownBy(() -> EmailAddress.parse("a@bü_cher.example")).hasMessageContaining("domain");
    }

    @Test
    void aLocalPartOutsideAsciiIsRefusedWithTheReason() {
        assertThatThrownBy(() -> EmailAddress.parse("josé@example.com")).hasMessageContaining("outside ASCII before the @");
    }
}
