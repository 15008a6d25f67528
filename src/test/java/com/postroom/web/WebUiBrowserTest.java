package com.postroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.postroom.support.Browser;
import com.postroom.support.SandboxTest;

/** The web UI in Debian's Chromium: signing in and out, the dashboard, and the doctor's page. */
@SandboxTest
@ExtendWith({Browser.Condition.class, Browser.Screenshots.class})
class WebUiBrowserTest implements Browser.HasBrowser {

    static Browser browser;

    @LocalServerPort
    int port;

    @BeforeEach
    void openBrowser() {
        if (browser == null) {
            browser = Browser.open(port);
        }
        browser.driver.manage().deleteAllCookies();
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
    void signingInLandsOnTheDashboardAndSigningOutEndsTheSession() {
        browser.go("/dashboard");
        assertThat(browser.path()).startsWith("/login");
        browser.signIn(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        assertThat(browser.path()).as("back where the sign-in began").startsWith("/dashboard");
        assertThat(browser.find("h1").getText()).isEqualTo("Dashboard");
        assertThat(browser.driver.findElements(By.cssSelector(".cards .card"))).hasSize(8);
        // Gmail's figure to watch: mail marked as spam, with the bounces, over the last seven days.
        assertThat(browser.find(".cards").getText()).contains("Marked as spam, 7 days", "Bounced, 7 days", "sent");
        assertThat(browser.find("#receiving .badge").getText()).isEqualTo("Receiving");
        assertThat(browser.find("#sending .badge").getText()).isEqualTo("Sending");
        assertThat(browser.find(".who").getText()).isEqualTo(SandboxTest.ADMIN);

        browser.clickAndWait(".signout button");
        browser.waitForText("[role=status]", "You are signed out.");
        browser.go("/dashboard");
        assertThat(browser.path()).as("the session is gone").startsWith("/login");
    }

    @Test
    void aWrongPasswordSaysSoAndSignsNothingIn() {
        browser.signIn(SandboxTest.ADMIN, "not-the-password");
        browser.waitForText("[role=alert]", "Wrong email or password.");
        browser.go("/dashboard");
        assertThat(browser.path()).startsWith("/login");
    }

    @Test
    void theDoctorRunsFromItsPageAndShowsEveryCheck() {
        browser.signIn(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
        browser.find("h1");
        browser.go("/settings/deliverability");
        browser.find("#run-doctor").click();
        new WebDriverWait(browser.driver, Duration.ofSeconds(30))
                .until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#checks tr[data-check=spf]")));
        assertThat(browser.find("#report-title").getText()).contains("postroom.test");
        assertThat(browser.driver.findElements(By.cssSelector("#checks tr[data-check]")).size())
                .isGreaterThanOrEqualTo(10);
        assertThat(browser.driver.findElements(By.cssSelector("#history-title"))).hasSize(1);
        assertThat(browser.driver.manage().logs().get("browser").getAll())
                .as("no CSP violations or script errors").noneMatch(e -> e.getLevel().intValue() >= 1000);
    }
}
