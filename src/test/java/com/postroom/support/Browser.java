package com.postroom.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium and ChromeDriver, headless, for the UI tests. Where they are not installed the tests are skipped
 * with a message saying so; with POSTROOM_BROWSER_REQUIRED=true (set by .ci/run) a missing browser fails instead.
 */
public final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    public final ChromeDriver driver;
    private final String base;
    private final Path profile;

    private Browser(String base) {
        this.base = base;
        try {
            this.profile = Files.createTempDirectory("postroom-chromium");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,900", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    public static Browser open(int port) {
        return new Browser("http://localhost:" + port);
    }

    public void go(String path) {
        driver.get(base + path);
    }

    public WebElement find(String css) {
        return waitFor(css);
    }

    public WebElement waitFor(String css) {
        return new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    /**
     * Waits until an element matching {@code css} shows {@code text}: after a click that loads a new page, the old
     * page's element may still match for a moment, so a plain find could read it.
     */
    public void waitForText(String css, String text) {
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .withMessage("no " + css + " showing '" + text + "'")
                .until(d -> d.findElements(By.cssSelector(css)).stream().anyMatch(e -> e.getText().contains(text)));
    }

    public String path() {
        return driver.getCurrentUrl().replace(base, "");
    }

    public void signIn(String email, String password) {
        go("/login");
        find("#email").sendKeys(email);
        find("#password").sendKeys(password);
        clickAndWait(find("button[type=submit]"));
    }

    /** Clicks something that loads a new page or changes this one in place, and waits until that is done. */
    public void clickAndWait(WebElement target) {
        changeAndWait(target::click);
    }

    /**
     * Does something that loads a new page or changes the page in place (the mailbox's htmx requests, which count
     * their finished swaps in the html element's data-swaps), and waits until either happened.
     */
    public void changeAndWait(Runnable action) {
        WebElement page = driver.findElement(By.tagName("html"));
        String swaps = String.valueOf(page.getAttribute("data-swaps"));
        action.run();
        waitForChange(page, swaps);
    }

    /** Until the page is replaced, or its count of in-place swaps moved on from {@code swaps}. */
    private void waitForChange(WebElement page, String swaps) {
        until(page, () -> !swaps.equals(String.valueOf(page.getAttribute("data-swaps"))));
    }

    /**
     * Waits until the old page's root is gone. Chromium reports a gone node either as stale or, when it is asked in
     * the middle of the navigation, as "Node with given id does not belong to the document" (an unknown error that
     * Selenium's stalenessOf does not expect, seen in CI): both mean the old page has been replaced.
     */
    public void waitUntilGone(WebElement page) {
        until(page, () -> {
            page.isEnabled();
            return false;
        });
    }

    /** Until {@code check} holds or the page is gone (which ends the wait too). */
    private void until(WebElement page, java.util.function.BooleanSupplier check) {
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> {
            try {
                return check.getAsBoolean();
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                return true;
            } catch (org.openqa.selenium.WebDriverException e) {
                if (e.getMessage() != null && e.getMessage().contains("does not belong to the document")) {
                    return true;
                }
                throw e;
            }
        });
    }

    /**
     * Finds the element by {@code css}, clicks it and waits for the page it loads (or its change in place). A node that Chromium drops between
     * the find and the click (the page was still settling) is found again, up to three times.
     */
    public void clickAndWait(String css) {
        for (int attempt = 1; ; attempt++) {
            WebElement page = driver.findElement(By.tagName("html"));
            String swaps = String.valueOf(page.getAttribute("data-swaps"));
            try {
                waitFor(css).click();
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                if (attempt == 3) {
                    throw e;
                }
                continue;
            } catch (org.openqa.selenium.WebDriverException e) {
                if (attempt == 3 || e.getMessage() == null || !e.getMessage().contains("does not belong to the document")) {
                    throw e;
                }
                continue;
            }
            waitForChange(page, swaps);
            return;
        }
    }

    public void screenshot(String name) {
        try {
            Path dir = Files.createDirectories(Path.of("target/screenshots"));
            byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
            Files.write(dir.resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".png"), png);
        } catch (IOException | RuntimeException e) {
            System.err.println("No screenshot of " + name + ": " + e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }

    static Optional<String> unavailable() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            return Optional.of("Browser tests skipped: Debian's chromium and chromium-driver are not installed "
                    + "(apt-get install chromium chromium-driver; .ci/run installs them).");
        }
        return Optional.empty();
    }

    /** Skips the class, visibly, without a browser; fails it when one is required. */
    public static final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Optional<String> missing = unavailable();
            if (missing.isEmpty()) {
                return ConditionEvaluationResult.enabled("chromium and chromedriver found");
            }
            if (Boolean.parseBoolean(System.getenv("POSTROOM_BROWSER_REQUIRED"))) {
                throw new IllegalStateException(missing.get().replace("skipped", "required"));
            }
            System.err.println(missing.get());
            return ConditionEvaluationResult.disabled(missing.get());
        }
    }

    /** Saves a screenshot under target/screenshots when a test fails (the test class exposes its browser). */
    public static final class Screenshots implements TestWatcher {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            context.getTestInstance().filter(i -> i instanceof HasBrowser).map(i -> ((HasBrowser) i).browser())
                    .ifPresent(b -> b.screenshot(context.getRequiredTestClass().getSimpleName() + "-"
                            + context.getRequiredTestMethod().getName()));
        }
    }

    /** A test class with a browser to photograph on failure. */
    public interface HasBrowser {
        Browser browser();
    }
}
