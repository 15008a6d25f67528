package com.postroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.inbound.InboundSync;
import com.postroom.inbound.Mailboxes;
import com.postroom.org.Organizations;
import com.postroom.sandbox.Sandbox;
import com.postroom.support.Api;
import com.postroom.support.MailboxFixture;
import com.postroom.support.SandboxTest;
import com.postroom.support.TestMail;

import tools.jackson.databind.JsonNode;

/**
 * Every search operator against mail that came in through the real ingest path. A made-up word unique to this class
 * is part of every query, so mail of other tests in the shared database never matches.
 */
@SandboxTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchApiTest {

    @LocalServerPort
    int port;
    @Autowired
    Sandbox sandbox;
    @Autowired
    Mailboxes mailboxes;
    @Autowired
    InboundSync inbound;
    @Autowired
    Organizations organizations;
    @Autowired
    JdbcClient jdbc;

    Api api;
    String w;
    UUID invoice;
    UUID meeting;
    UUID lunch;
    UUID spam;
    UUID markup;

    @BeforeAll
    void mail() {
        api = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        MailboxFixture box = new MailboxFixture(sandbox.server().orElseThrow().greenMail(), mailboxes, inbound, jdbc,
                organizations.primary().orElseThrow().id());
        w = MailboxFixture.word();
        List<UUID> ids = box.deliver(
                TestMail.message().from("Alice Archer <alice.archer@clinic.example>").subject("Quarterly invoice " + w)
                        .text("The total is due at the end of the month. " + w)
                        .attach("statement-march.pdf", "application/pdf", "%PDF-1.4".getBytes(StandardCharsets.US_ASCII),
                                null),
                TestMail.message().from("Bob Baker <bob@vendor.example>").cc("carol@partner.example")
                        .subject("Meeting notes " + w).text("An exact phrase here. The invoice came up too. " + w),
                TestMail.message().from("Dana <dana@clinic.example>").subject("Lunch " + w).text("Nothing much " + w),
                TestMail.message().from("Spammer <win@prizes.example>").subject("You won " + w)
                        .header("X-Spam-Status: Yes, score=12.0").text("Claim now " + w),
                TestMail.message().from("Eve <eve@example.org>").subject("<b>bold</b> claims " + w)
                        .text("Look at <script> tags " + w));
        invoice = ids.get(0);
        meeting = ids.get(1);
        lunch = ids.get(2);
        spam = ids.get(3);
        markup = ids.get(4);
        api.post("/api/mail/changes", Map.of("action", "star", "message_ids", List.of(lunch)));
        api.post("/api/mail/changes", Map.of("action", "read", "message_ids", List.of(lunch)));
        api.post("/api/mail/changes", Map.of("action", "add_label", "message_ids", List.of(lunch), "label", "vip"));
        jdbc.sql("UPDATE email_message SET created_at = '2025-01-15T10:00:00Z' WHERE id = ?").param(invoice).update();
        // IMAP's INTERNALDATE has whole seconds: spread the rest so that "newest first" has one answer.
        List<UUID> order = List.of(meeting, lunch, markup, spam);
        for (int i = 0; i < order.size(); i++) {
            jdbc.sql("UPDATE email_message SET created_at = now() - make_interval(mins => ?) WHERE id = ?")
                    .params(10 - i, order.get(i)).update();
        }
    }

    private List<UUID> search(String q) {
        Api.Response r = api.get("/api/mail/search?q=" + URLEncoder.encode(q + " " + w, StandardCharsets.UTF_8));
        assertThat(r.status()).as(q + ": " + r.raw()).isEqualTo(200);
        List<UUID> ids = new ArrayList<>();
        r.body().get("results").forEach(h -> ids.add(UUID.fromString(h.get("message").get("id").asString())));
        return ids;
    }

    @Test
    void plainWordsSearchSubjectBodyPeopleAndFileNamesButNotSpamOrTrash() {
        assertThat(search("")).containsExactlyInAnyOrder(invoice, meeting, lunch, markup);
        assertThat(search("archer")).containsExactly(invoice);
        assertThat(search("alice.archer@clinic.example")).containsExactly(invoice);
        assertThat(search("statement")).as("attachment file name").containsExactly(invoice);
        assertThat(search("the")).as("a stop word alone matches, it does not empty the result")
                .containsExactlyInAnyOrder(invoice, meeting, lunch, markup);
        assertThat(search("in:spam")).containsExactly(spam);
        assertThat(search("in:anywhere")).hasSize(5);
        assertThat(search("in:inbox")).containsExactlyInAnyOrder(invoice, meeting, lunch, markup);
    }

    @Test
    void relevanceRanksSubjectMatchesFirst() {
        assertThat(search("invoice")).containsExactly(invoice, meeting);
    }

    @Test
    void addressOperatorsMatchTheirOwnField() {
        assertThat(search("from:alice")).containsExactly(invoice);
        assertThat(search("from:clinic.example")).containsExactlyInAnyOrder(invoice, lunch);
        assertThat(search("from:\"Alice Archer\"")).containsExactly(invoice);
        assertThat(search("cc:carol")).containsExactly(meeting);
        assertThat(search("to:carol")).isEmpty();
        assertThat(search("to:founder@postroom.test")).containsExactlyInAnyOrder(invoice, meeting, lunch, markup);
    }

    @Test
    void subjectLabelFlagsAttachmentsAndFileNames() {
        assertThat(search("subject:invoice")).containsExactly(invoice);
        assertThat(search("subject:\"meeting notes\"")).containsExactly(meeting);
        assertThat(search("label:vip")).containsExactly(lunch);
        assertThat(search("label:VIP")).as("labels match without case").containsExactly(lunch);
        assertThat(search("-label:vip")).containsExactlyInAnyOrder(invoice, meeting, markup);
        assertThat(search("label:nosuchlabel")).isEmpty();
        assertThat(search("label:nosuchlabel OR lunch")).containsExactly(lunch);
        assertThat(search("is:starred")).containsExactly(lunch);
        assertThat(search("is:read")).containsExactly(lunch);
        assertThat(search("is:unread")).containsExactlyInAnyOrder(invoice, meeting, markup);
        assertThat(search("has:attachment")).containsExactly(invoice);
        assertThat(search("filename:pdf")).containsExactly(invoice);
        assertThat(search("filename:statement-march")).containsExactly(invoice);
    }

    @Test
    void phrasesNegationOrAndParentheses() {
        assertThat(search("\"exact phrase here\"")).containsExactly(meeting);
        assertThat(search("\"phrase exact\"")).isEmpty();
        assertThat(search("-\"exact phrase here\"")).doesNotContain(meeting).contains(invoice);
        assertThat(search("\"phrase exact\" OR lunch")).containsExactly(lunch);
        assertThat(search("-lunch -claims")).containsExactlyInAnyOrder(invoice, meeting);
        assertThat(search("(lunch OR meeting)")).containsExactlyInAnyOrder(meeting, lunch);
        assertThat(search("from:dana OR from:bob")).containsExactlyInAnyOrder(meeting, lunch);
        assertThat(search("-(from:dana OR from:bob) -claims")).containsExactly(invoice);
    }

    @Test
    void datesAbsoluteAndRelative() {
        assertThat(search("after:2025/01/01 before:2025/02/01")).containsExactly(invoice);
        assertThat(search("before:2025/01/15")).isEmpty();
        assertThat(search("after:2025/01/15 before:2025/01/16")).containsExactly(invoice);
        assertThat(search("older_than:30d")).containsExactly(invoice);
        assertThat(search("newer_than:1y")).containsExactlyInAnyOrder(meeting, lunch, markup);
    }

    @Test
    void snippetsHighlightMatchesAndEscapeEverythingElse() {
        JsonNode hit = api.get("/api/mail/search?q=" + URLEncoder.encode("claims script " + w,
                StandardCharsets.UTF_8)).body().get("results").get(0);
        assertThat(hit.get("message").get("id").asString()).isEqualTo(markup.toString());
        // Angle brackets are blanked in highlights (the text parser would read them as tags); nothing is markup.
        assertThat(hit.get("subject_html").asString()).contains("<mark>claims</mark>").doesNotContain("<b>");
        assertThat(hit.get("snippet_html").asString()).contains("<mark>script</mark>").doesNotContain("<script>");
        assertThat(hit.get("message").get("subject").asString()).isEqualTo("<b>bold</b> claims " + w);
    }

    @Test
    void malformedQueriesAre400sThatPointAtTheProblem() {
        for (String[] q : new String[][] {{"(invoice", "never closed"}, {"invoice)", "position 8"},
                {"\"open", "never closed"}, {"before:2025-13-45", "YYYY/MM/DD"}, {"in:nowhere", "not a folder"},
                {"is:maybe", "is:unread"}, {"older_than:soon", "7d"}, {"from:", "needs a value"},
                {"invoice OR", "needs a term"}}) {
            Api.Response r = api.get("/api/mail/search?q=" + URLEncoder.encode(q[0], StandardCharsets.UTF_8));
            assertThat(r.status()).as(q[0]).isEqualTo(400);
            assertThat(r.detail()).as(q[0]).contains(q[1]);
        }
    }

    @Test
    void theOriginalSearchRouteTakesItsParameters() {
        assertThat(original("q=" + w + "&sender=bob")).containsExactly(meeting);
        assertThat(original("q=" + w + "&recipient=founder@postroom.test&has_attachments=true"))
                .containsExactly(invoice);
        assertThat(original("q=" + w + "&label=vip")).containsExactly(lunch);
        assertThat(original("q=" + w + "&start=2025-01-01&end=2025-01-31")).containsExactly(invoice);
        assertThat(original("q=" + w)).as("newest first").containsExactly(markup, lunch, meeting, invoice);
        Api.Response noQuery = api.get("/api/email/search");
        assertThat(noQuery.status()).isEqualTo(422);
        assertThat(api.get("/api/email/search?q=" + w + "&start=yesterday").status()).isEqualTo(422);
    }

    private List<UUID> original(String query) {
        Api.Response r = api.get("/api/email/search?" + query);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        List<UUID> ids = new ArrayList<>();
        r.body().forEach(m -> ids.add(UUID.fromString(m.get("id").asString())));
        return ids;
    }
}
