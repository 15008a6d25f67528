package com.postroom.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.postroom.mime.MailParser;
import com.postroom.mime.MailParserTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which bounces say the address is dead (and suppress it), and which only that one message was refused. */
class BouncesTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "5.1.1 | 550 5.1.1 <a@x>: Recipient address rejected: User unknown in virtual mailbox table | true",
            "5.1.2 | Host or domain name not found | true",
            "5.1.10 | Recipient address has null MX | true",
            "5.2.1 | The email account that you tried to reach is disabled | true",
            "5.4.4 | Unable to route: no mail hosts for domain | true",
            "5.0.0 | 550 Requested action not taken: no such user here | true",
            "550 | The recipient address does not exist | true",
            "5.0.0 | 550 mailbox for this user does not exist | true",
            "5.7.1 | 550 5.7.1 Message rejected as spam by Content Filtering | false",
            "5.7.26 | Unauthenticated email from x is not accepted due to domain's DMARC policy | false",
            "5.7.1 | Recipient address rejected: Access denied | false",
            "5.2.2 | The email account that you tried to reach is over quota | false",
            "5.3.4 | Message size exceeds fixed limit | false",
            "5.0.0 | 554 Transaction failed: blocked by policy | false",
            "550 | Service unavailable; client host blocked using Spamhaus | false",
            "4.2.2 | 452 4.2.2 Mailbox full | false",
            "4.1.1 | user unknown (temporary lookup failure) | false",
    })
    void onlyAFailureAboutTheAddressItselfSuppresses(String status, String diagnostic, boolean suppresses) {
        boolean hard = status.startsWith("5");
        assertThat(Bounces.isAddressFailure(new Bounces.Report("a@x.example", hard, status, diagnostic)))
                .isEqualTo(suppresses);
    }

    /** A report with a prose status part beside the real one still names its recipient. */
    @Test
    void theRecipientIsFoundWhicheverStatusPartHoldsIt() throws Exception {
        var mail = new MailParser().parse(MailParserTest.fixture("report-without-text.eml"));
        assertThat(Bounces.fromDsn(mail.deliveryStatus().orElseThrow()))
                .singleElement().satisfies(r -> {
                    assertThat(r.recipient()).isEqualTo("pat.doe@example.com");
                    assertThat(r.status()).isEqualTo("5.1.1");
                });
    }

    /** RFC 3464's own example writes "5.0.0 (permanent failure)"; the comment is the diagnosis where there is none. */
    @Test
    void aStatusWithACommentIsItsCode() {
        assertThat(Bounces.fromDsn("""
                Reporting-MTA: dns; cs.utk.edu

                Original-Recipient: rfc822;arathib@vnet.ibm.com
                Final-Recipient: rfc822;arathib@vnet.ibm.com
                Action: failed
                Status: 5.0.0 (permanent failure)
                Diagnostic-Code: smtp; 550 'arathib@vnet.IBM.COM' is not a registered gateway user

                Final-Recipient: rfc822;jangel1@cougar.noc.ucla.edu
                Action: failed
                Status: 5.0.0 (recipient reached disk quota)
                """)).extracting(Bounces.Report::status, Bounces.Report::diagnostic).containsExactly(
                org.assertj.core.groups.Tuple.tuple("5.0.0", "550 'arathib@vnet.IBM.COM' is not a registered gateway user"),
                org.assertj.core.groups.Tuple.tuple("5.0.0", "recipient reached disk quota"));
    }
}
