package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The native stack's dashboard: Prometheus serves prometheus/consoles/ml-gateway.html, and in a
 * headless Chromium (no network beyond loopback) every graph on it draws lines from live data.
 * A screenshot is kept in target/screenshots for the test report.
 */
class PrometheusConsoleIT {

    private static ChromeDriver browser;
    private static Path profile;

    @BeforeAll
    static void openBrowser() throws Exception {
        MonitoringTraffic.sendEveryKind();
        profile = Files.createTempDirectory("chromium-profile");
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
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(StackEnv.env("CHROMEDRIVER", "/usr/bin/chromedriver")))
                .build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1400, 2200));
    }

    @AfterAll
    static void closeBrowser() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (var paths = Files.walk(profile)) {
                paths.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void everyGraphOfTheConsolePageRenders() throws Exception {
        browser.get(StackEnv.prometheusUrl() + "/consoles/ml-gateway.html");
        assertEquals("ML gateway", browser.getTitle(), "console page title");

        List<WebElement> graphs = browser.findElements(By.cssSelector(".mlg-panel div[id]"));
        assertTrue(graphs.size() >= 8, "graphs on the page: " + graphs.size());

        // A graph has rendered when Rickshaw drew an SVG path with points; its data may still be
        // arriving for the newest series, so reload until every graph has drawn or time is up.
        String undrawn = "return Array.from(document.querySelectorAll('.mlg-panel div[id]'))"
                + ".filter(g => !Array.from(g.querySelectorAll('svg path')).some(p => (p.getAttribute('d') || '').length > 20))"
                + ".map(g => g.id + ': ' + (g.querySelector('.prom_graph_error') ? g.querySelector('.prom_graph_error').textContent : 'not drawn'));";
        @SuppressWarnings("unchecked")
        List<String> notDrawn = PrometheusQueries.poll(
                Duration.ofSeconds(60),
                () -> {
                    try {
                        new WebDriverWait(browser, Duration.ofSeconds(10))
                                .until(b -> ((List<?>) ((JavascriptExecutor) b).executeScript(undrawn)).isEmpty());
                    } catch (org.openqa.selenium.TimeoutException e) {
                        browser.navigate().refresh();
                    }
                    return (List<String>) ((JavascriptExecutor) browser).executeScript(undrawn);
                },
                List::isEmpty);

        saveScreenshot();
        assertEquals(List.of(), notDrawn, "graphs without a drawn line");
        List<WebElement> errors = browser.findElements(By.cssSelector(".mlg-panel .prom_graph_error"));
        assertTrue(
                errors.isEmpty(),
                "graph errors: " + errors.stream().map(WebElement::getText).toList());
        // The candidate's graphs have data only while a candidate gets shadow traffic; without one they
        // may say so, and nothing else.
        List<String> candidate = browser.findElements(By.cssSelector(".mlg-candidate .prom_graph_error")).stream()
                .map(WebElement::getText)
                .filter(t -> !t.equals("No timeseries returned"))
                .toList();
        assertEquals(List.of(), candidate, "candidate graph errors");
        assertEquals(
                1,
                browser.findElements(By.cssSelector(".mlg-candidate div[id]")).size(),
                "the candidate's graph is on the page");
        String targets =
                browser.findElement(By.cssSelector("table.mlg-targets")).getText();
        assertTrue(
                targets.contains("api-v1-1") && targets.contains("api-v2") && targets.contains("nginx"),
                "target table lists the servers and Nginx:\n" + targets);
        assertFalse(targets.contains("down"), "no target is down:\n" + targets);
    }

    private static void saveScreenshot() throws Exception {
        Path dir = StackEnv.projectRoot().resolve("e2e-tests/target/screenshots");
        Files.createDirectories(dir);
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, dir.resolve("console-ml-gateway.png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
