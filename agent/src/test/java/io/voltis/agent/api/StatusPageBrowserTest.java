package io.voltis.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;

import io.voltis.agent.Agent;
import io.voltis.agent.packages.system.CommandRunner;
import io.voltis.agent.packages.system.FakeManagers;
import io.voltis.agent.packages.system.SystemPackages;
import io.voltis.agent.reconcile.AgentFixture;
import io.voltis.agent.reconcile.AgentStatus;
import io.voltis.agent.reconcile.Phase;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.model.PackageManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in a real headless Chromium (Debian's chromium and chromium-driver), served
 * by a real agent: what a person sees on it, that it follows the agent live, asks for the API
 * token, and loads nothing from anywhere but the device. Skipped when the browser is missing,
 * unless {@code -Dvoltis.requireBrowser=true} (CI), where that fails.
 */
class StatusPageBrowserTest {

    static final String TOKEN = ApiSecurityTest.TOKEN;
    /** Generous: a slow 2-core CI machine runs the agent, its processes and the browser at once. */
    static final Duration WAIT = Duration.ofSeconds(30);

    static ChromeDriver driver;
    static ChromeDriverService service;
    static Path profile;

    @TempDir
    Path tmp;

    AgentFixture f;
    ApiServer server;
    String base;

    @BeforeAll
    static void startBrowser() throws IOException {
        Path chromium = Path.of(System.getProperty("voltis.chromium", "/usr/bin/chromium"));
        Path chromedriver = Path.of(System.getProperty("voltis.chromedriver", "/usr/bin/chromedriver"));
        List<String> missing = Stream.of(chromium, chromedriver).filter(p -> !Files.isExecutable(p))
                .map(Path::toString).toList();
        if (!missing.isEmpty()) {
            String message = "no browser for the status page tests (" + String.join(", ", missing) + " not found): "
                    + "Debian packages chromium and chromium-driver are needed: apt-get install chromium chromium-driver";
            if (Boolean.getBoolean("voltis.requireBrowser")) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        profile = Files.createTempDirectory("voltis-chromium-");
        ChromeOptions options = new ChromeOptions();
        // both paths explicit: Selenium Manager is never asked (it would try to download a driver)
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-proxy-server", "--no-first-run", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver.toString()))
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(60))
                .build();
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            deleteTree(profile);
            throw e;
        }
        driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (profile != null) {
            deleteTree(profile);
        }
    }

    @AfterEach
    void tearDown() {
        try {
            if (driver != null) {
                driver.get("about:blank"); // the page stops polling before its server goes away
            }
        } finally {
            if (server != null) {
                server.close();
            }
            if (f != null) {
                f.close();
            }
        }
    }

    void startAgent(Map<String, String> workload) throws Exception {
        f = new AgentFixture(tmp);
        f.origin.commit("v1", workload);
        f.start();
    }

    void serve(TokenFile token) {
        server = ApiServer.start(ApiServer.Settings.of("127.0.0.1", 0, token), f.agent.apiSources());
        base = "http://127.0.0.1:" + server.port() + "/";
    }

    /** verify: warn on an unsigned repo: applied anyway, and the page says what the signatures are. */
    @Test
    void page_showsTheSignaturesOfTheAppliedAndDesiredRevisions() throws Exception {
        f = new AgentFixture(tmp);
        f.origin.commit("v1", ApiServerTest.workload("hello"));
        java.nio.file.Path key = io.voltis.sync.testing.SignedRepo.sshKey(java.nio.file.Files.createDirectories(tmp.resolve("keys")),
                "ops", "ed25519");
        java.nio.file.Path allowed = java.nio.file.Files.writeString(tmp.resolve("keys/allowed_signers"),
                "ops@example.com namespaces=\"git\" " + io.voltis.sync.testing.SignedRepo.publicKey(key) + "\n");
        f.trust = new io.voltis.sync.trust.TrustSettings(io.voltis.sync.trust.TrustSettings.Mode.WARN,
                io.voltis.sync.trust.CommitVerifier.Scope.CHAIN, allowed, null, null);
        f.start();
        assertThat(f.converge().phase()).isEqualTo(Phase.SYNCED);
        serve(null);

        driver.get(base);

        waitForText(By.id("phase"), "Synced");
        assertThat(text("signatures")).isEqualTo("verify warn; applied Unsigned; desired Unsigned");
        assertThat(driver.findElement(By.id("signatures")).getDomAttribute("class")).isEqualTo("bad");
    }

    /** A device held by its rollout plan: the page says what it waits for and until when. */
    @Test
    void page_showsWhatTheRolloutPlanKeepsTheDeviceWaitingFor() throws Exception {
        startAgent(ApiServerTest.workload("hello"));
        assertThat(f.converge().phase()).isEqualTo(Phase.SYNCED);
        Map<String, String> v2 = new java.util.HashMap<>(ApiServerTest.workload("later"));
        v2.replaceAll((path, text) -> path.endsWith("/workload.yaml")
                ? text + "rollout: {waves: [{name: all, percent: 100, after: 2h}]}\n" : text);
        String sha = f.origin.commit("v2", v2);
        f.agent.pollNow();
        String waiting = f.agent.tickNow().rollout().waiting();
        assertThat(waiting).startsWith("waiting: wave all (100%, after 2h) of release " + sha.substring(0, 12));
        serve(null);

        driver.get(base);

        waitForText(By.id("rollout"), waiting);
        assertThat(text("summary")).endsWith("; " + waiting);
    }

    @Test
    void page_showsDevicePhaseRevisionsServicesAndEvents() throws Exception {
        startAgent(ApiServerTest.workload("hello"));
        assertThat(f.converge().phase()).isEqualTo(Phase.SYNCED);
        String applied = f.agent.status().appliedRevision();
        serve(null);

        driver.get(base);

        waitForText(By.id("phase"), "Synced");
        assertThat(driver.getTitle()).isEqualTo("Voltis agent");
        assertThat(text("hostname")).isEqualTo("dev1");
        assertThat(driver.findElement(By.id("phase")).getDomAttribute("data-phase")).isEqualTo("Synced");
        assertThat(text("summary")).isEqualTo("synced to " + applied.substring(0, 12));
        assertThat(text("workload")).isEqualTo("app");
        assertThat(text("applied")).isEqualTo(applied.substring(0, 12));
        assertThat(text("desired")).isEqualTo(applied.substring(0, 12));
        assertThat(text("head")).isEqualTo(applied.substring(0, 12));
        assertThat(text("pin")).isEqualTo("not pinned");
        assertThat(text("signatures")).isEqualTo("not verified (verify: off)");
        assertThat(text("source")).isEqualTo(f.origin.fileUrl() + " main");
        assertThat(text("last-poll")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z \\(.+ ago\\)");
        assertThat(text("last-error")).isEqualTo("–");
        assertThat(driver.findElement(By.id("error")).isDisplayed()).isFalse();
        assertThat(driver.findElement(By.id("token-form")).isDisplayed()).isFalse();
        assertThat(row("services", "web")).startsWith("web", "running", "running", "unknown", "0");
        assertThat(row("jobs", "migrate")).startsWith("migrate").endsWith("succeeded");
        WebElement appliedEvent = waitFor("an Applied event in the list",
                d -> d.findElements(By.cssSelector("#events li[data-type='Applied']")).stream().findFirst().orElse(null));
        assertThat(appliedEvent.getText()).contains("Applied").contains(applied.substring(0, 12));
    }

    @Test
    void page_updatesLive_whenARevisionIsPushed() throws Exception {
        startAgent(ApiServerTest.workload("hello"));
        String v1 = f.converge().appliedRevision();
        serve(null);
        driver.get(base);
        waitForText(By.id("applied"), v1.substring(0, 12));
        waitForText(By.id("live"), "live"); // following the event stream before the push
        driver.executeScript("window.voltisSamePage = true;");

        String v2 = f.origin.commit("v2", ApiServerTest.workload("bye"));
        f.agent.pollNow();
        assertThat(f.converge().appliedRevision()).isEqualTo(v2);

        waitForText(By.id("applied"), v2.substring(0, 12));
        WebElement seen = waitFor("a RevisionSeen event for " + v2.substring(0, 12), d -> d
                .findElements(By.cssSelector("#events li[data-type='RevisionSeen']")).stream()
                .filter(li -> li.getText().contains(v2.substring(0, 12))).findFirst().orElse(null));
        assertThat(seen.getText()).contains("RevisionSeen " + v2.substring(0, 12));
        waitForText(By.id("phase"), "Synced");
        assertThat(text("summary")).isEqualTo("synced to " + v2.substring(0, 12));
        assertThat(text("live")).isEqualTo("live");
        assertThat(driver.executeScript("return window.voltisSamePage === true;"))
                .as("the page was not reloaded").isEqualTo(true);
    }

    @Test
    void page_withAToken_asksForIt_thenShowsStatus() throws Exception {
        startAgent(ApiServerTest.workload("hello"));
        f.converge();
        Path tokenFile = tmp.resolve("api-token");
        Files.writeString(tokenFile, TOKEN + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        serve(TokenFile.read(tokenFile));

        driver.get(base);

        WebElement form = waitFor("the token form", d -> {
            WebElement e = d.findElement(By.id("token-form"));
            return e.isDisplayed() ? e : null;
        });
        waitForText(By.id("error"), "this agent needs its API token");
        assertThat(text("hostname")).isEqualTo("…");
        driver.findElement(By.id("token")).sendKeys(TOKEN);
        form.findElement(By.cssSelector("button[type='submit']")).click();

        waitForText(By.id("phase"), "Synced");
        assertThat(text("hostname")).isEqualTo("dev1");
        waitFor("the token form and the error to go away", d -> !d.findElement(By.id("token-form")).isDisplayed()
                && !d.findElement(By.id("error")).isDisplayed());
        waitForText(By.id("live"), "live");

        driver.navigate().refresh(); // the token is kept for this tab

        waitForText(By.id("phase"), "Synced");
        assertThat(text("hostname")).isEqualTo("dev1");
        assertThat(driver.findElement(By.id("token-form")).isDisplayed()).isFalse();
    }

    @Test
    void page_loadsNoExternalResources() throws Exception {
        startAgent(ApiServerTest.workload("hello"));
        f.converge();
        serve(null);
        driver.manage().logs().get(LogType.BROWSER); // drops what earlier tests left

        driver.get(base);
        waitForText(By.id("phase"), "Synced");
        waitForText(By.id("live"), "live");
        waitFor("the events", d -> !d.findElements(By.cssSelector("#events li")).isEmpty());

        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) driver.executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name);");
        assertThat(loaded).contains(base + "style.css", base + "app.js")
                .anyMatch(u -> u.startsWith(base + "api/v1/status"))
                .allMatch(u -> u.startsWith(base), "served by the agent itself");
        // the style sheet applied (a CSP that blocked it would leave the phase grey)
        assertThat(driver.findElement(By.id("phase")).getCssValue("background-color")).isEqualTo("rgba(218, 251, 225, 1)");
        List<String> severe = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                severe.add(e.getMessage());
            }
        }
        assertThat(severe).as("errors in the browser console").isEmpty();
    }

    @Test
    void page_showsADegradedService() throws Exception {
        startAgent(crashingWorkload());
        f.converge();
        await().atMost(WAIT).until(() -> f.agent.tickNow().phase() == Phase.DEGRADED);
        AgentStatus status = f.agent.status(); // no more ticks: this is what the page must show
        ServiceStatus web = status.services().get(0);
        assertThat(web.name()).isEqualTo("web");
        assertThat(web.actual()).isNotEqualTo(ServiceStatus.Actual.RUNNING);
        serve(null);

        driver.get(base);

        waitForText(By.id("phase"), "Degraded");
        assertThat(driver.findElement(By.id("phase")).getDomAttribute("data-phase")).isEqualTo("Degraded");
        assertThat(driver.findElement(By.id("phase")).getCssValue("color")).isEqualTo("rgba(207, 34, 46, 1)");
        assertThat(text("summary")).isEqualTo("running " + status.appliedRevision().substring(0, 12)
                + " but web is not healthy");
        By actual = By.cssSelector("#services tr[data-service='web'] td:nth-child(3)");
        waitForText(actual, web.actual().word());
        assertThat(web.actual().word()).isNotEqualTo("running");
        waitFor("web's actual cell to be marked bad", d -> "bad".equals(d.findElement(actual).getDomAttribute("class")));
        waitFor("a ServiceDegraded event", d -> d.findElements(By.cssSelector("#events li[data-type='ServiceDegraded']"))
                .stream().anyMatch(li -> li.getText().contains("web: ")));
    }

    @Test
    void page_showsEachPackage_withStateVersionAndWhyItFailed() throws Exception {
        // apt is FAKED (shell scripts run as real processes): a real install needs root and the network
        FakeManagers apt = FakeManagers.in(tmp.resolve("apt"), PackageManager.APT);
        apt.markInstalled("mosquitto", "2.0.11-1");
        apt.failInstalls();
        f = new AgentFixture(tmp);
        f.machine = new Agent.Machine(Clock.systemUTC(), new SystemPackages(CommandRunner.processes(), List.of(apt.bin),
                Duration.ofSeconds(30), Duration.ofSeconds(30)));
        Map<String, String> files = ApiServerTest.workload("hello");
        files.put("workloads/app/workload.yaml", "apiVersion: voltis/v1\npackages:\n"
                + "  - {name: mosquitto, manager: apt}\n  - {name: curl, manager: apt}\n  - {name: jq, manager: apt}\n");
        f.origin.commit("v1", files);
        f.start();
        assertThat(f.converge().phase()).isEqualTo(Phase.FAILED);
        serve(null);

        driver.get(base);

        waitForText(By.id("phase"), "Failed");
        List<String> mosquitto = row("packages", "mosquitto");
        assertThat(mosquitto).startsWith("mosquitto", "apt", "installed", "2.0.11-1").endsWith("–");
        assertThat(mosquitto.get(4)).matches("\\d{4}-\\d\\d-\\d\\dT.+Z \\(.+ ago\\)");
        assertThat(row("packages", "curl")).startsWith("curl", "apt", "failed", "–")
                .endsWith("apt install failed: apt-get exited with code 100: E: Unable to locate package curl");
        assertThat(row("packages", "jq")).containsExactly("jq", "apt", "pending", "–", "–",
                "not checked: the apply stopped at curl");
        By curlState = By.cssSelector("#packages tr[data-package='curl'] td:nth-child(3)");
        waitFor("curl's state cell to be marked bad", d -> "bad".equals(d.findElement(curlState).getDomAttribute("class")));
    }

    /** One service that prints a line and exits 3 at once: restarted, never running for long. */
    static Map<String, String> crashingWorkload() {
        Map<String, String> files = ApiServerTest.workload("hello");
        files.put("workloads/app/workload.yaml", "apiVersion: voltis/v1\n"
                + "files:\n  - {source: files/app.conf, target: etc/app.conf, template: true}\n"
                + "services:\n"
                + "  - {name: web, command: [sh, -c, \"echo boom; exit 3\"]}\n");
        return files;
    }

    String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    /** The visible texts of the row for {@code name} (rows are redrawn on every refresh, so read again if one goes). */
    List<String> row(String table, String name) {
        return waitFor("a row for " + name + " in #" + table, d -> {
            List<WebElement> rows = d.findElements(By.cssSelector("#" + table + " tbody tr"));
            for (WebElement r : rows) {
                List<String> cells = r.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
                if (!cells.isEmpty() && cells.get(0).equals(name)) {
                    return cells;
                }
            }
            return null;
        });
    }

    void waitForText(By locator, String expected) {
        waitFor(locator + " to read '" + expected + "'", d -> expected.equals(d.findElement(locator).getText()));
    }

    /** Waits (bounded) until {@code probe} gives a value; on timeout, says what the page showed. */
    <T> T waitFor(String what, Function<WebDriver, T> probe) {
        return new WebDriverWait(driver, WAIT, Duration.ofMillis(200))
                .ignoring(StaleElementReferenceException.class)
                .withMessage(() -> what + "; the page shows: " + pageState())
                .until(probe::apply);
    }

    String pageState() {
        try {
            return String.valueOf(((JavascriptExecutor) driver).executeScript(
                    "const t = id => (document.getElementById(id) || {}).textContent;"
                            + "return ['phase', 'summary', 'applied', 'live', 'error'].map(id => id + '=' + t(id)).join(', ')"
                            + " + ', services=' + document.querySelector('#services tbody').innerText.replace(/\\s+/g, ' ')"
                            + " + ', events=' + [...document.querySelectorAll('#events li')].slice(0, 5)"
                            + ".map(li => li.dataset.type).join(' ');"));
        } catch (RuntimeException e) {
            return "(cannot read it: " + e.getClass().getSimpleName() + ")";
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
