package io.streamtrain.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.streamtrain.app.LearnerApp;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.dashboard.Dashboard;
import io.streamtrain.robustness.Topics.Raw;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard end to end, in a real headless Chromium (Debian's chromium, driven through its chromedriver by
 * Selenium): a learner on the real broker and registry trains while examples flow; the page, served by
 * {@link Dashboard} on 127.0.0.1, shows the model's card and its curves grow point by point, lists the snapshots the
 * learner publishes, the answer to a control command sent meanwhile, and the drift the learner detects once the
 * labels flip. A screenshot of the page is kept in
 * {@code target/dashboard-it/}. Chromium and chromedriver are required on CI ({@code .ci/run} installs them); on a
 * machine without them the test is skipped, saying so.
 */
@ExtendWith(RobustnessStack.Resolver.class)
class DashboardIT {

    private static final String PREFIX = "dash";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration BOUND = Duration.ofSeconds(90);
    private static final int FLIP_AT = 2_000;

    private final RobustnessStack stack;

    DashboardIT(RobustnessStack stack) {
        this.stack = stack;
    }

    @Test
    void thePageDrawsAModelsCurvesGrowingWhileExamplesFlow(@TempDir Path dir) throws Exception {
        boolean browser = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (System.getenv("CI") != null) {
            assertThat(browser).as("on CI, .ci/run installs Debian's chromium and chromium-driver: %s and %s",
                    CHROMIUM, CHROMEDRIVER).isTrue();
        }
        Assumptions.assumeTrue(browser, "no " + CHROMIUM + " and " + CHROMEDRIVER
                + " here (apt-get install chromium chromium-driver)");
        String examples = PREFIX + ".examples";
        stack.broker().createTopic(examples, 1, Map.of());
        ExamplesTopicCorpus corpus = new ExamplesTopicCorpus(stack.registryClient(), examples);
        Map<String, String> settings = stack.learnerSettings(PREFIX);
        settings.put(LearnerConfig.SNAPSHOT_EVERY_STEPS, "20");
        // the labels flip after FLIP_AT examples: the drift detectors see it, the page lists the event
        settings.put(LearnerConfig.DRIFT_DETECTORS, "page-hinkley,adwin");
        // shallow baselines race the network: the page shows each one's windowed figures
        settings.put(LearnerConfig.BASELINES, "majority,softmax-regression,gaussian-nb");
        Path config = CliRun.propertiesFile(dir.resolve("learner.properties"), settings);
        Map<String, Object> client = Map.of("bootstrap.servers", stack.broker().bootstrapServers());
        AtomicBoolean flowing = new AtomicBoolean(true);
        AtomicInteger produced = new AtomicInteger();
        Thread feeder = new Thread(() -> {
            Random random = new Random(5);
            while (flowing.get()) {
                List<Raw> batch = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    int n = produced.getAndIncrement();
                    Example e = ExamplesTopicCorpus.good("d" + n, random);
                    if (n >= FLIP_AT) {
                        e.setLabel(new ClassLabel(1 - ((ClassLabel) e.getLabel()).getIndex(), null));
                    }
                    batch.add(new Raw(ExamplesTopicCorpus.MODEL, corpus.bytes(e)));
                }
                Topics.produce(client, examples, batch);
                sleep(150);
            }
        }, "dashboard-it-feeder");

        LearnerConfig learnerConfig = new LearnerConfig(settings);
        try (LearnerApp learner = LearnerApp.start(learnerConfig);
             Dashboard dashboard = Dashboard.start(learnerConfig.consumerConfig(), learnerConfig.registryConfig(),
                     PREFIX, Duration.ofMinutes(10), "127.0.0.1", 0)) {
            assertThat(dashboard.url()).isEqualTo("http://127.0.0.1:" + dashboard.port() + "/");
            HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(dashboard.url())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                    csp -> assertThat(csp).startsWith("default-src 'self'"));
            feeder.start();
            WebDriver driver = chromium(dir);
            try {
                driver.get(dashboard.url());
                WebElement loss = await(driver, d -> d.findElements(By.cssSelector(
                        "section.model[data-model='m'] .chart-loss")).stream()
                        .filter(e -> points(e) >= 2).findFirst().orElse(null));
                int first = points(loss);
                int grown = await(driver, d -> points(loss) >= first + 3 ? points(loss) : null);
                assertThat(grown).as("points of the loss curve while examples flow").isGreaterThanOrEqualTo(first + 3);
                assertThat(loss.findElements(By.tagName("canvas"))).as("uPlot drew it").isNotEmpty();
                assertThat(loss.getText()).contains("Loss", "window", "prequential");
                WebElement card = driver.findElement(By.cssSelector("section.model[data-model='m']"));
                assertThat(card.findElement(By.cssSelector(".chart-quality")).getText()).contains("Accuracy");
                assertThat(points(card.findElement(By.cssSelector(".chart-rate")))).isPositive();
                assertThat(driver.findElement(By.id("connection")).getText()).isEqualTo("live");
                String facts = card.findElement(By.cssSelector(".facts")).getText();
                assertThat(facts).contains("version", "examples trained", "prequential accuracy", "CPU", "champion");
                // the race's table is drawn again with each window: read whole, and again if redrawn meanwhile
                List<List<String>> race = await(driver, d -> {
                    List<List<String>> rows = new ArrayList<>();
                    for (WebElement r : d.findElements(By.cssSelector(
                            "section.model[data-model='m'] table.race tr[data-contender]"))) {
                        rows.add(List.of(r.getAttribute("data-contender"), r.getText(),
                                String.valueOf(r.getAttribute("class"))));
                    }
                    return rows.size() == 4 ? rows : null;
                });
                assertThat(race).as("the race: the network and three baselines").extracting(r -> r.get(0))
                        .containsExactly("network", "majority", "softmax-regression", "gaussian-nb");
                assertThat(race.get(2).get(1)).matches("softmax-regression( ★)? [\\d.]+ [\\d.]+% [\\d,]+");
                List<String> champions = race.stream()
                        .filter(r -> List.of(r.get(2).split("\\s+")).contains("champion")).map(r -> r.get(0)).toList();
                assertThat(champions).as("one champion").hasSize(1);
                String champion = champions.get(0);
                if (!champion.equals("network")) {
                    String change = await(driver, d -> card.findElements(By.cssSelector(".events li.champion"))
                            .stream().map(WebElement::getText).filter(t -> t.contains(" leads (was "))
                            .findFirst().orElse(null));
                    assertThat(change).as("the change of lead that made %s champion", champion)
                            .matches("\\d\\d:\\d\\d:\\d\\d · champion: \\S+ leads \\(was \\S+\\) · windowed loss .+");
                }

                // the lists are drawn again with each window: each element is read as it is found
                String newest = await(driver, d -> card.findElements(By.cssSelector(".snapshots li")).stream()
                        .map(WebElement::getText).findFirst().orElse(null));
                assertThat(newest).matches(
                        "v\\d+ · \\d\\d:\\d\\d:\\d\\d · every-steps · [0-9.]+ MB · accuracy [0-9.]+%");

                CliRun snapshot = CliRun.of("control", "--config", config.toString(), "snapshot",
                        ExamplesTopicCorpus.MODEL);
                assertThat(snapshot.exitCode()).as("control snapshot: %s %s", snapshot.out(), snapshot.err())
                        .isZero();
                String answer = await(driver, d -> card.findElements(By.cssSelector(".events li")).stream()
                        .map(WebElement::getText).filter(t -> t.contains("snapshot: done")).findFirst()
                        .orElse(null));
                assertThat(answer).matches("\\d\\d:\\d\\d:\\d\\d · snapshot: done · .+");
                String drift = await(driver, d -> card.findElements(By.cssSelector(".events li")).stream()
                        .map(WebElement::getText).filter(t -> t.contains("drift (")).findFirst().orElse(null));
                assertThat(drift).as("a drift event, once the labels flipped after %d examples", FLIP_AT)
                        .matches("\\d\\d:\\d\\d:\\d\\d · drift \\((page-hinkley|adwin), error\\) at example d\\d+ "
                                + "\\(#\\d+, version \\d+\\) · statistic [0-9.,]+ · none: nothing changed .*");
                int at = Integer.parseInt(drift.replaceAll(".* at example d(\\d+) .*", "$1"));
                assertThat(at).as("detected after the flip").isGreaterThanOrEqualTo(FLIP_AT);
                assertThat(driver.findElement(By.id("feed")).getText()).contains("following", PREFIX + ".metrics",
                        PREFIX + ".events").doesNotContain("skipped");

                Path shots = Path.of("target", "dashboard-it");
                Files.createDirectories(shots);
                Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
                Files.copy(shot, shots.resolve("dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
                assertThat(Files.size(shots.resolve("dashboard.png"))).isGreaterThan(10_000);
            } finally {
                driver.quit();
                flowing.set(false);
                feeder.join(10_000);
            }
        }
    }

    private static WebDriver chromium(Path dir) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--user-data-dir=" + dir.resolve("chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    private static int points(WebElement chart) {
        String value = chart.getDomAttribute("data-points");
        return value == null ? 0 : Integer.parseInt(value);
    }

    /** The first non-null answer of {@code condition}, asked every 200 ms for at most {@link #BOUND}. */
    private static <T> T await(WebDriver driver, Function<WebDriver, T> condition) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        WebDriverException last = null;
        while (System.nanoTime() < deadline) {
            try {
                T answer = condition.apply(driver);
                if (answer != null) {
                    return answer;
                }
            } catch (WebDriverException e) {
                // an element redrawn between finding and reading it: ask again
                last = e;
            }
            sleep(200);
        }
        throw new AssertionError("the page did not show it within " + BOUND + "; the page's text:\n"
                + driver.findElement(By.tagName("body")).getText(), last);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
