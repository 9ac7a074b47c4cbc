package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Liberty admin console on api-v1-1, driven by headless Chromium: the configured administrator
 * gets in and sees the toolbox, a wrong password does not. Without ADMIN_PASSWORD (the default) the
 * password is generated at first start, so the old default admin does not get in either. The
 * console's certificate comes from the keystore Liberty generates for itself, so this browser
 * accepts it without a trust chain.
 */
class AdminConsoleIT {

    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(60);

    private Path profile;
    private WebDriver browser;

    private static String consoleUrl() {
        return "https://localhost:" + StackEnv.setting("ADMIN_CONSOLE_PORT") + "/adminCenter/";
    }

    private static Path screenshots() {
        return StackEnv.projectRoot().resolve("e2e-tests/target/screenshots");
    }

    @BeforeEach
    void openBrowser() throws IOException {
        profile = Files.createTempDirectory("admin-console-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(StackEnv.env("CHROMIUM_BINARY", "/usr/bin/chromium"));
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-quic",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1400,900",
                "--user-data-dir=" + profile);
        options.setAcceptInsecureCerts(true);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(StackEnv.env("CHROMEDRIVER", "/usr/bin/chromedriver")))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(PAGE_TIMEOUT);
    }

    @AfterEach
    void closeBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    @Test
    void administratorLogsInAndSeesTheToolbox() throws IOException {
        logIn(StackEnv.setting("ADMIN_USER"), StackEnv.adminPassword());

        try {
            WebDriverWait wait = new WebDriverWait(browser, PAGE_TIMEOUT);
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("toolboxContainer")));
            // The toolbox lists the tools of adminCenter-1.0.
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("toolIconContainer"), "Explore"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("toolIconContainer"), "Server Config"));
            waitForImages();
        } finally {
            screenshot("admin-console.png");
        }
        assertTrue(browser.getCurrentUrl().contains("/adminCenter/"), browser.getCurrentUrl());
        assertTrue(!browser.getCurrentUrl().contains("login"), "left the login page: " + browser.getCurrentUrl());
    }

    @Test
    void wrongPasswordIsRefused() throws IOException {
        assertRefused(StackEnv.adminPassword() + "-wrong", "admin-console-wrong-password.png");
    }

    /** With ADMIN_PASSWORD empty, as in stack.env, the password was generated: the old default admin is refused. */
    @Test
    void theGeneratedPasswordIsTheOnlyOne() throws IOException {
        assertEquals(
                "", StackEnv.readStackEnv().get("ADMIN_PASSWORD"), "stack.env leaves ADMIN_PASSWORD empty: generated");
        if (!StackEnv.env("ADMIN_PASSWORD", "").isEmpty()) {
            return; // a run with a password of its own has nothing generated to check
        }
        Path file = StackEnv.adminPasswordFile();
        assertEquals(
                "rw-------",
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
                file + " is its owner's only");
        assertTrue(StackEnv.adminPassword().length() >= 20, "a generated password of 18 random bytes (base64)");
        assertRefused("admin", "admin-console-default-password.png");
    }

    private void assertRefused(String password, String screenshot) throws IOException {
        logIn(StackEnv.setting("ADMIN_USER"), password);

        try {
            new WebDriverWait(browser, PAGE_TIMEOUT)
                    .until(ExpectedConditions.or(
                            ExpectedConditions.urlContains("login"),
                            ExpectedConditions.visibilityOfElementLocated(By.id("toolboxContainer"))));
            assertTrue(
                    browser.findElements(By.id("toolboxContainer")).isEmpty(), "no toolbox without the right password");
            assertTrue(
                    browser.getCurrentUrl().contains("login"), "still on the login page: " + browser.getCurrentUrl());
            assertTrue(!browser.findElements(By.id("j_password")).isEmpty(), "the login form is shown again");
            assertTrue(
                    browser.findElement(By.id("login-footer")).getText().contains("Login error"),
                    browser.findElement(By.id("login-footer")).getText());
        } finally {
            screenshot(screenshot);
        }
    }

    /**
     * The console's password is kept only as Liberty's salted hash: no file under api-v1-1's folder
     * (configuration, server.env, logs, workarea) holds it in plain text. A password too common to
     * search for on its own (the default admin) is searched for where a setting would hold it.
     */
    @Test
    void noFileOfTheServerHoldsThePasswordInPlainText() throws IOException {
        Path server = StackEnv.stateDir().resolve("liberty/usr/servers/api-v1-1");
        assertTrue(Files.isDirectory(server), server + " exists: is the stack started?");
        String password = StackEnv.adminPassword();
        java.util.regex.Pattern assigned = java.util.regex.Pattern.compile("(?i)pass(word)?[\\w.-]*\\s*[=:]\\s*[\"']?"
                + java.util.regex.Pattern.quote(password) + "(?![A-Za-z0-9])");
        java.util.List<String> holders = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.walk(server)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (Files.size(file) > 20_000_000) {
                    continue;
                }
                String text = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
                if (assigned.matcher(text).find() || (password.length() >= 8 && text.contains(password))) {
                    holders.add(server.relativize(file).toString());
                }
            }
        }
        assertEquals(java.util.List.of(), holders, "files of api-v1-1 that hold ADMIN_PASSWORD in plain text");
        String serverEnv = Files.readString(server.resolve("server.env"));
        assertTrue(
                serverEnv.lines().anyMatch(line -> line.matches("ADMIN_PASSWORD_HASH=\\{hash\\}[A-Za-z0-9+/=]{40,}")),
                "server.env holds the password as Liberty's {hash}");
    }

    private void logIn(String user, String password) {
        browser.get(consoleUrl());
        WebDriverWait wait = new WebDriverWait(browser, PAGE_TIMEOUT);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("j_username")))
                .sendKeys(user);
        browser.findElement(By.id("j_password")).sendKeys(password);
        browser.findElement(By.id("loginButton")).click();
    }

    /** Icons load after the tool names; a screenshot without them says less. Best effort only. */
    private void waitForImages() {
        try {
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(driver -> (Boolean) ((JavascriptExecutor) driver)
                    .executeScript("return Array.from(document.images).every(i => i.complete);"));
        } catch (TimeoutException e) {
            // The assertions are about the toolbox, not its pictures.
        }
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(screenshots());
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), screenshots().resolve(name), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(screenshots().resolve(name.replace(".png", ".html")), browser.getPageSource());
    }
}
