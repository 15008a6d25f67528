package com.postroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.sandbox.Sandbox;
import com.postroom.support.Browser;
import com.postroom.support.MailboxFixture;
import com.postroom.support.SandboxTest;

/** Settings in Chromium: users and roles, API tokens shown once and revoked, a mailbox added after a test login. */
@SandboxTest
@ExtendWith({Browser.Condition.class, Browser.Screenshots.class})
class SettingsBrowserTest implements Browser.HasBrowser {

    static Browser browser;

    @LocalServerPort
    int port;
    @Autowired
    Sandbox sandbox;
    @Autowired
    JdbcClient jdbc;

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

    @Test
    void anAdminAddsAUserWhoSignsInWithTheirRole() {
        String email = "clerk-" + System.nanoTime() + "@postroom.test";
        browser.go("/settings");
        browser.find("#new-email").sendKeys(email);
        browser.find("#new-password").sendKeys("a-long-clerk-password");
        browser.driver.findElements(By.cssSelector("form[aria-label='Add a user'] input[value=billing]")).get(0)
                .click();
        browser.clickAndWait("form[aria-label='Add a user'] button");
        browser.waitForText("[role=status]", email + " can now sign in.");
        WebElement row = browser.find("tr[data-user='" + email + "']");
        assertThat(row.findElement(By.cssSelector("input[value=billing]")).isSelected()).isTrue();
        assertThat(row.findElement(By.cssSelector("input[value=admin]")).isSelected()).isFalse();

        // Taking one's own admin role is refused, with the reason.
        WebElement me = browser.find("tr[data-user='" + SandboxTest.ADMIN + "']");
        me.findElement(By.cssSelector("input[value=admin]")).click();
        browser.clickAndWait(me.findElement(By.cssSelector("button")));
        browser.waitForText("main [role=alert]", "cannot take the admin role from yourself");
    }

    /** The label manager: create, rename and colour, hide from the sidebar, delete. */
    @Test
    void labelsAreCreatedRenamedColouredHiddenAndDeleted() {
        String name = "Appeals " + MailboxFixture.word();
        browser.go("/settings");
        browser.find("#label-name").sendKeys(name);
        browser.clickAndWait("form[aria-label='Create a label'] button");
        browser.waitForText("[role=status]", "Label " + name + " created.");
        WebElement row = browser.find("tr[data-label='" + name + "']");
        WebElement field = row.findElement(By.cssSelector("input[name=name]"));
        field.clear();
        field.sendKeys(name + " 2026");
        browser.driver.executeScript("arguments[0].value = '#cf222e';", row.findElement(By.cssSelector("input[type=color]")));
        row.findElement(By.cssSelector("input[name=shown]")).click(); // hide from the sidebar
        browser.clickAndWait(row.findElement(By.xpath(".//button[text()='Save']")));
        browser.waitForText("[role=status]", "Label " + name + " 2026 saved.");
        assertThat(jdbc.sql("SELECT color || ' ' || hidden FROM email_label WHERE name = ?").param(name + " 2026")
                .query(String.class).single()).isEqualTo("#cf222e true");

        browser.go("/mail/inbox");
        assertThat(browser.find(".sidebar").getText()).doesNotContain(name);
        assertThat(browser.driver.findElements(By.cssSelector("#label-as-list option")).stream()
                .map(WebElement::getText)).as("still offered by Label as").contains(name + " 2026");

        browser.go("/settings");
        WebElement saved = browser.find("tr[data-label='" + name + " 2026']");
        saved.findElement(By.cssSelector("input[name=shown]")).click(); // shown again
        browser.clickAndWait(saved.findElement(By.xpath(".//button[text()='Save']")));
        browser.go("/mail/inbox");
        assertThat(browser.find(".sidebar").getText()).contains(name + " 2026");

        browser.go("/settings");
        browser.changeAndWait(() -> {
            browser.find("tr[data-label='" + name + " 2026'] form.inline button").click();
            browser.driver.switchTo().alert().accept();
        });
        browser.waitForText("[role=status]", "deleted; its mail is where it was.");
        assertThat(browser.driver.findElements(By.cssSelector("tr[data-label='" + name + " 2026']"))).isEmpty();
    }

    @Test
    void aTokenIsShownOnceAndCanBeRevoked() {
        String name = "ci-" + System.nanoTime();
        browser.go("/settings");
        browser.find("#token-name").sendKeys(name);
        browser.clickAndWait("form[aria-label='Make a token'] button");
        browser.waitForText("#new-token pre", "pr_");
        assertThat(browser.find("#new-token pre").getText()).matches("pr_[A-Za-z0-9_-]{43}");
        browser.go("/settings");
        assertThat(browser.driver.findElements(By.id("new-token"))).as("shown once").isEmpty();
        browser.clickAndWait("tr[data-token='" + name + "'] button");
        browser.waitForText("tr[data-token='" + name + "']", "revoked");
    }

    @Test
    void aPostmarkServerTokenIsShownOnceAndAWebhookEventThatFailedIsSentAgain() {
        String name = "app-" + System.nanoTime();
        browser.go("/settings");
        browser.find("#postmark-name").sendKeys(name);
        browser.find("#postmark-senders").sendKeys("billing@postroom.test, postroom.test");
        browser.clickAndWait("form[aria-label='Make a Postmark server'] button");
        browser.waitForText("#new-postmark-server pre", "-");
        String token = browser.find("#new-postmark-server pre").getText();
        assertThat(token).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(browser.find("tr[data-server='" + name + "']").getText())
                .contains("billing@postroom.test, postroom.test").contains(token.substring(token.length() - 4));
        // Its mail's text is searched (the box was ticked) until the admin stops it (migration 42).
        assertThat(browser.find("tr[data-server='" + name + "'] form.search-bodies").getText()).contains("yes");
        browser.clickAndWait("tr[data-server='" + name + "'] form.search-bodies button");
        browser.waitForText("tr[data-server='" + name + "'] form.search-bodies", "no");
        assertThat(jdbc.sql("SELECT search_bodies FROM postmark_server WHERE name = ?").param(name)
                .query(Boolean.class).single()).isFalse();

        long server = jdbc.sql("SELECT id FROM postmark_server WHERE name = ?").param(name).query(Long.class).single();
        long org = jdbc.sql("SELECT org_id FROM postmark_server WHERE id = ?").param(server).query(Long.class).single();
        long webhook = jdbc.sql("INSERT INTO postmark_webhook (org_id, server_id, url, delivery) VALUES (?, ?, "
                + "'http://127.0.0.1:9/postmark', true) RETURNING id").params(org, server)
                .query(Long.class).single();
        long event = jdbc.sql("INSERT INTO webhook_delivery (webhook_id, org_id, record_type, source_key, payload, "
                + "status, attempts, last_error) VALUES (?, ?, 'Delivery', 'test', '{}', 'failed', 10, "
                + "'the handler answered HTTP 500') RETURNING id").params(webhook, org).query(Long.class).single();
        browser.go("/settings");
        assertThat(browser.find("tr[data-event='" + event + "']").getText()).contains("127.0.0.1")
                .contains("given up").contains("HTTP 500");
        browser.clickAndWait("tr[data-event='" + event + "'] button");
        assertThat(jdbc.sql("SELECT status FROM webhook_delivery WHERE id = ?").param(event).query(String.class)
                .single()).isIn("pending", "failed");
        assertThat(jdbc.sql("SELECT attempts FROM webhook_delivery WHERE id = ?").param(event).query(Integer.class)
                .single()).isLessThanOrEqualTo(1);
        jdbc.sql("DELETE FROM postmark_webhook WHERE id = ?").param(webhook).update();

        browser.go("/settings");
        browser.clickAndWait("tr[data-server='" + name + "'] form.revoke button");
        browser.waitForText("tr[data-server='" + name + "']", "revoked");
    }

    @Test
    void aMailboxIsAddedAfterItsLoginWorksAndRemovedAgain() {
        var greenMail = sandbox.server().orElseThrow().greenMail();
        String user = "settings-" + System.nanoTime() + "@postroom.test";
        greenMail.setUser(user, user, MailboxFixture.PASSWORD);
        browser.go("/settings");
        browser.find("#mb-host").sendKeys("127.0.0.1");
        browser.find("#mb-port").sendKeys(String.valueOf(greenMail.getImap().getPort()));
        browser.driver.findElement(By.cssSelector("#mb-tls option[value=none]")).click();
        browser.find("#mb-user").sendKeys(user);
        browser.find("#mb-password").sendKeys("wrong-password");
        browser.clickAndWait("form[aria-label='Add a mailbox'] button");
        // The page again with the reason above the forms and what was typed still there, except the password.
        browser.waitForText("main [role=alert]", "Could not log in");
        assertThat(browser.find("#mb-host").getAttribute("value")).isEqualTo("127.0.0.1");
        assertThat(browser.find("#mb-user").getAttribute("value")).isEqualTo(user);
        assertThat(browser.find("#mb-tls").getAttribute("value")).isEqualTo("none");
        assertThat(browser.find("#mb-password").getAttribute("value")).isEmpty();
        assertThat(browser.driver.getPageSource()).doesNotContain("wrong-password");

        browser.find("#mb-password").sendKeys(MailboxFixture.PASSWORD);
        browser.clickAndWait("form[aria-label='Add a mailbox'] button");
        browser.waitForText("[role=status]", "is now synced");
        long id = jdbc.sql("SELECT id FROM mailbox WHERE username = ?").param(user).query(Long.class).single();
        browser.clickAndWait("tr[data-mailbox='" + id + "'] button");
        browser.waitForText("[role=status]", "no longer synced");
        assertThat(jdbc.sql("SELECT count(*) FROM mailbox WHERE username = ?").param(user).query(Long.class).single())
                .isZero();
    }
}
