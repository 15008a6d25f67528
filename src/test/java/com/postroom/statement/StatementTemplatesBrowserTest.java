package com.postroom.statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.postroom.sandbox.Sandbox;
import com.postroom.support.Api;
import com.postroom.support.Browser;
import com.postroom.support.Inboxes;
import com.postroom.support.SandboxTest;

/**
 * A billing clerk's statement wording in Chromium: a kind edited in Mustachio with a preview, a mistake refused with
 * where it is (and the typed text kept), the next statement sent in the new words (values escaped in the HTML), and
 * back to the built-in wording.
 */
@SandboxTest
@ExtendWith({Browser.Condition.class, Browser.Screenshots.class})
class StatementTemplatesBrowserTest implements Browser.HasBrowser {

    static Browser browser;

    @LocalServerPort
    int port;
    @Autowired
    Sandbox sandbox;
    @Autowired
    StatementTemplates templates;
    @Autowired
    com.postroom.org.Organizations organizations;

    @BeforeEach
    void openBrowser() {
        if (browser == null) {
            browser = Browser.open(port);
            browser.signIn(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
            browser.find("h1");
        }
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    @Override
    public Browser browser() {
        return browser;
    }

    private static void type(WebElement field, String text) {
        field.clear();
        field.sendKeys(text);
    }

    @Test
    void aKindEditedInTheBrowserIsTheWordingOfTheNextStatementUntilItGoesBackToTheBuiltIn() throws Exception {
        long org = organizations.primary().orElseThrow().id();
        try {
            browser.go("/settings/statements");
            browser.waitForText("#statement-templates tr[data-kind=address_issue]", "Built-in");
            browser.clickAndWait(browser.find("#statement-templates tr[data-kind=address_issue] a"));
            assertThat(browser.find("#subject").getAttribute("value"))
                    .isEqualTo("Please Update Your Address - Statement #{{StatementNumber}}");
            browser.waitForText("#preview-subject", "Please Update Your Address - Statement #S-1042");

            type(browser.find("#subject"), "Address check {{StatementNumber}} for {{PatientName}}");
            type(browser.find("#html"), "<p>Hello {{PatientName}}, you owe ${{BalanceDue}}.</p>\n{{#charges}}<p>x");
            browser.clickAndWait(browser.find("#save"));
            browser.waitForText("[role=alert]", "line 2");
            assertThat(browser.find("[role=alert]").getText()).contains("column 1").contains("charges");
            assertThat(browser.find("#html").getAttribute("value")).contains("{{#charges}}<p>x");

            type(browser.find("#html"), "<p>Hello {{PatientName}}, you owe ${{BalanceDue}}.</p>\n{{{StatementDetails}}}");
            browser.clickAndWait(browser.find("#preview-button"));
            browser.waitForText("#preview-subject", "Address check S-1042 for Jordan Sample");
            assertThat(browser.find("#preview-html").getAttribute("srcdoc")).contains("Hello Jordan Sample, you owe "
                    + "$450.50.").contains("ALS emergency transport");
            browser.screenshot("ui-statement-template");
            browser.clickAndWait(browser.find("#save"));
            browser.waitForText("[role=status]", "Saved");
            browser.go("/settings/statements");
            browser.waitForText("#statement-templates tr[data-kind=address_issue]", "Edited");

            String number = "S-" + UUID.randomUUID().toString().substring(0, 6);
            MimeMessage sent = sendStatement(number);
            assertThat(sent.getSubject()).isEqualTo("Address check " + number + " for Ana <i>Ruiz</i>");
            Multipart alternative = (Multipart) ((Multipart) sent.getContent()).getBodyPart(0).getContent();
            assertThat((String) alternative.getBodyPart(1).getContent())
                    .contains("Hello Ana &lt;i&gt;Ruiz&lt;/i&gt;, you owe $450.50.").contains("Patient Statement");

            browser.go("/settings/statements/address_issue");
            browser.clickAndWait(browser.find("#reset"));
            browser.waitForText("[role=status]", "built-in wording again");
            String next = "S-" + UUID.randomUUID().toString().substring(0, 6);
            assertThat(sendStatement(next).getSubject()).isEqualTo("Please Update Your Address - Statement #" + next);
        } finally {
            templates.reset(org, "address_issue");
        }
    }

    @Test
    void anUnknownKindIsNotFound() {
        browser.go("/settings/statements/overdue_forever");
        browser.waitForText("main", "No statement kind");
    }

    private MimeMessage sendStatement(String number) {
        Api api = new Api(port).login(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        Api.Response r = api.post("/api/email/statements", Map.of("template", "address_issue",
                "to", "billing@postroom.test", "patient_name", "Ana <i>Ruiz</i>", "statement_number", number,
                "balance_due", "450.50", "charges", List.of(Map.of("service", "ALS emergency transport",
                        "date", "2026-10-12", "amount", 1250.5))));
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        var greenMail = sandbox.server().orElseThrow().greenMail();
        await().atMost(Duration.ofSeconds(10)).until(() -> !Inboxes.withSubjectContaining(greenMail, number).isEmpty());
        return Inboxes.withSubjectContaining(greenMail, number).get(0);
    }
}
