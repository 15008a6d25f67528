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

    /**
     * The bare dot-atom addresses {@link EmailAddress#parse} reads without Jakarta Mail's parser: for each, the answer
     * (the address, or the refusal's sentence) is the one the general way gives. Edge cases, then 20,000 strings drawn
     * from the characters that matter (atext, dots, @, hyphens, digits, a space, a bracket, a non-ASCII letter), half
     * of them with a domain after an @.
     */
    @Test
    void bareAddressesAreReadAsJakartaMailReadsThem() {
        java.util.List<String> cases = new java.util.ArrayList<>(java.util.List.of("a@b.co", "A.B@Example.COM",
                "x!#$%&'*+-/=?^_`{|}~y@b.com", ".a@b.com", "a.@b.com", "a..b@c.com", "a@b", "a@b.c-", "a@-b.c",
                "a@b..c", "a@b.c.", "a@.b.c", "a@1.2.3.4", "a@b.123", "a@b.1a", "a@" + "x".repeat(64) + ".com",
                "x".repeat(64) + "@b.com", "x".repeat(65) + "@b.com", "a@" + ("y".repeat(60) + ".").repeat(5) + "com",
                "a@b.c@d.e", "@b.com", "a@", "  a@b.com  ", "a@xn--bcher-kva.example", "a_b@c_d.com", "a@b_c.com"));
        java.util.Random random = new java.util.Random(7);
        String alphabet = "ab.@-09AZ!#_~'`{}. @[é";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder s = new StringBuilder();
            for (int n = 1 + random.nextInt(12); n > 0; n--) {
                s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (i % 2 == 0) { // half of them shaped as an address: a local part, an @, a domain
                s.append('@');
                for (int n = 1 + random.nextInt(12); n > 0; n--) {
                    s.append("ab09-.".charAt(random.nextInt(6)));
                }
            }
            if (random.nextBoolean()) {
                s.append(".com");
            }
            cases.add(s.toString());
        }
        int plain = 0;
        for (String raw : cases) {
            if (raw.isBlank() || EmailAddress.plainAt(raw.trim()) < 0) {
                continue;
            }
            plain++;
            assertThat(outcome(() -> EmailAddress.parse(raw)))
                    .as(raw).isEqualTo(outcome(() -> EmailAddress.parseWithJakarta(raw, raw.trim())));
        }
        assertThat(plain).isGreaterThan(2_000);
    }

    private static String outcome(java.util.function.Supplier<EmailAddress> parse) {
        try {
            EmailAddress a = parse.get();
            return a.address() + " " + a.displayName();
        } catch (EmailAddress.InvalidAddressException e) {
            return "refused: " + e.getMessage();
        }
    }
}
