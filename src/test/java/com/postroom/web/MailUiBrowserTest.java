package com.postroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.postroom.inbound.InboundSync;
import com.postroom.inbound.Mailboxes;
import com.postroom.org.Organizations;
import com.postroom.sandbox.Sandbox;
import com.postroom.support.Browser;
import com.postroom.support.MailboxFixture;
import com.postroom.support.SandboxTest;
import com.postroom.support.TestMail;

/**
 * The mailbox in Debian's Chromium: reading, keyboard navigation, archive and star, bulk changes, search, labels, and
 * hostile mail that must run nothing and load nothing from anywhere.
 */
@SandboxTest
@ExtendWith({Browser.Condition.class, Browser.Screenshots.class})
class MailUiBrowserTest implements Browser.HasBrowser {

    static Browser browser;
    static ServerSocket listener;
    static final AtomicInteger CONNECTIONS = new AtomicInteger();

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

    MailboxFixture box;

    @BeforeEach
    void setUp() throws IOException {
        if (browser == null) {
            browser = Browser.open(port);
            browser.signIn(SandboxTest.ADMIN, SandboxTest.ADMIN_PASSWORD);
            browser.find("h1");
            // Anything hostile mail manages to load from "outside" arrives here.
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (Socket s = listener.accept()) {
                        CONNECTIONS.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "exfiltration-listener");
            t.setDaemon(true);
            t.start();
        }
        box = new MailboxFixture(sandbox.server().orElseThrow().greenMail(), mailboxes, inbound, jdbc,
                organizations.primary().orElseThrow().id());
    }

    @AfterAll
    static void closeBrowser() throws IOException {
        if (browser != null) {
            browser.close();
            browser = null;
        }
        if (listener != null) {
            listener.close();
        }
    }

    @Override
    public Browser browser() {
        return browser;
    }

    private WebElement row(String subject) {
        return browser.waitFor(".rows .row:has(.subject)").findElements(By.xpath("//li[contains(@class,'row')]"))
                .stream().filter(r -> r.getText().contains(subject)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + subject));
    }

    /** Whether a row shows the subject; false while the list is being swapped by a live update. */
    private boolean listed(String subject) {
        try {
            return browser.driver.findElements(By.cssSelector(".rows .row")).stream()
                    .anyMatch(r -> r.getText().contains(subject));
        } catch (org.openqa.selenium.StaleElementReferenceException swapped) {
            return false;
        }
    }

    private void keys(CharSequence... keys) {
        new Actions(browser.driver).sendKeys(keys).perform();
    }

    /**
     * A clerk's triage of 300 conversations, all in place: star the 120th, archive three below it, undo. The list keeps
     * every loaded page, its scroll position and the cursor; nothing reloads.
     */
    @Test
    void triageOfThreeHundredKeepsThePlace() {
        String word = MailboxFixture.word();
        TestMail[] mails = new TestMail[300];
        for (int i = 0; i < mails.length; i++) {
            mails[i] = TestMail.message().subject("Triage " + i + " " + word);
        }
        box.deliver(mails);
        browser.go("/mail/inbox");
        browser.find(".rows .row");
        var js = (org.openqa.selenium.JavascriptExecutor) browser.driver;
        // Scroll until every page is loaded (50 a page, as the list scrolls).
        new WebDriverWait(browser.driver, Duration.ofSeconds(60)).until(d -> {
            js.executeScript("var m = document.querySelector('.rows .more'); if (m) { m.scrollIntoView(); }");
            return ((Number) js.executeScript("return document.querySelectorAll('.rows .row').length")).intValue()
                    >= 300 && d.findElements(By.cssSelector(".rows .more[hx-get]")).isEmpty()
                    || ((Number) js.executeScript("return document.querySelectorAll('.rows .row').length")).intValue() >= 320;
        });
        WebElement page = browser.driver.findElement(By.tagName("html"));
        List<WebElement> ours = browser.driver.findElements(By.cssSelector(".rows .row")).stream()
                .filter(r -> r.getText().contains(word)).toList();
        assertThat(ours).hasSizeGreaterThanOrEqualTo(130);
        WebElement row120 = ours.get(119);
        js.executeScript("arguments[0].scrollIntoView({block: 'center'});"
                + "document.querySelectorAll('.rows .row.current').forEach(function (r) { r.classList.remove('current'); });"
                + "arguments[0].classList.add('current');", row120);
        long loaded = browser.driver.findElements(By.cssSelector(".rows .row")).size();
        assertThat(((Number) js.executeScript("return window.scrollY")).intValue()).isGreaterThan(1000);
        // Where the starred row is on the screen: the place the clerk is looking at.
        String place = "return Math.round(document.getElementById(arguments[0]).getBoundingClientRect().top)";
        Number shownAt = (Number) js.executeScript(place, row120.getAttribute("id"));

        String starred = row120.getAttribute("id");
        WebElement star = row120.findElement(By.cssSelector("button.star"));
        // Clicked and read in one script: what shows before the server's answer can be swapped in.
        browser.changeAndWait(() -> assertThat(js.executeScript("arguments[0].click(); return arguments[0].textContent;",
                star)).as("at once, before the server answers").isEqualTo("★"));
        assertThat(browser.driver.findElement(By.id(starred)).findElement(By.cssSelector("button.star"))
                .getAttribute("aria-pressed")).isEqualTo("true");
        assertThat(jdbc.sql("SELECT bool_and(flagged) FROM email_message WHERE thread_id = ?::uuid")
                .param(starred.substring(4)).query(Boolean.class).single()).isTrue();

        List<String> archived = new java.util.ArrayList<>();
        for (int i = 120; i < 123; i++) {
            WebElement r = browser.driver.findElements(By.cssSelector(".rows .row")).stream()
                    .filter(x -> x.getText().contains(word)).toList().get(i);
            archived.add(r.getAttribute("id"));
            r.findElement(By.cssSelector("input[type=checkbox]")).click();
        }
        browser.changeAndWait(() -> keys("e"));
        assertThat(browser.find("#toast").getText()).contains("3 conversations archived.");
        assertThat(browser.driver.findElements(By.cssSelector(".rows .row"))).hasSize((int) loaded - 3);
        assertThat(archived).allMatch(id -> browser.driver.findElements(By.id(id)).isEmpty());
        assertThat((Number) js.executeScript(place, starred)).isEqualTo(shownAt);
        assertThat(browser.find(".rows .row.current").getAttribute("id")).isEqualTo(starred);

        browser.changeAndWait(() -> keys("z"));
        assertThat(browser.find("#toast").getText()).contains("3 conversations moved to the inbox.");
        assertThat(browser.driver.findElements(By.cssSelector(".rows .row"))).hasSize((int) loaded);
        List<String> order = browser.driver.findElements(By.cssSelector(".rows .row")).stream()
                .map(r -> r.getAttribute("id")).toList();
        int at = order.indexOf(starred);
        assertThat(order.subList(at + 1, at + 4)).as("back where they were").containsExactlyElementsOf(archived);
        assertThat((Number) js.executeScript(place, starred)).isEqualTo(shownAt);
        assertThat(browser.driver.findElement(By.tagName("html"))).as("never reloaded").isEqualTo(page);
    }

    /** Opening fills the reading pane without touching the list; the browser's Back and Forward go between them. */
    @Test
    void openingAConversationKeepsTheListAndBackReturnsToIt() {
        String word = MailboxFixture.word();
        box.deliver(TestMail.message().subject("Pane one " + word).text("First."),
                TestMail.message().subject("Pane two " + word).text("Second."));
        browser.go("/mail/inbox");
        WebElement page = browser.driver.findElement(By.tagName("html"));
        WebElement list = browser.find("#rows");
        WebElement row = row("Pane one " + word);
        String id = row.getAttribute("id");
        browser.clickAndWait(row.findElement(By.cssSelector("a.row-link")));
        assertThat(browser.find(".thread-subject").getText()).isEqualTo("Pane one " + word);
        assertThat(browser.path()).isEqualTo("/mail/inbox/" + id.substring(4));
        assertThat(browser.driver.findElement(By.tagName("html"))).as("not reloaded").isEqualTo(page);
        assertThat(list.isDisplayed()).as("the same list, not rendered again").isTrue();
        assertThat(browser.driver.findElement(By.id(id)).getAttribute("class")).contains("open")
                .doesNotContain("unread");

        browser.changeAndWait(() -> browser.driver.navigate().back());
        assertThat(browser.path()).isEqualTo("/mail/inbox");
        assertThat(browser.driver.findElements(By.cssSelector(".read-pane:not([hidden])"))).isEmpty();
        browser.changeAndWait(() -> browser.driver.navigate().forward());
        assertThat(browser.find(".thread-subject").getText()).isEqualTo("Pane one " + word);
        assertThat(browser.driver.findElement(By.tagName("html"))).isEqualTo(page);

        // Archived from the open conversation: the pane closes, the row leaves, the address is the list's again.
        browser.changeAndWait(() -> keys("e"));
        assertThat(browser.driver.findElements(By.cssSelector(".read-pane:not([hidden])"))).isEmpty();
        assertThat(browser.driver.findElements(By.id(id))).isEmpty();
        assertThat(browser.path()).isEqualTo("/mail/inbox");
        assertThat(browser.find("body").getAttribute("class")).doesNotContain("reading");
        assertThat(browser.find("#toast").getText()).contains("1 conversation archived.");
        assertThat(browser.driver.findElement(By.tagName("html"))).isEqualTo(page);
    }

    /**
     * New mail while the list is open, without a reload: a new conversation comes in on top, and a conversation with a
     * new message moves on top, bold again with its new count, as Gmail moves it.
     */
    @Test
    void newMailComesInOnTopWithoutAReload() throws InterruptedException {
        String word = MailboxFixture.word();
        TestMail older = TestMail.message().subject("Older " + word).text("First.");
        box.deliver(older);
        Thread.sleep(1100); // arrival times have whole seconds: each message its own
        box.deliver(TestMail.message().subject("Newer " + word).text("Second."));
        browser.go("/mail/inbox");
        browser.waitFor("body[data-live-ready]");
        WebElement page = browser.driver.findElement(By.tagName("html"));
        var js = (org.openqa.selenium.JavascriptExecutor) browser.driver;
        // Our three conversations as the list shows them, top first.
        String order = "var w = arguments[0]; return Array.prototype.map.call(document.querySelectorAll('.rows .row'),"
                + " function (r) { return r.textContent; }).filter(function (t) { return t.indexOf(w) >= 0; })"
                + ".map(function (t) { return /Brand new/.test(t) ? 'new' : /Newer/.test(t) ? 'newer' : 'older'; })";
        assertThat(js.executeScript(order, word)).isEqualTo(List.of("newer", "older"));

        Thread.sleep(1100);
        box.deliver(TestMail.message().subject("Re: Older " + word).inReplyTo(older.messageId()).text("Reply."));
        Thread.sleep(1100);
        box.deliver(TestMail.message().subject("Brand new " + word).text("Third."));
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> {
            try {
                return List.of("new", "older", "newer").equals(js.executeScript(order, word));
            } catch (org.openqa.selenium.StaleElementReferenceException swapped) {
                return false;
            }
        });
        WebElement moved = row("Older " + word);
        assertThat(moved.getAttribute("class")).contains("unread");
        assertThat(moved.findElement(By.cssSelector(".who")).getText()).endsWith("(2)");
        assertThat(browser.driver.findElement(By.tagName("html"))).as("not reloaded").isEqualTo(page);
    }

    @Test
    void readingAConversationMarksItReadAndShowsItsMessages() {
        String word = MailboxFixture.word();
        box.deliver(TestMail.message().subject("Run report " + word).text("Crew 12 logged 4 runs. See https://example.org/runs?day=1 for details."));
        browser.go("/mail/inbox");
        WebElement row = row("Run report " + word);
        assertThat(row.getAttribute("class")).contains("unread");
        browser.clickAndWait(row.findElement(By.cssSelector("a.row-link")));
        assertThat(browser.find(".thread-subject").getText()).isEqualTo("Run report " + word);
        assertThat(browser.find("pre.plain").getText()).contains("Crew 12 logged 4 runs.");
        WebElement link = browser.find("pre.plain a");
        assertThat(link.getAttribute("href")).isEqualTo("https://example.org/runs?day=1");
        assertThat(link.getAttribute("rel")).isEqualTo("noopener noreferrer");
        assertThat(link.getAttribute("target")).isEqualTo("_blank");
        browser.clickAndWait(".back");
        assertThat(row("Run report " + word).getAttribute("class")).doesNotContain("unread");
    }

    @Test
    void theKeyboardMovesOpensArchivesAndStars() {
        String word = MailboxFixture.word();
        box.deliver(TestMail.message().subject("Key one " + word), TestMail.message().subject("Key two " + word));
        browser.go("/mail/inbox");
        browser.find(".rows .row");
        keys("j");
        keys("j");
        keys("k");
        WebElement current = browser.find(".rows .row.current");
        String subject = current.findElement(By.cssSelector(".subject")).getText();
        keys("o");
        assertThat(browser.find(".thread-subject").getText()).isEqualTo(subject);
        keys("u");
        browser.find(".rows .row");
        assertThat(browser.driver.findElements(By.cssSelector(".read-pane:not([hidden])"))).isEmpty();

        // x selects the current row, e archives the selection.
        browser.go("/mail/inbox");
        WebElement first = browser.find(".rows .row");
        String archived = first.findElement(By.cssSelector(".subject")).getText();
        keys("j");
        keys("x");
        keys("e");
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> !listed(archived));
        browser.go("/mail/archive");
        assertThat(listed(archived)).isTrue();

        browser.go("/mail/inbox");
        browser.find(".rows .row");
        keys("j");
        keys("s");
        browser.go("/mail/starred");
        assertThat(browser.driver.findElements(By.cssSelector(".rows .row"))).isNotEmpty();

        keys("?");
        assertThat(browser.find("#help").isDisplayed()).isTrue();
        keys(Keys.ESCAPE);
        assertThat(browser.driver.findElement(By.id("help")).isDisplayed()).isFalse();
    }

    /**
     * A clerk's triage: three archived, a sentence with Undo, z brings them back; e with nothing selected and no row
     * under the cursor does nothing (it was a 422 page); in Trash, Delete asks, then deletes forever.
     */
    @Test
    void changesSayWhatHappenedAndUndoBringsThemBack() {
        String word = MailboxFixture.word();
        List<String> subjects = List.of("Triage a " + word, "Triage b " + word, "Triage c " + word);
        box.deliver(subjects.stream().map(s -> TestMail.message().subject(s)).toArray(TestMail[]::new));
        browser.go("/mail/inbox");
        browser.find(".rows .row");
        keys("e"); // no row under the cursor, nothing checked
        assertThat(browser.driver.findElements(By.cssSelector(".list-toolbar h1"))).as("still the list").hasSize(1);
        assertThat(subjects).allMatch(this::listed);

        for (String s : subjects) {
            row(s).findElement(By.cssSelector("input[type=checkbox]")).click();
        }
        browser.clickAndWait("button[value=archive]");
        assertThat(browser.find(".notice-bar[role=status]:not(#new-mail)").getText()).contains("3 conversations archived.");
        assertThat(subjects).noneMatch(this::listed);
        browser.changeAndWait(() -> keys("z"));
        assertThat(browser.find(".notice-bar[role=status]:not(#new-mail)").getText()).contains("3 conversations moved to the inbox.");
        assertThat(subjects).allMatch(this::listed);

        row(subjects.get(0)).findElement(By.cssSelector("input[type=checkbox]")).click();
        browser.clickAndWait("button[value=trash]");
        browser.go("/mail/trash");
        row(subjects.get(0)).findElement(By.cssSelector("input[type=checkbox]")).click();
        browser.find("button[value=delete_forever]").click();
        browser.driver.switchTo().alert().dismiss(); // asked first; no
        assertThat(listed(subjects.get(0))).isTrue();
        browser.changeAndWait(() -> {
            browser.find("button[value=delete_forever]").click();
            browser.driver.switchTo().alert().accept();
        });
        // The demo organization keeps ops mail for 730 days: the notice says so and the conversation stays.
        assertThat(browser.find(".notice-bar[role=status]:not(#new-mail)").getText())
                .startsWith("Not deleted: Retention for ops mail is 730 days");
        assertThat(listed(subjects.get(0))).isTrue();
    }

    /** The dashboard drives work: a row that needs a response opens its conversation. */
    @Test
    void theDashboardsRowsOpenTheirConversations() {
        String subject = "Question about my bill " + MailboxFixture.word();
        UUID id = box.deliver(TestMail.message().from("Pat Patient <pat@patients.example>").subject(subject)
                .text("Why was I charged twice?")).get(0);
        browser.go("/dashboard");
        WebElement page = browser.driver.findElement(By.tagName("html"));
        browser.driver.findElement(By.linkText(subject)).click();
        browser.waitUntilGone(page);
        assertThat(browser.path()).isEqualTo("/mail/inbox/" + box.threadOf(id));
        assertThat(browser.find(".thread-subject").getText()).isEqualTo(subject);
    }

    /** "Label as" and "Move to" in the list's toolbar, reached with l and v. */
    @Test
    void labelAsAndMoveToFromTheToolbar() {
        String subject = "Organize " + MailboxFixture.word();
        box.deliver(TestMail.message().subject(subject));
        browser.go("/mail/inbox");
        assertThat(browser.driver.findElements(By.cssSelector("select[aria-label='Label as']")))
                .as("the toolbar's, and not the fragment's definition as well").hasSize(1);
        row(subject).findElement(By.cssSelector("input[type=checkbox]")).click();
        keys("l");
        assertThat(browser.driver.switchTo().activeElement().getAttribute("id")).isEqualTo("label-as-list");
        new org.openqa.selenium.support.ui.Select(browser.find("#label-as-list")).selectByValue("legal");
        browser.clickAndWait("button[value=add_label]");
        assertThat(browser.find(".notice-bar[role=status]:not(#new-mail)").getText())
                .contains("1 conversation labelled legal.");
        assertThat(row(subject).getText()).contains("Legal");

        assertThat(row(subject).findElement(By.cssSelector("input[type=checkbox]")).isSelected())
                .as("still selected after the change, as in Gmail").isTrue();
        new org.openqa.selenium.support.ui.Select(browser.find("#move-to-list")).selectByValue("archive");
        browser.clickAndWait("#bulk button[value=move]");
        assertThat(browser.find(".notice-bar[role=status]:not(#new-mail)").getText())
                .contains("1 conversation archived.");
        assertThat(listed(subject)).isFalse();
        browser.go("/mail/archive");
        assertThat(listed(subject)).isTrue();
    }

    /** An open conversation's labels are chips with ×: removing one updates its row in place. */
    @Test
    void aLabelChipRemovesItsLabel() {
        String subject = "Chip " + MailboxFixture.word();
        box.deliver(TestMail.message().subject(subject));
        browser.go("/mail/inbox");
        row(subject).findElement(By.cssSelector("input[type=checkbox]")).click();
        new org.openqa.selenium.support.ui.Select(browser.find("#label-as-list")).selectByValue("legal");
        browser.clickAndWait("button[value=add_label]");
        browser.clickAndWait(row(subject).findElement(By.cssSelector("a.row-link")));
        WebElement remove = browser.find(".label-chips button[aria-label='Remove the label Legal']");
        browser.changeAndWait(remove::click);
        assertThat(browser.driver.findElements(By.cssSelector(".label-chips button[aria-label='Remove the label Legal']"))
                .stream().filter(WebElement::isDisplayed).toList()).isEmpty();
        assertThat(row(subject).getText()).doesNotContain("Legal");
        assertThat(browser.find("#toast").getText()).contains("Label legal removed from 1 conversation.");
    }

    /** A long conversation folds its read middle; j in an open conversation opens the next one. */
    @Test
    void longConversationsFoldAndJOpensTheNextConversation() {
        String word = MailboxFixture.word();
        box.deliver(TestMail.message().subject("Next conversation " + word)); // older: below the long one
        List<TestMail> mails = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            TestMail m = TestMail.message().subject((i == 0 ? "" : "Re: ") + "Long thread " + word)
                    .messageId("<long-" + i + "-" + word + "@example.org>").text("Message number " + i)
                    .date("Tue, 24 Nov 2026 09:0" + i + ":00 +0000");
            if (i > 0) {
                m.inReplyTo("<long-" + (i - 1) + "-" + word + "@example.org>");
            }
            mails.add(m);
        }
        List<UUID> ids = box.deliver(mails.toArray(TestMail[]::new));
        jdbc.sql("UPDATE email_message SET seen = true WHERE id = ANY(?)")
                .param(ids.subList(0, 5).toArray(UUID[]::new)).update();
        browser.go("/mail/inbox/" + box.threadOf(ids.get(0)));
        WebElement unfold = browser.find("button.unfold");
        assertThat(unfold.getText()).isEqualTo("3 older messages");
        assertThat(browser.driver.findElements(By.cssSelector(".message")).stream().filter(WebElement::isDisplayed)
                .count()).isEqualTo(3);
        unfold.click();
        assertThat(browser.driver.findElements(By.cssSelector(".message")).stream().filter(WebElement::isDisplayed)
                .count()).isEqualTo(6);

        String before = browser.path();
        keys("j");
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> !browser.path().equals(before));
        assertThat(browser.path()).startsWith("/mail/inbox/");
        assertThat(browser.find(".thread-subject").getText()).isNotEqualTo("Long thread " + word);
    }

    /** A reply's quoted history is behind "…", and its snippet in the list is the reply's own words. */
    @Test
    void quotedHistoryIsFoldedBehindAnEllipsis() {
        String word = MailboxFixture.word();
        UUID id = box.deliver(TestMail.message().subject("Re: Balance " + word).text("Paid today, thanks.\n\n"
                + "On Mon, Nov 23, 2026 at 9:00 Billing <billing@postroom.test> wrote:\n> Your balance is $120.\n"))
                .get(0);
        browser.go("/mail/inbox");
        assertThat(row("Re: Balance " + word).getText()).contains("Paid today, thanks.")
                .doesNotContain("Your balance");
        browser.go("/mail/inbox/" + box.threadOf(id));
        WebElement quoted = browser.find("details.quoted");
        assertThat(quoted.findElement(By.cssSelector("pre")).isDisplayed()).isFalse();
        quoted.findElement(By.tagName("summary")).click();
        assertThat(quoted.getText()).contains("> Your balance is $120.");
    }

    /** A draft closed right after typing is saved on the way out; Discard removes it. */
    @Test
    void aDraftClosedAtOnceIsKeptAndDiscardRemovesIt() {
        String subject = "Quick note " + MailboxFixture.word();
        browser.go("/mail/compose");
        browser.find("#to").sendKeys("billing@postroom.test");
        browser.find("#subject").sendKeys(subject);
        browser.clickAndWait(browser.driver.findElement(By.linkText("Close"))); // well within the 3 s autosave
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> jdbc.sql("SELECT count(*) FROM "
                + "email_message WHERE subject = ? AND status = 'draft' AND deleted_at IS NULL").param(subject)
                .query(Long.class).single() == 1);
        browser.go("/mail/drafts");
        // A draft opens straight in the composer, with Discard.
        browser.clickAndWait(row(subject).findElement(By.cssSelector("a.row-link")));
        assertThat(browser.find("#subject").getAttribute("value")).isEqualTo(subject);
        browser.find("button[formaction]").click();
        browser.driver.switchTo().alert().accept();
        browser.waitForText(".notice-bar[role=status]:not(#new-mail)", "Draft discarded.");
        assertThat(listed(subject)).isFalse();
    }

    /** g then a letter goes to a folder; Ctrl+Enter sends from the composer. */
    @Test
    void goToShortcutsAndControlEnterSends() {
        browser.go("/mail/inbox");
        browser.find(".list-toolbar h1");
        WebElement page = browser.driver.findElement(By.tagName("html"));
        keys("g", "t");
        browser.waitUntilGone(page);
        assertThat(browser.path()).isEqualTo("/mail/sent");
        page = browser.driver.findElement(By.tagName("html"));
        keys("g", "d");
        browser.waitUntilGone(page);
        assertThat(browser.path()).isEqualTo("/mail/drafts");

        String subject = "Ctrl enter " + MailboxFixture.word();
        browser.go("/mail/compose");
        browser.find("#to").sendKeys("billing@postroom.test");
        browser.find("#subject").sendKeys(subject);
        page = browser.driver.findElement(By.tagName("html"));
        browser.find("#editor").sendKeys("Sent with the keyboard.", Keys.chord(Keys.CONTROL, Keys.ENTER));
        browser.waitUntilGone(page);
        assertThat(browser.path()).startsWith("/mail/sent");
        new WebDriverWait(browser.driver, Duration.ofSeconds(20)).until(d -> com.postroom.support.Inboxes
                .withSubjectContaining(sandbox.server().orElseThrow().greenMail(), subject).size() == 1);
    }

    /** The reply box under the last message sends a reply in the thread, quoting it. */
    @Test
    void theReplyBoxUnderAConversationSendsAReply() {
        String word = MailboxFixture.word();
        UUID id = box.deliver(TestMail.message().from("Dana Dispatch <dana@example.org>")
                .subject("Crew change " + word).text("Can crew 4 start at 7?")).get(0);
        browser.go("/mail/inbox/" + box.threadOf(id));
        browser.find("#quick-reply").sendKeys("Yes, 7 works.");
        browser.clickAndWait(".quick-reply button");
        new WebDriverWait(browser.driver, Duration.ofSeconds(20)).until(d -> com.postroom.support.Inboxes
                .withSubjectContaining(sandbox.server().orElseThrow().greenMail(), "Re: Crew change " + word).size() == 1);
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE thread_id = ? AND direction = 'outbound' "
                + "AND body_plain LIKE 'Yes, 7 works.%> Can crew 4 start at 7?%'").param(box.threadOf(id))
                .query(Long.class).single()).isEqualTo(1);
    }

    /** Search results are conversations like the inbox: one row each, selectable, starrable, archived in bulk. */
    @Test
    void searchResultsWorkLikeTheInbox() {
        String word = MailboxFixture.word();
        box.deliver(TestMail.message().subject("Claim " + word + " one").messageId("<c1-" + word + "@x.org>"),
                TestMail.message().subject("Re: Claim " + word + " one").messageId("<c2-" + word + "@x.org>")
                        .inReplyTo("<c1-" + word + "@x.org>").date("Tue, 24 Nov 2026 10:00:00 +0000"),
                TestMail.message().subject("Claim " + word + " two"));
        browser.go("/mail/search?q=" + word);
        assertThat(browser.driver.findElements(By.cssSelector(".rows .row"))).as("one row per conversation")
                .hasSize(2);
        assertThat(browser.find(".range").getText()).isEqualTo("1–3 of 3");
        for (WebElement box : browser.driver.findElements(By.cssSelector(".rows .row input[type=checkbox]"))) {
            box.click();
        }
        browser.clickAndWait("#bulk-search button[value=archive]");
        assertThat(browser.find(".notice-bar[role=status]:not(#new-mail)").getText())
                .contains("2 conversations archived.");
        assertThat(browser.path()).isEqualTo("/mail/search?q=" + word);
        browser.clickAndWait(".rows .row button.star");
        assertThat(browser.find(".rows .row button.star").getText()).isEqualTo("★");
        // In place as in the inbox: the ticks stay, unread is marked, and a deleted conversation leaves the results.
        WebElement page = browser.driver.findElement(By.tagName("html"));
        browser.clickAndWait("#bulk-search button[value=unread]");
        assertThat(browser.driver.findElements(By.cssSelector(".rows .row.unread"))).hasSize(2);
        browser.driver.findElements(By.cssSelector(".rows .row")).get(1)
                .findElement(By.cssSelector("input[type=checkbox]")).click(); // untick the second
        browser.clickAndWait("#bulk-search button[value=trash]");
        assertThat(browser.driver.findElements(By.cssSelector(".rows .row"))).hasSize(1);
        assertThat(browser.driver.findElement(By.tagName("html"))).as("never reloaded").isEqualTo(page);
        browser.clickAndWait(browser.driver.findElement(By.linkText("Most relevant first")));
        assertThat(browser.driver.findElements(By.cssSelector(".rows .row"))).hasSize(1);

        browser.find("#q").click(); // suggestions load when the box is first used
        new WebDriverWait(browser.driver, Duration.ofSeconds(5)).until(d -> !d.findElements(
                By.cssSelector("#search-suggestions option[value='label:legal']")).isEmpty());
        assertThat(browser.driver.findElements(By.cssSelector("#search-suggestions option[value^='from:']")))
                .isNotEmpty();
    }

    @Test
    void bulkActionsSearchAndLabels() {
        String word = MailboxFixture.word();
        List<UUID> ids = box.deliver(TestMail.message().subject("Bulk a " + word),
                TestMail.message().subject("Bulk b " + word).text("the quarterly " + word + " statement"));
        jdbc.sql("INSERT INTO email_label (org_id, name, slug) VALUES (?, 'Billing', 'billing') ON CONFLICT DO NOTHING")
                .param(organizations.primary().orElseThrow().id()).update();
        long labelId = jdbc.sql("SELECT id FROM email_label WHERE org_id = ? AND slug = 'billing'")
                .param(organizations.primary().orElseThrow().id()).query(Long.class).single();
        jdbc.sql("INSERT INTO email_message_label (message_id, label_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .params(ids.get(0), labelId).update();

        browser.go("/mail/inbox");
        for (String s : List.of("Bulk a " + word, "Bulk b " + word)) {
            row(s).findElement(By.cssSelector("input[type=checkbox]")).click();
        }
        browser.clickAndWait("button[value=read]");
        assertThat(row("Bulk a " + word).getAttribute("class")).doesNotContain("unread");
        assertThat(row("Bulk b " + word).getAttribute("class")).doesNotContain("unread");

        WebElement page = browser.driver.findElement(By.tagName("html"));
        browser.find("#q").sendKeys("statement " + word + Keys.ENTER);
        browser.waitUntilGone(page);
        WebElement hit = browser.find(".rows .row");
        assertThat(hit.getText()).contains("Bulk b " + word);
        assertThat(hit.findElements(By.tagName("mark"))).isNotEmpty();

        browser.go("/mail/inbox");
        browser.clickAndWait(browser.driver.findElements(By.cssSelector(".sidebar a")).stream()
                .filter(a -> a.getText().startsWith("Billing")).findFirst().orElseThrow());
        assertThat(browser.find(".list-toolbar h1").getText()).isEqualTo("Billing");
        // System labels that the page shows another way (paperclip, Spam folder, search) are not listed as labels.
        assertThat(browser.driver.findElements(By.cssSelector(".sidebar-title + ul a")).stream()
                .map(WebElement::getText).toList()).noneMatch(t -> t.startsWith("Attachments") || t.startsWith("Ocr")
                        || t.startsWith("Spam")).anyMatch(t -> t.startsWith("Billing"));
        assertThat(listed("Bulk a " + word)).isTrue();
        assertThat(listed("Bulk b " + word)).isFalse();
    }

    @Test
    void hostileMailRunsNothingAndLoadsNothing() {
        String word = MailboxFixture.word();
        String out = "http://127.0.0.1:" + listener.getLocalPort();
        List<String> hostile = List.of(
                "<script>top.pwned=1</script><p>script tag</p>",
                "<img src=x onerror=\"top.pwned=2\"><body onload=\"top.pwned=3\">handlers",
                "<a href=\"javascript:top.pwned=4\">click</a><a href=\"vbscript:msgbox(1)\">vb</a>"
                        + "<a href=\"data:text/html,<script>top.pwned=5</script>\">data</a>",
                "<svg><script>top.pwned=6</script><animate onbegin=\"top.pwned=7\" attributeName=x dur=1s/>"
                        + "<a><animate attributeName=href values=\"javascript:top.pwned=8\"/><text>svg</text></a></svg>",
                "<div style=\"background:url(" + out + "/bg)\">bg</div><style>@import url(" + out + "/import);"
                        + "p{background:url(" + out + "/css)}</style><p style=\"--x:url(" + out + "/var);"
                        + "background:var(--x)\">var</p><svg><rect fill=\"url(" + out + "/fill#a)\"/></svg>",
                "<img src=\"" + out + "/pixel.gif\"><link rel=stylesheet href=\"" + out + "/sheet.css\">"
                        + "<base href=\"" + out + "/\"><meta http-equiv=refresh content=\"0;url=" + out + "/meta\">",
                "<noscript><p title=\"</noscript><img src=x onerror=top.pwned=9>\"></noscript>"
                        + "<math><mtext><table><mglyph><style><img src=x onerror=top.pwned=10>",
                "<form action=\"" + out + "/form\"><input name=a><button>send</button></form>"
                        + "<iframe src=\"" + out + "/frame\"></iframe><object data=\"" + out + "/obj\"></object>",
                "<img src=\"data:image/svg+xml;base64,"
                        + java.util.Base64.getEncoder().encodeToString(("<svg xmlns='http://www.w3.org/2000/svg' "
                        + "onload='top.pwned=13'><image href='" + out + "/svgimg'/></svg>").getBytes()) + "\">"
                        + "<img src=\"cid:nothing@here\" onerror=\"top.pwned=14\">");
        for (int i = 0; i < hostile.size(); i++) {
            TestMail mail = TestMail.message().subject("Hostile " + i + " " + word).text("plain part")
                    .html("<html><body>" + hostile.get(i) + "</body></html>");
            if (i == 0) {
                mail.attach("<img src=x onerror=top.pwned=11>.pdf", "application/pdf", new byte[] {1, 2, 3}, null)
                        .attach("evil.html", "text/html", "<script>top.pwned=12</script>".getBytes(), null);
            }
            UUID id = box.deliver(mail).get(0);
            UUID thread = box.threadOf(id);
            browser.go("/mail/inbox/" + thread);
            browser.find(".thread-subject");
            // A mail whose HTML was nothing but what the sanitiser removes shows its plain part instead.
            new WebDriverWait(browser.driver, Duration.ofSeconds(5)).until(ExpectedConditions
                    .presenceOfElementLocated(By.cssSelector("iframe.body-frame, .message pre.plain")));
            sleepQuietly(300); // let the frame load whatever it would load
            assertThat(browser.driver.executeScript("return window.pwned === undefined")).as("mail " + i)
                    .isEqualTo(true);
            for (WebElement frame : browser.driver.findElements(By.cssSelector("iframe.body-frame"))) {
                assertThat(frame.getAttribute("sandbox")).as("no allow-scripts (the page measures it: same origin)")
                        .isEqualTo("allow-same-origin allow-popups allow-popups-to-escape-sandbox");
            }
        }
        // The file name is text, the HTML attachment a download.
        UUID first = jdbc.sql("SELECT thread_id FROM email_message WHERE subject = ?").param("Hostile 0 " + word)
                .query(UUID.class).single();
        browser.go("/mail/inbox/" + first);
        assertThat(browser.find(".attachments").getText()).contains("<img src=x onerror=top.pwned=11>.pdf");
        assertThat(browser.driver.findElements(By.cssSelector(".attachments a[download]"))).hasSize(2);
        assertThat(browser.driver.executeScript("return window.pwned === undefined")).isEqualTo(true);
        assertThat(CONNECTIONS.get()).as("requests that hostile mail made to the outside").isZero();

        // The listener does hear a request when one is allowed: "show images" on the mail with a remote pixel.
        UUID pixel = jdbc.sql("SELECT thread_id FROM email_message WHERE subject = ?").param("Hostile 5 " + word)
                .query(UUID.class).single();
        browser.go("/mail/inbox/" + pixel);
        browser.find(".blocked a").click();
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> CONNECTIONS.get() > 0);
    }

    /** A message forwarded as an attachment opens on its own page; hostile HTML in it is as harmless as in a message. */
    @Test
    void anAttachedMessageOpensFromTheConversationAndRunsNothing() {
        String word = MailboxFixture.word();
        String out = "http://127.0.0.1:" + listener.getLocalPort();
        String inner = "From: Pat Doe <pat@clinic.example>\r\nTo: billing@clinic.example\r\nSubject: Original claim "
                + word + "\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Claim " + word
                + " is attached.</p><script>top.pwned=21</script><img src=x onerror=\"top.pwned=22\">"
                + "<img src=\"" + out + "/attached.gif\">\r\n";
        UUID id = box.deliver(TestMail.message().subject("FW: claim " + word).text("See the attached claim.")
                .attach("Original claim.eml", "message/rfc822", inner.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        null)).get(0);
        int before = CONNECTIONS.get();
        browser.go("/mail/inbox/" + box.threadOf(id));
        WebElement open = browser.find("a.open-attached");
        assertThat(open.getAttribute("target")).isEqualTo("_blank");
        browser.go(java.net.URI.create(open.getAttribute("href")).getPath()); // its tab, here in this one
        assertThat(browser.find("h1").getText()).isEqualTo("Original claim " + word);
        assertThat(browser.find(".headers").getText()).contains("Pat Doe", "billing@clinic.example");
        browser.driver.switchTo().frame(browser.find("iframe.body-frame"));
        assertThat(browser.driver.findElement(By.tagName("body")).getText()).contains("Claim " + word + " is attached.");
        browser.driver.switchTo().defaultContent();
        sleepQuietly(300); // let the frame load whatever it would load
        browser.screenshot("attached-message");
        assertThat(browser.driver.executeScript("return window.pwned === undefined")).isEqualTo(true);
        assertThat(CONNECTIONS.get()).as("requests to the outside").isEqualTo(before);
        assertThat(browser.find(".blocked").getText()).contains("Remote images are hidden");
    }

    /** A link in HTML mail opens in a new tab (the frame's sandbox had no allow-popups: a click did nothing). */
    @Test
    void aLinkInHtmlMailOpensInANewTab() {
        String word = MailboxFixture.word();
        UUID id = box.deliver(TestMail.message().subject("Portal " + word).text("plain")
                .html("<p>Pay at <a href=\"http://127.0.0.1:9/pay\">the portal</a></p>")).get(0);
        browser.go("/mail/inbox/" + box.threadOf(id));
        String main = browser.driver.getWindowHandle();
        int before = browser.driver.getWindowHandles().size();
        browser.driver.switchTo().frame(browser.find("iframe.body-frame"));
        WebElement link = browser.driver.findElement(By.linkText("the portal"));
        assertThat(link.getAttribute("rel")).contains("noopener", "noreferrer");
        link.click();
        browser.driver.switchTo().window(main);
        new WebDriverWait(browser.driver, Duration.ofSeconds(5))
                .until(d -> d.getWindowHandles().size() == before + 1);
        for (String handle : browser.driver.getWindowHandles()) {
            if (!handle.equals(main)) {
                browser.driver.switchTo().window(handle).close();
            }
        }
        browser.driver.switchTo().window(main);
    }

    /**
     * A file dropped on the composer belongs to the draft at once: Close, reopen from Drafts, and it is there;
     * unticking it removes it from the draft.
     */
    @Test
    void aDroppedFileStaysWithTheDraftUntilRemoved() {
        String subject = "Dropped " + MailboxFixture.word();
        browser.go("/mail/compose");
        browser.find("#subject").sendKeys(subject);
        browser.driver.executeScript("var dt = new DataTransfer();"
                + "dt.items.add(new File(['claim 4411, mileage 12'], 'claim-4411.txt', {type: 'text/plain'}));"
                + "document.querySelector('form.compose-form').dispatchEvent(new DragEvent('drop', {dataTransfer: dt,"
                + " bubbles: true, cancelable: true}));");
        browser.waitForText("#draft-files", "claim-4411.txt");
        browser.clickAndWait("a[data-close-compose]");
        UUID draft = jdbc.sql("SELECT id FROM email_message WHERE subject = ? AND status = 'draft' AND deleted_at IS NULL")
                .param(subject).query(UUID.class).single();
        browser.go("/mail/compose?draft=" + draft);
        WebElement kept = browser.find("#draft-files input[name=forward_attachment]");
        assertThat(kept.isSelected()).isTrue();
        assertThat(browser.find("#draft-files").getText()).contains("claim-4411.txt");
        kept.click();
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> jdbc.sql(
                "SELECT count(*) FROM email_attachment WHERE message_id = ?").param(draft).query(Long.class).single() == 0);
        assertThat(browser.driver.findElements(By.cssSelector("#draft-files label"))).isEmpty();
    }

    /**
     * Compose is a window over the mailbox: the list stays; Esc minimises it and the bar brings it back with what was
     * typed; Ctrl+Enter sends and the whole page goes to Sent with Undo.
     */
    @Test
    void composeOpensAsAWindowOverTheList() {
        String subject = "Window " + MailboxFixture.word();
        browser.go("/mail/inbox");
        WebElement list = browser.find("#rows");
        keys("c");
        WebElement frame = browser.find("#composer iframe");
        assertThat(list.isDisplayed()).as("the list stays beside the composer").isTrue();
        browser.driver.switchTo().frame(frame);
        try {
            browser.find("#to").sendKeys("billing@postroom.test");
            browser.find("#subject").sendKeys(subject);
            browser.find("#editor").sendKeys("Written in the window.");
            new Actions(browser.driver).sendKeys(Keys.ESCAPE).perform();
        } finally {
            browser.driver.switchTo().defaultContent();
        }
        new WebDriverWait(browser.driver, Duration.ofSeconds(5)).until(d -> !frame.isDisplayed());
        assertThat(browser.find("#composer .composer-title").isDisplayed()).isTrue();
        browser.find("#composer .composer-title").click();
        new WebDriverWait(browser.driver, Duration.ofSeconds(5)).until(d -> frame.isDisplayed());
        browser.driver.switchTo().frame(frame);
        WebElement page = browser.driver.findElement(By.tagName("html"));
        try {
            assertThat(browser.find("#subject").getAttribute("value")).isEqualTo(subject);
            browser.find("#editor").sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER));
        } finally {
            browser.driver.switchTo().defaultContent();
        }
        new WebDriverWait(browser.driver, Duration.ofSeconds(20)).until(d -> browser.path().startsWith("/mail/sent"));
        assertThat(browser.find("#undo").isDisplayed()).isTrue();
        new WebDriverWait(browser.driver, Duration.ofSeconds(20)).until(d -> com.postroom.support.Inboxes
                .withSubjectContaining(sandbox.server().orElseThrow().greenMail(), subject).size() == 1);
    }

    /** The pictures in docs/ui.md: the main screens at 1440 px and 390 px (target/screenshots/ui-*.png). */
    @Test
    void screensForTheDocs() {
        String word = MailboxFixture.word();
        List<UUID> ids = box.deliver(
                TestMail.message().from("Dana Reyes <dana.reyes@county.example>").subject("Denied claim 4411, mileage")
                        .text("Hello,\n\nThe county denied claim 4411: the mileage on the run sheet does not match the "
                                + "odometer log. Could you send the corrected sheet by Friday?\n\nDana"),
                TestMail.message().from("Crew 12 <crew12@county.example>").subject("Run sheets for Tuesday " + word)
                        .text("Four runs, sheets attached.").attach("run-sheets.pdf", "application/pdf",
                                "%PDF-1.4 run sheets".getBytes(), null),
                TestMail.message().from("Billing office <billing@county.example>").subject("Statement run done")
                        .text("The December statements went out: 212 patients."));
        org.openqa.selenium.Dimension before = browser.driver.manage().window().getSize();
        try {
            browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1440, 900));
            browser.go("/mail/inbox/" + box.threadOf(ids.get(0)));
            browser.find(".thread-subject");
            browser.screenshot("ui-inbox-1440");
            browser.go("/mail/inbox");
            keys("c");
            WebElement frame = browser.find("#composer iframe");
            browser.driver.switchTo().frame(frame);
            try {
                browser.find("#to").sendKeys("dana.reyes@county.example");
                browser.find("#subject").sendKeys("Corrected run sheet, claim 4411");
                browser.find("#editor").sendKeys("Dana, the corrected sheet is attached.");
            } finally {
                browser.driver.switchTo().defaultContent();
            }
            browser.screenshot("ui-compose-1440");
            browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
            browser.go("/mail/inbox");
            browser.find(".rows .row");
            browser.screenshot("ui-inbox-390");
            browser.go("/mail/inbox/" + box.threadOf(ids.get(0)));
            browser.find(".thread-subject");
            browser.screenshot("ui-conversation-390");
        } finally {
            browser.driver.manage().window().setSize(before);
        }
    }

    /** A file too large for mail is refused when chosen, before any upload, in words a clerk understands. */
    @Test
    void aFileTooLargeForMailIsRefusedWhenChosen() throws Exception {
        java.nio.file.Path big = java.nio.file.Files.createTempFile("scan", ".pdf");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(9L * 1024 * 1024); // sparse: nothing is written, the browser reads its size
        }
        try {
            browser.go("/mail/compose");
            browser.find("#files").sendKeys(big.toString());
            WebElement problem = browser.waitFor("#files-problem");
            new WebDriverWait(browser.driver, Duration.ofSeconds(5)).until(d -> problem.isDisplayed());
            assertThat(problem.getText()).startsWith("This file is 9.0 MB; mail can carry at most")
                    .doesNotContain("MAIL_MAX");
            assertThat(browser.find("#files").getAttribute("value")).as("nothing left to upload").isEmpty();
        } finally {
            java.nio.file.Files.deleteIfExists(big);
        }
    }

    /** Scheduled send: a preset, a button that says so, a Scheduled folder (not Sent) and Cancel send. */
    @Test
    void scheduledMailWaitsInScheduledAndCanBeCancelled() {
        String subject = "Reminder " + MailboxFixture.word();
        browser.go("/mail/compose");
        browser.find("#to").sendKeys("billing@postroom.test");
        browser.find("#subject").sendKeys(subject);
        browser.find("#editor").sendKeys("Your statement is due.");
        browser.find("details.schedule summary").click();
        browser.find("[data-schedule-preset=tomorrow]").click();
        assertThat(browser.find("#send").getText()).isEqualTo("Schedule send");
        WebElement page = browser.driver.findElement(By.tagName("html"));
        browser.find("#send").click();
        browser.waitUntilGone(page);
        assertThat(browser.path()).startsWith("/mail/scheduled");
        assertThat(listed(subject)).isTrue();
        browser.go("/mail/sent");
        assertThat(listed(subject)).as("Sent shows only what was sent").isFalse();

        browser.go("/mail/scheduled");
        browser.clickAndWait(row(subject).findElement(By.cssSelector("a.row-link")));
        assertThat(browser.find("form.scheduled").getText()).contains("Scheduled for");
        browser.clickAndWait("form.scheduled button");
        browser.waitForText("main [role=status]", "Sending cancelled");
        browser.go("/mail/drafts");
        assertThat(listed(subject)).isTrue();
        assertThat(com.postroom.support.Inboxes.withSubjectContaining(sandbox.server().orElseThrow().greenMail(),
                subject)).isEmpty();
    }

    @Test
    void composeWithAnAttachmentUndoThenSendGoesOutOnce() throws Exception {
        String subject = "Compose " + MailboxFixture.word();
        java.nio.file.Path file = java.nio.file.Files.createTempFile("run-sheet", ".txt");
        java.nio.file.Files.writeString(file, "crew 12, 4 runs");
        browser.go("/mail/compose");
        browser.find("#to").sendKeys("billing@postroom.test");
        browser.find("#subject").sendKeys(subject);
        WebElement editor = browser.find("#editor");
        editor.sendKeys("The run sheet is ");
        editor.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "b"));
        editor.sendKeys("attached");
        editor.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "b"));
        editor.sendKeys(".", org.openqa.selenium.Keys.ENTER);
        browser.find(".format-bar [data-format=insertUnorderedList]").click();
        // Typed where the caret is (WebElement.sendKeys would move it).
        new org.openqa.selenium.interactions.Actions(browser.driver).sendKeys("crew 12").perform();
        browser.find("#files").sendKeys(file.toString());
        // Uploaded into the draft as soon as it was chosen, and listed with it.
        browser.waitForText("#draft-files", "run-sheet");
        assertThat(jdbc.sql("SELECT count(*) FROM email_attachment a JOIN email_message m ON m.id = a.message_id "
                + "WHERE m.subject = ? AND m.status = 'draft'").param(subject).query(Long.class).single()).isEqualTo(1);
        browser.find("#send").click();
        browser.find("#undo").click();
        browser.waitForText("main [role=status]", "Sending cancelled");
        assertThat(browser.find("#subject").getAttribute("value")).isEqualTo(subject);
        sleepQuietly(3000); // past the undo window: nothing may have gone out
        assertThat(com.postroom.support.Inboxes.withSubjectContaining(sandbox.server().orElseThrow().greenMail(),
                subject)).isEmpty();

        // The editor has what was typed, no blank lines or indentation added; the text part has the list item on its
        // own line.
        assertThat((String) browser.driver.executeScript("return document.getElementById('editor').innerHTML"))
                .doesNotContain("\n").contains("<b>attached</b>").contains("<li>crew 12</li>");
        assertThat(browser.driver.findElement(By.id("body")).getAttribute("value"))
                .isEqualTo("The run sheet is attached.\n- crew 12");
        // The file came back with the draft, ticked: sent again without choosing it again.
        WebElement kept = browser.find("fieldset.forwarded input[name=forward_attachment]");
        assertThat(kept.isSelected()).isTrue();
        assertThat(browser.find("fieldset.forwarded").getText()).contains("run-sheet");
        browser.find("#send").click();
        browser.waitForText(".notice-bar [data-pending]", "Sending");
        new WebDriverWait(browser.driver, Duration.ofSeconds(20)).until(d -> com.postroom.support.Inboxes
                .withSubjectContaining(sandbox.server().orElseThrow().greenMail(), subject).size() == 1);
        var sent = com.postroom.support.Inboxes.withSubjectContaining(sandbox.server().orElseThrow().greenMail(),
                subject).get(0);
        assertThat(sent.getContentType()).startsWith("multipart/mixed");
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        sent.writeTo(raw);
        assertThat(raw.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("run-sheet")
                .as("formatting goes out as HTML beside the plain text").contains("multipart/alternative")
                .contains("<b>attached</b>").contains("<li>crew 12</li>").contains("The run sheet is attached.")
                .contains("- crew 12");
        sleepQuietly(1500);
        assertThat(com.postroom.support.Inboxes.withSubjectContaining(sandbox.server().orElseThrow().greenMail(),
                subject)).as("once").hasSize(1);
    }

    @Test
    void replyingFromAConversationStaysInItsThread() {
        String word = MailboxFixture.word();
        TestMail original = TestMail.message().from("Dana Dispatch <dana@example.org>").subject("Shift swap " + word);
        UUID thread = box.threadOf(box.deliver(original).get(0));
        browser.go("/mail/inbox/" + thread);
        browser.find(".thread-subject");
        keys("r");
        assertThat(browser.find("#to").getAttribute("value")).isEqualTo("dana@example.org");
        assertThat(browser.find("#subject").getAttribute("value")).isEqualTo("Re: Shift swap " + word);
        assertThat(browser.find("#editor").getText()).contains("> Hello there.");
        browser.find("#send").click();
        browser.find(".notice-bar[data-until]");
        new WebDriverWait(browser.driver, Duration.ofSeconds(20)).until(d -> com.postroom.support.Inboxes
                .withSubjectContaining(sandbox.server().orElseThrow().greenMail(), "Re: Shift swap " + word).size() == 1);
        assertThat(jdbc.sql("SELECT count(*) FROM email_message WHERE thread_id = ?").param(thread)
                .query(Long.class).single()).isEqualTo(2);
    }

    @Test
    void aForwardCarriesTheAttachmentsThatStayTicked() throws Exception {
        String word = MailboxFixture.word();
        UUID id = box.deliver(TestMail.message().subject("Claim " + word).text("See the claim.")
                .attach("claim-" + word + ".pdf", "application/pdf", "%PDF-1.4 claim".getBytes(), null)
                .attach("photo-" + word + ".png", "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G'}, null)).get(0);
        browser.go("/mail/inbox/" + box.threadOf(id));
        browser.find(".thread-subject");
        keys("f");
        assertThat(browser.find(".forwarded").getText()).contains("claim-" + word + ".pdf")
                .contains("photo-" + word + ".png");
        browser.find("#to").sendKeys("billing@postroom.test");
        browser.driver.findElements(By.cssSelector(".forwarded input[type=checkbox]")).get(1).click();
        browser.find("#send").click();
        browser.find(".notice-bar[data-until]");
        new WebDriverWait(browser.driver, Duration.ofSeconds(20)).until(d -> com.postroom.support.Inboxes
                .withSubjectContaining(sandbox.server().orElseThrow().greenMail(), "Fwd: Claim " + word).size() == 1);
        var sent = com.postroom.support.Inboxes.withSubjectContaining(sandbox.server().orElseThrow().greenMail(),
                "Fwd: Claim " + word).get(0);
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        sent.writeTo(raw);
        assertThat(raw.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("claim-" + word + ".pdf")
                .contains("See the claim.").doesNotContain("photo-" + word);
    }

    @Test
    void theMailboxSwitcherShowsOneMailboxsMailOrAll() {
        String word = MailboxFixture.word();
        MailboxFixture other = new MailboxFixture(sandbox.server().orElseThrow().greenMail(), mailboxes, inbound, jdbc,
                organizations.primary().orElseThrow().id());
        box.deliver(TestMail.message().subject("Here " + word));
        other.deliver(TestMail.message().subject("There " + word));
        browser.go("/mail/inbox");
        org.openqa.selenium.support.ui.Select select = new org.openqa.selenium.support.ui.Select(
                browser.find("#mailbox"));
        select.selectByVisibleText(other.user);
        browser.waitForText(".list-toolbar h1", "Inbox");
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> listed("There " + word));
        assertThat(listed("Here " + word)).as("another mailbox's mail").isFalse();
        assertThat(new org.openqa.selenium.support.ui.Select(browser.find("#mailbox")).getFirstSelectedOption()
                .getText()).isEqualTo(other.user);
        browser.go("/mail/search?q=" + word);
        assertThat(browser.find(".list-pane").getText()).contains("There " + word).doesNotContain("Here " + word);

        new org.openqa.selenium.support.ui.Select(browser.find("#mailbox")).selectByVisibleText("All mailboxes");
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> listed("Here " + word));
        assertThat(listed("There " + word)).isTrue();
    }

    /** Pages fit a phone (390 px) and a laptop (1280 px) without sideways scrolling, and every field has a name. */
    @Test
    void everyPageFitsAPhoneAndALaptopAndEveryFieldIsLabelled() {
        String word = MailboxFixture.word();
        for (int i = 0; i < 8; i++) {
            box.deliver(TestMail.message().subject("Phone " + i + " " + word).text("A run sheet for crew " + i + "."));
        }
        UUID id = box.deliver(TestMail.message().subject("Narrow " + word)
                .text("A long line without spaces: " + "x".repeat(300))
                .html("<table width=\"900\"><tr><td>wide table " + "y".repeat(200) + "</td></tr></table>")
                .attach("a-rather-long-file-name-" + "z".repeat(80) + ".pdf", "application/pdf",
                        "%PDF-1.4".getBytes(), null)).get(0);
        List<String> pages = List.of("/mail/inbox", "/mail/inbox/" + box.threadOf(id), "/mail/compose",
                "/mail/search?q=" + word, "/dashboard", "/settings", "/settings/deliverability");
        org.openqa.selenium.Dimension before = browser.driver.manage().window().getSize();
        try {
            for (int width : new int[] {390, 1280}) {
                browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(width, 900));
                for (String page : pages) {
                    browser.go(page);
                    browser.find("header nav");
                    Object overflow = browser.driver.executeScript(
                            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
                    Object wide = browser.driver.executeScript("var w = document.documentElement.clientWidth;"
                            + "return Array.prototype.filter.call(document.querySelectorAll('body *'), function (e) {"
                            + "  return e.getBoundingClientRect().right > w + 1; }).slice(0, 6).map(function (e) {"
                            + "  return e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right); });");
                    assertThat(((Number) overflow).intValue()).as(page + " at " + width + " px: sideways overflow by "
                            + wide).isLessThanOrEqualTo(0);
                    Object unlabelled = browser.driver.executeScript(
                            "return Array.prototype.filter.call(document.querySelectorAll("
                            + "'input:not([type=hidden]), select, textarea, [contenteditable=true]'), function (e) {"
                            + "  if (e.offsetParent === null) { return false; }"
                            + "  return !(e.labels && e.labels.length) && !e.getAttribute('aria-label')"
                            + "    && !e.getAttribute('aria-labelledby') && !e.closest('label');"
                            + "}).map(function (e) { return e.outerHTML.substring(0, 120); });");
                    assertThat((List<?>) unlabelled).as(page + ": fields without a label").isEmpty();
                    if (page.equals("/mail/inbox")) {
                        // Every folder and Compose are reachable by touch at either width.
                        for (String link : List.of(".compose-button", ".folders a[href='/mail/sent']",
                                ".folders a[href='/mail/drafts']")) {
                            assertThat(browser.driver.findElement(By.cssSelector(link)).isDisplayed())
                                    .as(link + " at " + width + " px").isTrue();
                        }
                    }
                }
            }
            // A phone (390 x 844): at least eight conversations on the first screen, and in a conversation nothing
            // drawn over anything else (Reply was drawn over the sender's address).
            browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
            browser.go("/mail/inbox");
            browser.find(".rows .row");
            browser.screenshot("ui-inbox-390");
            Object fit = browser.driver.executeScript("var h = window.innerHeight;"
                    + "return Array.prototype.filter.call(document.querySelectorAll('.rows .row'), function (r) {"
                    + "  return r.getBoundingClientRect().bottom <= h; }).length;");
            assertThat(((Number) fit).intValue()).as("conversations on a phone's first screen").isGreaterThanOrEqualTo(8);
            browser.go("/mail/inbox/" + box.threadOf(id));
            browser.find(".thread-subject");
            browser.screenshot("ui-conversation-390");
            Object overlap = browser.driver.executeScript("var a = document.querySelector('.message nav.reply');"
                    + "var b = document.querySelector('.message summary');"
                    + "if (!a || !b) { return false; }"
                    + "var r = a.getBoundingClientRect(), s = b.getBoundingClientRect();"
                    + "return !(r.right <= s.left || s.right <= r.left || r.bottom <= s.top || s.bottom <= r.top);");
            assertThat(overlap).as("Reply drawn over the sender").isEqualTo(false);
        } finally {
            browser.driver.manage().window().setSize(before);
        }
    }

    @Test
    void addressSuggestionsWorkForEveryAddressInAField() {
        String word = MailboxFixture.word();
        box.deliver(TestMail.message().from("Zed Zulu <zed-" + word + "@example.org>").subject("Hello " + word));
        browser.go("/mail/compose");
        assertThat(browser.driver.findElement(By.id("cc")).isDisplayed()).as("Cc behind its link").isFalse();
        browser.find("[data-show-field=cc]").click();
        browser.find("#cc").sendKeys("billing@postroom.test, zed-" + word.substring(0, 4));
        @SuppressWarnings("unchecked")
        List<String> options = (List<String>) browser.driver.executeScript("return Array.prototype.map.call("
                + "document.getElementById('known-cc').options, function (o) { return o.value; });");
        assertThat(options).contains("billing@postroom.test, zed-" + word + "@example.org")
                .allMatch(o -> o.startsWith("billing@postroom.test, "));
    }

    @Test
    void newMailAppearsWithoutAReload() {
        browser.go("/mail/inbox");
        browser.find(".list-toolbar h1");
        new WebDriverWait(browser.driver, Duration.ofSeconds(10))
                .until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("body[data-live-ready]")));
        assertThat(browser.driver.findElement(By.id("new-mail")).isDisplayed()).as("no notice while nothing arrived")
                .isFalse();
        browser.driver.executeScript("window.stayed = true;");
        String subject = "Live " + MailboxFixture.word();
        long start = System.nanoTime();
        box.deliver(TestMail.message().subject(subject));
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> listed(subject));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(browser.driver.executeScript("return window.stayed === true")).as("no reload").isEqualTo(true);
        assertThat(browser.find("#new-mail").getText()).isEqualTo("1 new conversation");
        assertThat(browser.driver.getTitle()).as("the unread count in the tab's title").matches("\\(\\d+\\) .*");
        System.out.println("New mail listed " + millis + " ms after it was stored");
    }

    @Test
    void draftsAreSavedWhileTypingAndGoneOnceSent() {
        String subject = "Draft " + MailboxFixture.word();
        browser.go("/mail/compose");
        browser.find("#to").sendKeys("billing@postroom.test");
        browser.find("#subject").sendKeys(subject);
        WebElement first = browser.find("#editor");
        first.sendKeys("half written ");
        first.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "b"));
        first.sendKeys("urgent");
        browser.waitForText("#draft-state", "Draft saved");
        browser.go("/mail/drafts");
        browser.clickAndWait(row(subject).findElement(By.cssSelector("a.row-link")));
        assertThat(browser.find("#subject").getAttribute("value")).isEqualTo(subject);
        WebElement editor = browser.find("#editor");
        assertThat(editor.getAttribute("innerHTML")).as("formatting kept in the draft").contains("<b>urgent</b>");
        editor.sendKeys(org.openqa.selenium.Keys.END);
        editor.sendKeys(" and finished");
        browser.clickAndWait("#send");
        browser.go("/mail/drafts");
        browser.find(".list-toolbar h1");
        assertThat(listed(subject)).as("a sent draft leaves Drafts").isFalse();
        new WebDriverWait(browser.driver, Duration.ofSeconds(20)).until(d -> com.postroom.support.Inboxes
                .withSubjectContaining(sandbox.server().orElseThrow().greenMail(), subject).size() == 1);
        assertThat(com.postroom.support.Inboxes.withSubjectContaining(sandbox.server().orElseThrow().greenMail(),
                subject).get(0)).satisfies(m -> assertThat(com.icegreen.greenmail.util.GreenMailUtil.getBody(m))
                .contains("half written urgent and finished").contains("<b>urgent"));
    }

    @Test
    void attachmentsDownloadWithTheSessionAndImagesArePreviewed() throws Exception {
        String word = MailboxFixture.word();
        byte[] png = java.util.Base64.getDecoder().decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
                + "DwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
        UUID id = box.deliver(TestMail.message().subject("Scan " + word).attach("scan.png", "image/png", png, null)
                .attach("claim.pdf", "application/pdf", "%PDF-1.4 claim".getBytes(), null)).get(0);
        browser.go("/mail/inbox/" + box.threadOf(id));
        WebElement preview = browser.find(".attachments img.preview");
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> Boolean.TRUE.equals(
                browser.driver.executeScript("return arguments[0].complete && arguments[0].naturalWidth === 1;",
                        preview)));
        // A PDF that cannot be pictured (this one is not a real PDF) hides its preview and keeps its download link.
        new WebDriverWait(browser.driver, Duration.ofSeconds(15)).until(d -> !d.findElements(
                By.cssSelector(".attachments img.preview.pdf.failed")).isEmpty());
        // The download link works with the session alone, as an attachment.
        String href = browser.find(".attachments a[href$='pdf'], .attachments li:nth-child(2) a").getAttribute("href");
        Object status = browser.driver.executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "fetch(arguments[0], {credentials: 'same-origin'}).then(function (r) {"
                + " done(r.status + ' ' + r.headers.get('content-disposition')); });", href);
        assertThat(String.valueOf(status)).startsWith("200 attachment");
        assertThat(browser.driver.findElements(By.cssSelector(".headers a[href$='/raw']"))).isNotEmpty();

        // A cid: image shows inside the sandboxed frame, carried in the HTML (the frame cannot use the session).
        UUID logo = box.deliver(TestMail.message().subject("Letterhead " + word).text("logo")
                .html("<p>Our logo:</p><img src=\"cid:logo@postroom\" alt=\"logo\">"
                        + "<img src=\"cid:sig%40postroom\" alt=\"signature\"><img src=\"cid:fake@postroom\" alt=\"fake\">")
                .attach("logo.png", "image/png", png, "logo@postroom")
                // Outlook-style: sent as octet-stream, referenced with the @ %-encoded.
                .attach("sig.png", "application/octet-stream", png, "sig@postroom")
                // Calls itself a PNG, is SVG with script: never embedded.
                .attach("fake.png", "image/png", "<svg onload=\"top.pwned=20\"/>".getBytes(), "fake@postroom")).get(0);
        browser.go("/mail/inbox/" + box.threadOf(logo));
        WebElement frame = browser.find("iframe.body-frame");
        String srcdoc = frame.getAttribute("srcdoc");
        assertThat(srcdoc.split("data:image/png;base64,", -1)).as("logo and signature embedded").hasSize(3);
        assertThat(srcdoc).doesNotContain("svg").doesNotContain("fake@");
        browser.driver.switchTo().frame(frame);
        try {
            WebElement img = browser.driver.findElement(By.cssSelector("img[alt=logo]"));
            new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> Boolean.TRUE.equals(
                    browser.driver.executeScript("return arguments[0].complete && arguments[0].naturalWidth === 1;",
                            img)));
        } finally {
            browser.driver.switchTo().defaultContent();
        }
    }

    /** A message's style sheet shows as sent: Outlook's single spacing, a newsletter's hidden preview text. */
    /** An Outlook invitation shows as an event card, and its .ics is listed once (it came twice). */
    @Test
    void aCalendarInvitationShowsAsAnEventCard() {
        String word = MailboxFixture.word();
        String ics = com.postroom.mailbox.CalendarInviteTest.OUTLOOK.replace("Claims review", "Claims review " + word);
        String id = "<invite-" + word + "@county.example>";
        String raw = "From: Dana Reyes <dana.reyes@county.example>\r\nTo: founder@postroom.test\r\n"
                + "Subject: Claims review " + word + "\r\nMessage-ID: " + id + "\r\n"
                + "Date: Thu, 03 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n--mix\r\n"
                + "Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n\r\nWhen: Thursday 9:00\r\n--alt\r\n"
                + "Content-Type: text/calendar; charset=utf-8; method=REQUEST\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n"
                + java.util.Base64.getMimeEncoder().encodeToString(ics.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "\r\n--alt--\r\n--mix\r\nContent-Type: application/ics; name=\"invite.ics\"\r\n"
                + "Content-Disposition: attachment; filename=\"invite.ics\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + java.util.Base64.getMimeEncoder().encodeToString(ics.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "\r\n--mix--\r\n";
        try (var client = box.client()) {
            client.append("INBOX", raw.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        box.sync();
        UUID message = jdbc.sql("SELECT id FROM email_message WHERE message_id = ?").param(id).query(UUID.class).single();
        browser.go("/mail/inbox/" + box.threadOf(message));
        WebElement card = browser.find(".invite");
        assertThat(card.findElement(By.tagName("h3")).getAttribute("textContent")).isEqualTo("Invitation");
        assertThat(card.getText()).contains("Claims review " + word + ", Q4",
                "Thu, Dec 10, 2026, 09:00 – 10:30 (America/New_York)", "Station 4, conference room B",
                "Reyes, Dana <dana.reyes@county.example>");
        assertThat(browser.driver.findElements(By.cssSelector(".attachments li")).stream()
                .filter(li -> li.getText().contains(".ics")).count()).as("the event listed once").isEqualTo(1);
    }

    /** A long HTML mail shows whole: the frame is as tall as the mail, with no scrollbar of its own. */
    @Test
    void htmlMailIsShownWholeWithoutAnInnerScrollbar() {
        String word = MailboxFixture.word();
        String paragraphs = "<p>Line of the statement.</p>".repeat(120);
        UUID id = box.deliver(TestMail.message().subject("Tall " + word).text("tall")
                .html("<html><body>" + paragraphs + "<p id=end>The end.</p></body></html>")).get(0);
        browser.go("/mail/inbox/" + box.threadOf(id));
        WebElement frame = browser.find("iframe.body-frame");
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> frame.getSize().getHeight() > 2000);
        browser.driver.switchTo().frame(frame);
        try {
            Object inner = browser.driver.executeScript(
                    "return document.documentElement.scrollHeight - document.documentElement.clientHeight");
            assertThat(((Number) inner).intValue()).as("nothing left to scroll inside the frame").isLessThanOrEqualTo(0);
        } finally {
            browser.driver.switchTo().defaultContent();
        }
        // And a short one is short: no empty frame below its one line.
        UUID small = box.deliver(TestMail.message().subject("Short " + word).text("short")
                .html("<html><body><p>One line.</p></body></html>")).get(0);
        browser.go("/mail/inbox/" + box.threadOf(small));
        WebElement shortFrame = browser.find("iframe.body-frame");
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> shortFrame.getSize().getHeight() < 150);
    }

    @Test
    void styleSheetsInMailShowAsTheSenderMeantThem() {
        String word = MailboxFixture.word();
        UUID id = box.deliver(TestMail.message().subject("Styled " + word).text("styled")
                .html("<html><head><style><!-- p.MsoNormal { margin: 0in; font-size: 11.0pt; } "
                        + ".preheader { display: none !important; } --></style></head><body>"
                        + "<span class=\"preheader\">Preview text " + word + "</span>"
                        + "<p class=\"MsoNormal\">First line</p><p class=\"MsoNormal\">Second line</p></body></html>"))
                .get(0);
        browser.go("/mail/inbox/" + box.threadOf(id));
        WebElement frame = browser.find("iframe.body-frame");
        browser.driver.switchTo().frame(frame);
        try {
            WebElement line = browser.driver.findElement(By.xpath("//p[text()='Second line']"));
            assertThat(line.getCssValue("margin-top")).isEqualTo("0px");
            assertThat(browser.driver.findElement(By.xpath("//span[contains(text(), 'Preview text')]")).isDisplayed())
                    .as("hidden preview text").isFalse();
        } finally {
            browser.driver.switchTo().defaultContent();
        }
    }

    @Test
    void olderPagesLoadAsTheListScrollsWithWorkingLinks() {
        String word = MailboxFixture.word();
        TestMail[] mails = new TestMail[55];
        for (int i = 0; i < mails.length; i++) {
            mails[i] = TestMail.message().subject("Page " + i + " " + word);
        }
        box.deliver(mails);
        browser.go("/mail/inbox");
        int first = browser.driver.findElements(By.cssSelector(".rows .row")).size();
        browser.driver.executeScript("document.querySelector('.rows .more').scrollIntoView();");
        new WebDriverWait(browser.driver, Duration.ofSeconds(10))
                .until(d -> d.findElements(By.cssSelector(".rows .row")).size() > first);
        WebElement last = browser.driver.findElements(By.cssSelector(".rows .row")).get(first);
        assertThat(last.getAttribute("data-open")).startsWith("/mail/inbox/");
        assertThat(last.findElement(By.cssSelector("a.row-link")).getAttribute("href")).contains("/mail/inbox/");
    }

    @Test
    void theDensitySettingIsRemembered() {
        browser.go("/mail/inbox");
        browser.find("[data-density]").click();
        assertThat(browser.find("body").getAttribute("class")).contains("compact");
        browser.go("/mail/inbox");
        assertThat(browser.find("body").getAttribute("class")).contains("compact");
        browser.find("[data-density]").click();
        assertThat(browser.find("body").getAttribute("class")).doesNotContain("compact");
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
