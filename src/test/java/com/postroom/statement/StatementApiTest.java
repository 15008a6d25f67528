package com.postroom.statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.postroom.sandbox.Sandbox;
import com.postroom.support.Api;
import com.postroom.support.Inboxes;
import com.postroom.support.SandboxTest;

@SandboxTest
class StatementApiTest {

    @LocalServerPort
    int port;
    @Autowired
    Sandbox sandbox;

    @Test
    void everyTemplateKindRendersAndTheStatementGoesOutFromBillingWithItsPdf() throws Exception {
        Api api = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        for (String kind : Statement.KINDS) {
            String number = "S-" + UUID.randomUUID().toString().substring(0, 6);
            Api.Response r = api.post("/api/email/statements", Map.ofEntries(Map.entry("template", kind),
                    Map.entry("to", "billing@postroom.test"), Map.entry("patient_name", "John <b>Doe</b>"),
                    Map.entry("statement_number", number), Map.entry("statement_date", "2026-11-01"),
                    Map.entry("due_date", "2026-12-01"), Map.entry("service_date", "2026-10-12"),
                    Map.entry("charges", List.of(Map.of("service", "ALS emergency transport", "date", "2026-10-12",
                            "amount", 1250.5))),
                    Map.entry("total_charges", "1250.50"), Map.entry("insurance_paid", 800),
                    Map.entry("adjustments", 0), Map.entry("balance_due", "450.5"), Map.entry("payment_amount", 100),
                    Map.entry("remaining_balance", 350.5), Map.entry("company_phone", "+1 555 0100")));
            assertThat(r.status()).as(kind + ": " + r.raw()).isEqualTo(201);
            var greenMail = sandbox.server().orElseThrow().greenMail();
            await().atMost(Duration.ofSeconds(10)).until(() -> !Inboxes.withSubjectContaining(greenMail, number).isEmpty());
            MimeMessage m = Inboxes.withSubjectContaining(greenMail, number).get(0);
            assertThat(m.getFrom()[0].toString()).isEqualTo("billing@postroom.test");
            if (kind.endsWith("statement") || kind.endsWith("notice") || kind.equals("friendly_reminder")) {
                assertThat(m.getSubject()).isEqualTo("Statement #" + number + " - Balance Due: $450.50");
            }
            Multipart mixed = (Multipart) m.getContent();
            BodyPart pdf = mixed.getBodyPart(1);
            assertThat(pdf.getDisposition()).isEqualTo(Part.ATTACHMENT);
            assertThat(pdf.getFileName()).isEqualTo("statement-" + number + ".pdf");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            pdf.getDataHandler().writeTo(bytes);
            assertThat(new String(bytes.toByteArray(), 0, 5)).isEqualTo("%PDF-");
            Multipart alternative = (Multipart) mixed.getBodyPart(0).getContent();
            String html = (String) alternative.getBodyPart(1).getContent();
            String text = (String) alternative.getBodyPart(0).getContent();
            assertThat(html).contains("John &lt;b&gt;Doe&lt;/b&gt;").contains("$1250.50").contains("Patient Statement");
            assertThat(text).contains("Balance due:    $450.50").contains("ALS emergency transport");
        }
    }

    @Test
    void anUnknownTemplateIsRefused() {
        Api api = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        Api.Response r = api.post("/api/email/statements", Map.of("template", "threat_letter", "to", "a@example.com",
                "patient_name", "x", "statement_number", "1", "balance_due", 1));
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.detail()).contains("initial_statement");
    }

    /** RFC 8058 one-click, as Gmail's Unsubscribe button does it: a POST with that body, no cookies, no token. */
    @Test
    void oneClickUnsubscribeStopsStatementsToThatAddressAndNothingElse() throws Exception {
        Api api = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        String patient = "patient-" + UUID.randomUUID().toString().substring(0, 6) + "@postroom.test";
        String number = "U-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, Object> statement = Map.of("to", patient, "patient_name", "Jane Roe", "statement_number", number,
                "balance_due", "12.00");
        assertThat(api.post("/api/email/statements", statement).status()).isEqualTo(201);
        var greenMail = sandbox.server().orElseThrow().greenMail();
        await().atMost(Duration.ofSeconds(10)).until(() -> !Inboxes.withSubjectContaining(greenMail, number).isEmpty());
        MimeMessage m = Inboxes.withSubjectContaining(greenMail, number).get(0);
        String list = m.getHeader("List-Unsubscribe", ",");
        assertThat(list).matches("<https://mail\\.postroom\\.test/unsubscribe/[A-Za-z0-9_-]{32}>");
        assertThat(list).doesNotContain("patient"); // the address is never in the URL
        assertThat(m.getHeader("List-Unsubscribe-Post", ",")).isEqualTo("List-Unsubscribe=One-Click");
        String path = list.substring(list.indexOf("/unsubscribe/"), list.length() - 1);

        // The doctor finds the latest statement ready for bulk sending.
        Api.Response report = api.get("/api/email/deliverability");
        assertThat(report.status()).isEqualTo(200);
        var bulk = java.util.stream.StreamSupport.stream(report.body().get("report").get("checks").spliterator(), false)
                .filter(c -> c.get("id").asString().equals("bulk")).findFirst().orElseThrow();
        assertThat(bulk.get("status").asString()).as(bulk.toString()).isEqualTo("OK");

        // Opening the link (a mail scanner does) unsubscribes no one: it shows a button.
        Api anonymous = new Api(port);
        Api.Response page = anonymous.exchange("GET", path, null, Map.of("Accept", "text/html"));
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.raw()).contains("Stop <span>statements</span> emails to <strong>p***@postroom.test</strong>");
        assertThat(api.post("/api/email/statements", statement).status()).isEqualTo(201);

        java.net.http.HttpResponse<String> click = oneClick(path);
        assertThat(click.statusCode()).isEqualTo(200);
        assertThat(click.body()).contains("gets no more");
        assertThat(click.headers().firstValue("Set-Cookie")).isEmpty();
        // Twice is the same as once.
        assertThat(oneClick(path).statusCode()).isEqualTo(200);

        Api.Response refused = api.post("/api/email/statements", statement);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.detail()).contains("unsubscribed from statements");
        // Other mail to the same person still goes: the suppression is for the statements stream only.
        assertThat(api.post("/api/email/send", Map.of("recipients", List.of(patient), "subject", "About your call",
                "body_plain", "We called you back.")).status()).isEqualTo(201);
        Api.Response suppressions = api.get("/api/email/suppressions");
        assertThat(suppressions.raw()).contains(patient).contains("\"stream\":\"statements\"");

        assertThat(oneClick("/unsubscribe/" + "x".repeat(32)).statusCode()).isEqualTo(404);
    }

    private java.net.http.HttpResponse<String> oneClick(String path) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }
}
