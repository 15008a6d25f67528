package com.postroom.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLSocketFactory;

import org.junit.jupiter.api.Test;

class MailSessionsTest {

    @Test
    void chaCha20IsAskedForFirstAndNoDefaultSuiteIsLeftOut() {
        SSLSocketFactory factory = MailSessions.socketFactory(Optional.empty());
        String[] defaults = factory.getDefaultCipherSuites();
        List<String> ordered = MailSessions.cipherSuites(defaults);
        assertThat(ordered).containsExactlyInAnyOrder(defaults);
        assertThat(ordered.get(0)).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
        int lastChaCha = -1;
        int firstOther = ordered.size();
        for (int i = 0; i < ordered.size(); i++) {
            if (ordered.get(i).contains("CHACHA20_POLY1305")) {
                lastChaCha = i;
            } else {
                firstOther = Math.min(firstOther, i);
            }
        }
        assertThat(lastChaCha).isLessThan(firstOther);
        // The rest keep the JVM's own order.
        assertThat(ordered.subList(firstOther, ordered.size())).containsExactlyElementsOf(
                java.util.Arrays.stream(defaults).filter(s -> !s.contains("CHACHA20_POLY1305")).toList());
    }

    @Test
    void everyTlsSessionCarriesTheOrder() {
        MailSessions sessions = new MailSessions(Optional.empty());
        MailServer server = new MailServer("mail.example.org", 993, TlsMode.IMPLICIT, Optional.empty(),
                Optional.empty(), java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(5));
        String suites = sessions.imap(server).getProperty("mail.imaps.ssl.ciphersuites");
        assertThat(suites).startsWith("TLS_CHACHA20_POLY1305_SHA256 ");
    }
}
