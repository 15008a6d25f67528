package com.postroom.postmarkapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.outbound.Suppressions;
import com.postroom.sandbox.Sandbox;
import com.postroom.support.Inboxes;
import com.postroom.support.Api;
import com.postroom.support.SandboxTest;

/**
 * Postmark's API as the libraries that call it write their requests, each body shaped as that library's source builds
 * it: the official PHP client (every field present, empty strings, a ContentId that is the file's name), the Swift
 * Mailer and Symfony transports and the Ruby gem (every header of their message passed on, Message-ID and
 * Content-Transfer-Encoding included), and django-anymail (an inline image without a name; the inactive addresses read
 * back from the answer's text). Postmark takes all of these; so must Postroom.
 */
@SandboxTest
class PostmarkLibrariesTest {

    private static final String PDF = Base64.getEncoder().encodeToString("%PDF-1.4 statement".getBytes(
            StandardCharsets.US_ASCII));

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    Suppressions suppressions;
    @Autowired
    Sandbox sandbox;

    Api api;
    Map<String, String> auth;

    @BeforeEach
    void server() {
        Api admin = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        Api.Response created = admin.post("/api/postmark/servers", Map.of("name", "libraries",
                "senders", List.of("billing@postroom.test")));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        api = new Api(port);
        auth = Map.of("X-Postmark-Server-Token", created.body().get("token").asString(), "Accept",
                "application/json");
    }

    @Test
    void thePhpClientsEmptyFieldsAndAContentIdThatIsTheFilesName() throws Exception {
        // PostmarkClient::sendEmail and PostmarkAttachment::jsonSerialize (postmark-php 6): ContentId defaults to the
        // name, which may have spaces; Metadata an empty PHP array, so a JSON array.
        String body = """
                {"From":"billing@postroom.test","To":"pat@postroom.test","Cc":"","Bcc":"","Subject":"Statement",
                 "HtmlBody":"<p>Your statement is attached.</p>","TextBody":"Your statement is attached.","Tag":"",
                 "ReplyTo":"","Headers":[{"Name":"X-Account","Value":7}],"TrackOpens":false,"TrackLinks":"",
                 "Attachments":[{"Name":"Statement March.pdf","Content":"%s","ContentType":"application/pdf",
                 "ContentId":"Statement March.pdf"}],"Metadata":[],"MessageStream":"outbound"}
                """.formatted(PDF);
        Api.Response r = api.post("/email", body, auth);

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.body().get("ErrorCode").asInt()).isZero();
        MimeMessage m = queued(r);
        assertThat(m.getHeader("X-Account")[0]).isEqualTo("7");
        BodyPart file = part(m, "Statement March.pdf");
        // Nothing in the HTML shows it: an ordinary attachment, without a Content-ID to confuse mail clients.
        assertThat(file.getDisposition()).isEqualTo(Part.ATTACHMENT);
        assertThat(file.getHeader("Content-ID")).isNull();
        assertThat(new String(file.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).startsWith("%PDF");
    }

    @Test
    void thePhpClientsTemplatedMessageSendsTheIdItDidNotChooseAsZeroAndAnEmptyModelAsAnArray() throws Exception {
        String alias = "welcome-" + UUID.randomUUID().toString().substring(0, 6);
        Api.Response template = api.post("/templates", """
                {"Name":"Welcome","Alias":"%s","Subject":"Welcome{{#name}}, {{name}}{{/name}}","TextBody":"Hello."}
                """.formatted(alias), auth);
        assertThat(template.status()).as(template.raw()).isEqualTo(200);
        // TemplatedPostmarkMessage cast to an array: every property, the unchosen id 0, the empty model [].
        String byAlias = """
                {"TemplateId":0,"TemplateAlias":"%s","InlineCss":true,"TemplateModel":[],"From":"billing@postroom.test",
                 "To":"pat@postroom.test","Tag":"","TrackOpens":false,"ReplyTo":"","Cc":"","Bcc":"","TrackLinks":""}
                """.formatted(alias);
        Api.Response r = api.post("/email/withTemplate", byAlias, auth);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(queued(r).getSubject()).isEqualTo("Welcome");

        String byId = """
                {"TemplateId":%d,"TemplateAlias":"","TemplateModel":{"name":"Jane"},"From":"billing@postroom.test",
                 "To":"pat@postroom.test"}
                """.formatted(template.body().get("TemplateId").asLong());
        Api.Response r2 = api.post("/email/withTemplate", byId, auth);
        assertThat(r2.status()).as(r2.raw()).isEqualTo(200);
        assertThat(queued(r2).getSubject()).isEqualTo("Welcome, Jane");
    }

    @Test
    void everyHeaderOfTheLibrarysMessagePassedOnIsTakenAndPostroomWritesItsOwnStructure() throws Exception {
        // Swift Mailer's transport (Message-ID with X-PM-KeepID, Content-Transfer-Encoding, Return-Path), the Ruby
        // gem (MIME-Version), Symfony's (a Date that was set).
        String body = """
                {"From":"Billing <billing@postroom.test>","To":"pat@postroom.test","Subject":"Receipt",
                 "TextBody":"Paid in full.","Headers":[
                  {"Name":"Message-ID","Value":"<abc123@app.example>"},{"Name":"X-PM-KeepID","Value":"true"},
                  {"Name":"Content-Transfer-Encoding","Value":"quoted-printable"},
                  {"Name":"Return-Path","Value":"<bounces@app.example>"},{"Name":"Mime-Version","Value":"1.0"},
                  {"Name":"Date","Value":"Mon, 1 Jan 2001 00:00:00 +0000"},{"Name":"X-Mailer","Value":"app"}]}
                """;
        Api.Response r = api.post("/email", body, auth);

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        MimeMessage m = queued(r);
        assertThat(m.getHeader("X-Mailer")[0]).isEqualTo("app");
        assertThat(m.getHeader("Message-ID")).hasSize(1);
        assertThat(m.getMessageID()).isNotEqualTo("<abc123@app.example>");
        assertThat(m.getHeader("X-PM-KeepID")).isNull();
        assertThat(m.getHeader("Return-Path")).isNull();
        assertThat(m.getHeader("Date")[0]).doesNotContain("2001");
        assertThat(m.getContent().toString()).contains("Paid in full.");

        // Who the message is from and to is still the message's own fields' to say.
        Api.Response spoofed = api.post("/email", """
                {"From":"billing@postroom.test","To":"pat@postroom.test","Subject":"x","TextBody":"x",
                 "Headers":[{"Name":"From","Value":"ceo@bank.example"}]}
                """, auth);
        assertThat(spoofed.status()).isEqualTo(422);
        assertThat(spoofed.body().get("ErrorCode").asInt()).isEqualTo(300);
    }

    @Test
    void theRubyGemsAttachmentTypesCarryTheMailGemsParameters() throws Exception {
        // export_native_attachments: "ContentType" => attachment.content_type, with the Mail gem's charset and
        // filename parameters; an inline part's "ContentID" is its cid: URL.
        String body = """
                {"From":"billing@postroom.test","To":"pat@postroom.test","Subject":"Report",
                 "HtmlBody":"<p><img src=\\"cid:5f1a@mail.example\\"></p>","TextBody":"Report attached.",
                 "Headers":[{"Name":"Mime-Version","Value":"1.0"},{"Name":"Message-ID","Value":"<5f1b@mail.example>"}],
                 "Attachments":[
                  {"Name":"report.csv","Content":"YSxiCjEsMgo=","ContentType":"text/csv; charset=UTF-8; filename=report.csv"},
                  {"Name":"logo.png","Content":"iVBORw0KGgo=","ContentType":"image/png; filename=logo.png",
                   "ContentID":"cid:5f1a@mail.example"}]}
                """;
        Api.Response r = api.post("/email", body, auth);

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        MimeMessage m = queued(r);
        BodyPart csv = part(m, "report.csv");
        assertThat(csv.getContentType()).startsWith("text/csv");
        assertThat(new String(csv.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("a,b\n1,2\n");
        assertThat(part(m, "logo.png").getDisposition()).isEqualTo(Part.INLINE);
    }

    @Test
    void anInlineImageWithoutANameGoesUnderItsContentId() throws Exception {
        // django-anymail's make_attachment: "Name": attachment.name or "", "ContentID": "cid:" + the cid.
        String body = """
                {"From":"billing@postroom.test","To":"pat@postroom.test","Subject":"Logo",
                 "HtmlBody":"<p><IMG SRC=\\"CID:logo.1@app.example\\"> Billing</p>",
                 "Attachments":[{"Name":"","Content":"iVBORw0KGgo=","ContentType":"image/png",
                 "ContentID":"cid:logo.1@app.example"}]}
                """;
        Api.Response r = api.post("/email", body, auth);

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        BodyPart image = part(queued(r), "logo.1@app.example");
        assertThat(image.getDisposition()).isEqualTo(Part.INLINE);
        assertThat(image.getHeader("Content-ID")[0]).isEqualTo("<logo.1@app.example>");
    }

    @Test
    void aWebhookIsReadWithItsPropertyNamesInAnyCase() {
        Api.Response created = api.post("/webhooks", """
                {"url":"http://127.0.0.1:9/hooks","messageStream":"outbound","httpAuth":{"username":"u","password":"p"},
                 "httpHeaders":[{"name":"X-Key","value":"k"}],"triggers":{"delivery":{"enabled":true},
                 "bounce":{"Enabled":false}}}
                """, auth);
        assertThat(created.status()).as(created.raw()).isEqualTo(200);
        assertThat(created.body().get("Url").asString()).isEqualTo("http://127.0.0.1:9/hooks");
        assertThat(created.body().get("HttpAuth").get("Username").asString()).isEqualTo("u");
        assertThat(created.body().get("HttpHeaders").get(0).get("Name").asString()).isEqualTo("X-Key");
        assertThat(created.body().get("Triggers").get("Delivery").get("Enabled").asBoolean()).isTrue();
        assertThat(created.body().get("Triggers").get("Bounce").get("Enabled").asBoolean()).isFalse();
        assertThat(api.exchange("DELETE", "/webhooks/" + created.body().get("ID").asLong(), null, auth).status())
                .isEqualTo(200);
    }

    @Test
    void severalReplyToAddressesAsAnymailJoinsThem() throws Exception {
        // set_reply_to: ", ".join(...) of the message's reply_to list.
        Api.Response r = api.post("/email", """
                {"From":"billing@postroom.test","To":"pat@postroom.test","Subject":"Questions","TextBody":"x",
                 "ReplyTo":"billing-desk@postroom.test, \\"Roe, Jane\\" <jane@postroom.test>"}
                """, auth);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(queued(r).getReplyTo()).extracting(Object::toString)
                .containsExactly("billing-desk@postroom.test", "\"Roe, Jane\" <jane@postroom.test>");
        Api.Response bad = api.post("/email", """
                {"From":"billing@postroom.test","To":"pat@postroom.test","Subject":"x","TextBody":"x",
                 "ReplyTo":"billing-desk@postroom.test, nobody"}
                """, auth);
        assertThat(bad.status()).isEqualTo(422);
    }

    @Test
    void aMessageOverTenMegabytesIsA413AsAtPostmark() {
        byte[] file = new byte[11 * 1024 * 1024];
        new java.util.Random(7).nextBytes(file);
        String body = """
                {"From":"billing@postroom.test","To":"pat@postroom.test","Subject":"Scan","TextBody":"x",
                 "Attachments":[{"Name":"scan.tif","Content":"%s","ContentType":"image/tiff"}]}
                """.formatted(Base64.getEncoder().encodeToString(file));
        Api.Response r = api.post("/email", body, auth);
        assertThat(r.status()).as(r.raw()).isEqualTo(413);
        assertThat(r.body().get("ErrorCode").asInt()).isEqualTo(300);
    }

    @Test
    void whatPostroomDoesNotOfferIsSaidInPostmarksShapeNotWithTheLoginPage() {
        Api.Response stats = api.exchange("GET", "/stats/outbound?fromdate=2026-01-01", null, auth);
        assertThat(stats.status()).isEqualTo(404);
        assertThat(stats.body().get("Message").asString()).contains("does not offer GET /stats/outbound");
        assertThat(api.exchange("GET", "/messages/outbound/opens", null, auth).status()).isEqualTo(404);
        Api.Response anonymous = api.exchange("GET", "/stats/outbound", null, Map.of());
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.body().get("ErrorCode").asInt()).isEqualTo(10);
    }

    @Test
    void inactiveRecipientsAreLeftOutAndTheOthersGetTheMessageAsAtPostmark() throws Exception {
        String gone = "gone-" + UUID.randomUUID().toString().substring(0, 6) + "@postroom.test";
        long org = jdbc.sql("SELECT org_id FROM postmark_server ORDER BY id DESC LIMIT 1").query(Long.class).single();
        suppressions.add(org, gone, "hard bounce 5.1.1", "dsn");

        String subject = "Statement " + gone;
        Api.Response some = api.post("/email", """
                {"From":"billing@postroom.test","To":"pat@postroom.test, %s","Cc":"clerk@postroom.test",
                 "Subject":"%s","TextBody":"x"}
                """.formatted(gone.toUpperCase(), subject), auth);
        assertThat(some.status()).as(some.raw()).isEqualTo(200);
        assertThat(some.body().get("ErrorCode").asInt()).isZero();
        // django-anymail reads the inactive addresses back from this text with this expression.
        Matcher said = Pattern.compile("inactive addresses:\\s*(.*)\\.\\s*Inactive recipients", Pattern.MULTILINE)
                .matcher(some.body().get("Message").asString());
        assertThat(said.find()).as(some.raw()).isTrue();
        assertThat(said.group(1)).isEqualTo(gone);
        // Delivered to the other two (a copy in each one's mailbox), never to the inactive address.
        var greenMail = sandbox.server().orElseThrow().greenMail();
        await().atMost(Duration.ofSeconds(10)).until(() -> Inboxes.withSubjectContaining(greenMail, subject).size()
                == 2);
        assertThat(greenMail.getUserManager().getUserByEmail(gone)).isNull();

        // Every recipient inactive: refused, 406, as before.
        Api.Response none = api.post("/email", """
                {"From":"billing@postroom.test","To":"%s","Subject":"Statement","TextBody":"x"}
                """.formatted(gone), auth);
        assertThat(none.status()).isEqualTo(422);
        assertThat(none.body().get("ErrorCode").asInt()).isEqualTo(406);
        assertThat(none.body().get("Message").asString()).contains("Found inactive addresses: " + gone + ".");
    }

    private MimeMessage queued(Api.Response r) throws Exception {
        UUID id = UUID.fromString(r.body().get("MessageID").asString());
        byte[] mime = jdbc.sql("SELECT mime FROM outbox WHERE message_id = ?").param(id).query(byte[].class).single();
        return new MimeMessage(Session.getInstance(new java.util.Properties()), new ByteArrayInputStream(mime));
    }

    private static BodyPart part(Part p, String filename) throws Exception {
        if (p.getContent() instanceof Multipart mp) {
            for (int i = 0; i < mp.getCount(); i++) {
                BodyPart child = mp.getBodyPart(i);
                if (filename.equals(child.getFileName())) {
                    return child;
                }
                if (child.isMimeType("multipart/*")) {
                    BodyPart found = part(child, filename);
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }
}
