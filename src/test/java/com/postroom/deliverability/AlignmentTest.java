package com.postroom.deliverability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.postroom.support.FakeDns;

/**
 * The doctor's own DKIM verification and DMARC alignment, checked against the signed example of RFC 8463 (an Ed25519
 * and an RSA signature over the same message, with both keys published): what passes there must pass here, and any
 * change to a signed header or the body must fail.
 */
class AlignmentTest {

    static final String MESSAGE = String.join("\r\n",
            "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;",
            " d=football.example.com; i=@football.example.com;",
            " q=dns/txt; s=brisbane; t=1528637909; h=from : to :",
            " subject : date : message-id : from : subject : date;",
            " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;",
            " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus",
            " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==",
            "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;",
            " d=football.example.com; i=@football.example.com;",
            " q=dns/txt; s=test; t=1528637909; h=from : to : subject :",
            " date : message-id : from : subject : date;",
            " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;",
            " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3",
            " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz",
            " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=",
            "From: Joe SixPack <joe@football.example.com>",
            "To: Suzie Q <suzie@shopping.example.net>",
            "Subject: Is dinner ready?",
            "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)",
            "Message-ID: <20030712040037.46341.5F8J@football.example.com>",
            "",
            "Hi.",
            "",
            "We lost the game.  Are you hungry yet?",
            "",
            "Joe.",
            "");

    static FakeDns fake;
    static Dns dns;

    @BeforeAll
    static void start() {
        fake = FakeDns.start();
        dns = Dns.using(Optional.of(fake.address()), Duration.ofSeconds(1));
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    @BeforeEach
    void zone() {
        fake.clear();
        fake.txt("brisbane._domainkey.football.example.com",
                        "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
                .txt("test._domainkey.football.example.com", "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQ"
                        + "KBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/"
                        + "BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB")
                .txt("football.example.com", "v=spf1 ip4:192.0.2.10 -all")
                .txt("_dmarc.football.example.com", "v=DMARC1; p=reject");
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void bothSignaturesOfRfc8463Verify() {
        List<DkimVerifier.Result> results = DkimVerifier.verify(bytes(MESSAGE), dns);
        assertThat(results).extracting(DkimVerifier.Result::result).containsExactly("pass", "pass");
        assertThat(results).extracting(DkimVerifier.Result::selector).containsExactly("brisbane", "test");
    }

    @Test
    void aChangedHeaderOrBodyFailsAndAMissingKeyIsAPermanentError() {
        assertThat(DkimVerifier.verify(bytes(MESSAGE.replace("Is dinner ready?", "Is dinner ready!")), dns))
                .extracting(DkimVerifier.Result::result).containsExactly("fail", "fail");
        List<DkimVerifier.Result> body = DkimVerifier.verify(bytes(MESSAGE.replace("lost", "won")), dns);
        assertThat(body).extracting(DkimVerifier.Result::result).containsExactly("fail", "fail");
        assertThat(body.get(0).reason()).contains("body hash");
        // Relaxed canonicalization: extra spaces and trailing blank lines change nothing.
        assertThat(DkimVerifier.verify(bytes(MESSAGE.replace("Are you", "Are   you") + "\r\n\r\n"), dns))
                .extracting(DkimVerifier.Result::result).containsExactly("pass", "pass");
        fake.clear();
        assertThat(DkimVerifier.verify(bytes(MESSAGE), dns)).extracting(DkimVerifier.Result::result)
                .containsExactly("permerror", "permerror");
    }

    @Test
    void dmarcPassesWhenEitherAlignedMechanismPasses() throws Exception {
        InetAddress listed = InetAddress.getByName("192.0.2.10");
        InetAddress stranger = InetAddress.getByName("192.0.2.99");
        String withReturnPath = "Return-Path: <bounces@football.example.com>\r\n" + MESSAGE;

        Alignment both = Alignment.judge(bytes(withReturnPath), dns, List.of(listed));
        assertThat(both.header()).isEqualTo("postroom-doctor; dkim=pass header.d=football.example.com "
                + "header.s=brisbane; spf=pass smtp.mailfrom=football.example.com; dmarc=pass "
                + "header.from=football.example.com");
        assertThat(both.problem()).isNull();

        // SPF fails from an unlisted address, but the aligned DKIM signature carries DMARC.
        Alignment dkimOnly = Alignment.judge(bytes(withReturnPath), dns, List.of(stranger));
        assertThat(dkimOnly.passes()).isTrue();
        assertThat(dkimOnly.spf()).isEqualTo("fail");

        // Both broken: DMARC fails, and the problem names each cause.
        Alignment neither = Alignment.judge(bytes(withReturnPath.replace("lost", "won")), dns, List.of(stranger));
        assertThat(neither.dmarc()).isEqualTo("fail");
        assertThat(neither.problem()).contains("DKIM fail").contains("SPF fail for football.example.com from "
                + "192.0.2.99");

        // An envelope sender of another organization is not aligned even when its SPF passes.
        fake.txt("bounce.example.org", "v=spf1 ip4:192.0.2.99 -all");
        Alignment foreign = Alignment.judge(bytes(("Return-Path: <b@bounce.example.org>\r\n" + MESSAGE)
                .replace("lost", "won")), dns, List.of(stranger));
        assertThat(foreign.spf()).isEqualTo("pass");
        assertThat(foreign.dmarc()).isEqualTo("fail");
        assertThat(foreign.problem()).contains("not aligned with From football.example.com");
    }

    @Test
    void organizationalDomainsAlignInRelaxedModeOnly() {
        assertThat(Alignment.aligned("mail.clinic.example", "clinic.example", "r")).isTrue();
        assertThat(Alignment.aligned("mail.clinic.example", "clinic.example", "s")).isFalse();
        assertThat(Alignment.aligned("a.clinic.co.uk", "clinic.co.uk", "r")).isTrue();
        assertThat(Alignment.aligned("other.co.uk", "clinic.co.uk", "r")).isFalse();
    }
}
