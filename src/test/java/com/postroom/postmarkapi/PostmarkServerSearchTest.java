package com.postroom.postmarkapi;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.search.SearchIndexer;
import com.postroom.support.Api;
import com.postroom.support.SandboxTest;
import com.postroom.support.WebClient;

/**
 * A Postmark server chooses whether the text of the mail it sends is indexed for search (migration 42): on unless
 * told otherwise; without it, as Postmark finds an application's mail by recipient, subject, tag and metadata only,
 * its mail is found in Postroom's search by subject, people and attachment names, and the search page says whose text
 * is not searched. Changing it applies to the mail sent afterwards.
 */
@SandboxTest
class PostmarkServerSearchTest {

    @LocalServerPort
    int port;
    @Autowired
    SearchIndexer indexer;
    @Autowired
    JdbcClient jdbc;

    Api admin;

    @BeforeEach
    void setUp() {
        admin = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
    }

    private static String word(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    /** Sends one message through Postmark's POST /email; answers its id. */
    private String send(String token, String subjectWord, String bodyWord, String attachment) {
        return send(token, subjectWord, bodyWord, attachment, word("rcpt"));
    }

    private String send(String token, String subjectWord, String bodyWord, String attachment, String recipient) {
        Api postmark = new Api(port);
        Api.Response sent = postmark.post("/email", Map.of("From", "billing@postroom.test",
                "To", "patient-" + recipient + "@example.test", "Subject", "Statement " + subjectWord,
                "TextBody", "Your balance for account " + bodyWord + " is due.",
                "Attachments", List.of(Map.of("Name", attachment + ".pdf", "Content", "JVBERi0=",
                        "ContentType", "application/pdf"))),
                Map.of("X-Postmark-Server-Token", token));
        assertThat(sent.status()).as(sent.raw()).isEqualTo(200);
        return sent.body().get("MessageID").asString();
    }

    private int found(String q) {
        indexer.indexAll();
        Api.Response r = admin.get("/api/mail/search?q=" + q + "&limit=50");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.body().at("/results").size();
    }

    @Test
    void aServersMailIsFoundByItsEnvelopeAndByItsTextOnlyWhenItSaysSo() {
        Api.Response created = admin.post("/api/postmark/servers", Map.of("name", "statements app",
                "search_bodies", false));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.body().get("search_bodies").asBoolean()).isFalse();
        long id = created.body().get("id").asLong();
        String token = created.body().get("token").asString();

        String subject = word("subj"), body = word("acct"), file = word("file"), recipient = word("rcpt");
        String first = send(token, subject, body, file, recipient);
        assertThat(found(subject)).isEqualTo(1);
        assertThat(found(recipient)).isEqualTo(1);
        assertThat(found(file)).isEqualTo(1);
        assertThat(found(body)).as("the text of a server that does not index it").isZero();
        assertThat(jdbc.sql("SELECT meta #>> '{postmark,search_body}' FROM email_message WHERE id = ?::uuid")
                .param(first).query(String.class).single()).isEqualTo("false");

        Api.Response changed = admin.patch("/api/postmark/servers/" + id, Map.of("search_bodies", true));
        assertThat(changed.status()).as(changed.raw()).isEqualTo(200);
        boolean listed = false;
        for (var s : admin.get("/api/postmark/servers").body().at("/servers")) {
            listed |= s.get("id").asLong() == id && s.path("search_bodies").asBoolean();
        }
        assertThat(listed).as("listed with its text searched").isTrue();
        String later = word("acct");
        send(token, word("subj"), later, word("file"));
        assertThat(found(later)).as("the text of mail sent after the change").isEqualTo(1);
        assertThat(found(body)).as("mail sent before keeps its document").isZero();
    }

    @Test
    void aServerIndexesItsTextUnlessToldAndTheSearchPageSaysWhoseTextIsNotSearched() throws Exception {
        Api.Response indexed = admin.post("/api/postmark/servers", Map.of("name", "letters app"));
        assertThat(indexed.body().get("search_bodies").asBoolean()).isTrue();
        String body = word("acct");
        send(indexed.body().get("token").asString(), word("subj"), body, word("file"));
        assertThat(found(body)).isEqualTo(1);

        String quiet = "receipts " + word("app");
        admin.post("/api/postmark/servers", Map.of("name", quiet, "search_bodies", false));
        WebClient web = WebClient.signedIn(port, SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        String page = web.get("/mail/search?q=" + body).body();
        Api.Response answer = admin.get("/api/mail/search?q=" + body);
        assertThat(answer.body().at("/text_unsearched").toString()).contains(quiet).doesNotContain("letters app");
        assertThat(page).contains("id=\"search-text-unsearched\"").contains(quiet)
                .doesNotContain("letters app, ").contains("not by its text");
        assertThat(web.get("/mail/search?q=from%3Abilling%40postroom.test").body())
                .as("a search of operators only looks in no text").doesNotContain("search-text-unsearched");
    }

    @Test
    void aChangeWithoutItsValueOrOfAnotherServerIsRefusedAndChangesNothing() {
        Api.Response created = admin.post("/api/postmark/servers", Map.of("name", "refusals app"));
        long id = created.body().get("id").asLong();
        assertThat(created.body().get("search_bodies").asBoolean()).isTrue();

        Api.Response empty = admin.patch("/api/postmark/servers/" + id, Map.of());
        assertThat(empty.status()).as(empty.raw()).isBetween(400, 422);
        assertThat(empty.detail()).contains("search_bodies");
        Api.Response missing = admin.patch("/api/postmark/servers/999999999", Map.of("search_bodies", true));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(jdbc.sql("SELECT search_bodies FROM postmark_server WHERE id = ?").param(id)
                .query(Boolean.class).single()).isTrue();
    }
}
