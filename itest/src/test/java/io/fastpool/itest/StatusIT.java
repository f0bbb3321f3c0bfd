package io.fastpool.itest;

import static io.fastpool.itest.support.InFramework.configureFactory;
import static io.fastpool.itest.support.InFramework.install;
import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import com.fasterxml.jackson.jr.ob.JSON;
import io.fastpool.itest.apps.TestApps;
import io.fastpool.itest.support.ExternalTool;
import io.fastpool.itest.support.Nginx;
import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.WebServerProcess;
import io.fastpool.pool.PoolManager;
import io.fastpool.pool.PoolSnapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.cm.ConfigurationAdminOptions;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The status bundle on the real platform: ping, the JSON figures, status while the app pools
 * cannot serve, the allowed-clients check, the metrics text through real parsers (promtool, and the
 * OpenMetrics parser of the Prometheus Python client), and the dashboard in headless Chromium
 * behind real nginx.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StatusIT {

    /** A pool of one thread and a queue of one: easy to saturate. */
    static final String SMALL = "io.fastpool.itest.statussmall";
    static final String OTHER = "io.fastpool.itest.statusother";

    @Rule
    public final Timeout timeout = Timeout.seconds(180);

    @Inject
    BundleContext context;
    @Inject
    ConfigurationAdmin configurationAdmin;
    @Inject
    PoolManager pools;
    @Inject
    CommandProcessor processor;

    static Path work;
    static Path socket;
    static int tcpPort;
    /** Whether this platform (one for the class) has its two apps yet: the first test installs them. */
    static boolean appsInstalled;

    /** The platform with the status bundle; the apps built here, installed once SMALL's pool is configured. */
    @Configuration
    public Option[] platform() throws IOException {
        Path work = PlatformOptions.workFolder("status-it");
        int tcpPort = WebServerProcess.freePort();
        TestApps.pooledHelloJar(work.resolve("small"), SMALL, "1.0.0", Map.of("fastpool.mount.path", "/small"));
        TestApps.pooledHelloJar(work.resolve("other"), OTHER, "1.0.0", Map.of("fastpool.mount.path", "/other"));
        return new Option[] {
            PlatformOptions.platform(PlatformOptions.transportOn(work.resolve("run/fastpool.sock"), tcpPort),
                    ConfigurationAdminOptions.newConfiguration("io.fastpool.status").put("sampleIntervalSeconds", 1)),
            PlatformOptions.bundleNamedBy("bundle.status"),
            mavenBundle("com.fasterxml.jackson.jr", "jackson-jr-objects").versionAsInProject(),
            systemProperty("status-it.work").value(work.toString()),
            systemProperty("status-it.port").value(Integer.toString(tcpPort))};
    }

    @Before
    public void start() throws Exception {
        work = Path.of(System.getProperty("status-it.work"));
        socket = work.resolve("run/fastpool.sock");
        tcpPort = Integer.getInteger("status-it.port");
        if (!appsInstalled) {
            configureFactory(configurationAdmin, "io.fastpool.pool", SMALL, Map.of("maxThreads", 1, "queueLength", 1, "idleTimeout", "1h"));
            install(context, work.resolve("small").resolve(SMALL + "-1.0.0.jar"));
            install(context, work.resolve("other").resolve(OTHER + "-1.0.0.jar"));
            appsInstalled = true;
        }
        await(Duration.ofSeconds(10), "the socket", () -> Files.exists(socket));
        await(Duration.ofSeconds(10), "both apps and the status page", () -> get("/small").startsWith("200")
                && get("/other").startsWith("200") && get("/fastpool-ping").startsWith("200"));
    }

    @After
    public void checkLeaks() {
        OsgiNettyLeaks.assertNone();
    }

    /** The status line and body of a GET over the unix socket, or "unreachable". */
    static String get(String uri) {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            RawFcgiClient.Response response = client.get(1, true, uri);
            return response.httpStatus() + " " + response.body();
        } catch (Exception e) {
            return "unreachable " + e;
        }
    }

    static RawFcgiClient.Response request(String uri, String remoteAddress) throws Exception {
        List<Map.Entry<String, String>> params = RawFcgiClient.params("GET", uri, "REMOTE_ADDR", remoteAddress);
        try (RawFcgiClient client = RawFcgiClient.tcp(tcpPort)) {
            client.send(RawFcgiClient.requestBytes(1, true, params, new byte[0]));
            return client.await(1);
        }
    }

    static String header(RawFcgiClient.Response response, String name) {
        String head = response.stdout.toString();
        head = head.substring(0, Math.max(0, head.indexOf("\r\n\r\n")));
        return head.lines().filter(line -> line.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                .map(line -> line.substring(name.length() + 1).trim()).findFirst().orElse(null);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        return (List<Object>) value;
    }

    static Map<String, Object> statusJson() throws Exception {
        RawFcgiClient.Response response = request("/fastpool-status?json", "127.0.0.1");
        assertThat(response.httpStatus()).as(response.stdout.toString()).isEqualTo("200 OK");
        assertThat(header(response, "Content-Type")).startsWith("application/json");
        return JSON.std.mapFrom(response.body());
    }

    /** Requests in the pool's last completed interval, as the JSON says; -1 when it cannot be read. */
    static long lastIntervalRequests(String pool) {
        try {
            Map<String, Object> interval = map(poolIn(statusJson(), pool).get("lastInterval"));
            return ((Number) map(interval.get("latencyMicros")).get("count")).longValue();
        } catch (Exception e) {
            return -1;
        }
    }

    static Map<String, Object> poolIn(Map<String, Object> status, String name) {
        return list(status.get("pools")).stream().map(StatusIT::map).filter(p -> name.equals(p.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no pool " + name + " in " + status.get("pools")));
    }

    @Test
    public void pingAnswersPongAsPlainText() throws Exception {
        RawFcgiClient.Response ping = request("/fastpool-ping", "198.51.100.20");
        assertThat(ping.httpStatus()).isEqualTo("200 OK");
        assertThat(ping.body()).isEqualTo("pong");
        assertThat(header(ping, "Content-Type")).startsWith("text/plain");
    }

    @Test
    public void theJsonHasEveryPoolAndTheListenAddressesWithTheirConnections() throws Exception {
        Map<String, Object> status = statusJson();
        assertThat(list(status.get("pools"))).extracting(p -> map(p).get("name")).containsExactlyInAnyOrder(SMALL, OTHER);
        Map<String, Object> small = poolIn(status, SMALL);
        assertThat(small).containsEntry("state", "RUNNING").containsEntry("maxThreads", 1).containsEntry("queueLength", 1);
        assertThat(((Number) map(small.get("counters")).get("served")).longValue()).isPositive();
        assertThat(map(small.get("fpm"))).containsKeys("accepted conn", "listen queue", "max listen queue", "idle processes",
                "active processes", "total processes", "max active processes", "slow requests");
        assertThat(map(small.get("latencyMicros"))).containsKeys("p50", "p90", "p99", "max");
        assertThat(map(small.get("lastInterval"))).containsKeys("start", "end", "lengthSeconds", "latencyMicros", "queueWaitMicros");
        assertThat(map(map(small.get("lastInterval")).get("latencyMicros"))).containsKeys("count", "p50", "p90", "p99", "max");

        List<Object> listeners = list(status.get("listeners"));
        assertThat(listeners).extracting(l -> map(l).get("listen")).containsExactly("unix:" + socket, "tcp:127.0.0.1:" + tcpPort);
        Map<String, Object> tcp = map(listeners.get(1));
        assertThat(((Number) tcp.get("accepted")).longValue()).as("this request's connection at least").isPositive();
        assertThat(((Number) tcp.get("open")).intValue()).isPositive();
        assertThat(((Number) tcp.get("active")).intValue()).as("this request is in flight on it").isPositive();
        assertThat(tcp).containsKeys("idle", "held", "refused");
        Map<String, Object> requests = map(status.get("requests"));
        assertThat(((Number) map(requests.get("responses")).get("2xx")).longValue()).isPositive();
        Map<String, Object> server = map(status.get("server"));
        assertThat(server).containsKeys("startTime", "uptimeSeconds", "statusStartTime").containsEntry("transportRunning", true);
        assertThat(status).containsKeys("advice", "history");
    }

    @Test
    public void statusAnswersWhileTheSmallPoolIsSaturatedAndTheOtherStopped() throws Exception {
        pools.stop(OTHER);
        try (RawFcgiClient app = RawFcgiClient.unix(socket)) {
            app.send(RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", "/small?mode=sleep&ms=3000"), new byte[0]));
            await(Duration.ofSeconds(10), "the small pool's thread to be busy", () -> pool(SMALL).busyThreads() == 1);
            app.send(RawFcgiClient.requestBytes(2, true, RawFcgiClient.params("GET", "/small?mode=sleep&ms=10"), new byte[0]));
            await(Duration.ofSeconds(10), "a request waiting in the small pool's queue", () -> pool(SMALL).queued() == 1);
            app.send(RawFcgiClient.requestBytes(3, true, RawFcgiClient.params("GET", "/small"), new byte[0]));
            RawFcgiClient.Response refused = app.await(3);
            assertThat(refused.httpStatus()).as("the app: thread busy, queue full").isEqualTo("503 Service Unavailable");
            assertThat(get("/other")).as("the other app: stopped").startsWith("503");

            long start = System.nanoTime();
            Map<String, Object> status = statusJson();
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("status page while every app pool is saturated or stopped: 200 in %d ms%n", millis);
            Map<String, Object> small = poolIn(status, SMALL);
            assertThat(small).containsEntry("busyThreads", 1).containsEntry("queued", 1);
            assertThat(((Number) map(small.get("counters")).get("rejected")).longValue()).isPositive();
            assertThat(poolIn(status, OTHER)).containsEntry("state", "STOPPED");
            assertThat(get("/fastpool-ping")).isEqualTo("200 OK pong");
            assertThat(request("/fastpool-status?openmetrics", "127.0.0.1").httpStatus()).isEqualTo("200 OK");

            assertThat(app.await(1).httpStatus()).isEqualTo("200 OK");
            assertThat(app.await(2).httpStatus()).isEqualTo("200 OK");
        } finally {
            pools.start(OTHER);
        }
    }

    private PoolSnapshot pool(String name) {
        return pools.pool(name).orElseThrow(() -> new AssertionError("no pool " + name));
    }

    @Test
    public void aClientOutsideAllowedClientsIsRefused403AndSeesNoFigures() throws Exception {
        for (String address : new String[] {"192.0.2.44", "10.1.2.3", "2001:db8::7"}) {
            for (String uri : new String[] {"/fastpool-status", "/fastpool-status?json", "/fastpool-status?openmetrics"}) {
                RawFcgiClient.Response refused = request(uri, address);
                assertThat(refused.httpStatus()).as(address + " " + uri).isEqualTo("403 Forbidden");
                assertThat(refused.body()).contains("allowedClients").doesNotContain(SMALL, "fastpool_pool");
            }
        }
        assertThat(request("/fastpool-status?json", "::1").httpStatus()).isEqualTo("200 OK");
    }

    @Test
    public void fastpoolAdviseInTheShellGivesTheAdviceOfTheJson() throws Exception {
        pools.stop(OTHER);
        try {
            String advice = execute("fastpool:advise");
            assertThat(advice).contains("INFO    pool " + OTHER + " is stopped and answers 503; fastpool:start " + OTHER);
            List<Object> rules = list(statusJson().get("advice"));
            assertThat(rules).extracting(a -> map(a).get("rule") + " " + map(a).get("pool")).contains("poolStopped " + OTHER);
            assertThat(advice.lines().filter(line -> line.startsWith("WARNING ") || line.startsWith("INFO    ")).count())
                    .as("one paragraph per piece of advice in the JSON:%n%s", advice).isEqualTo(rules.size());
        } finally {
            pools.start(OTHER);
        }
    }

    /** Runs a command line in a Gogo session; returns what the command returned and printed. */
    private String execute(String line) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print);
        try {
            Object result = session.execute(line);
            return (result == null ? "" : result.toString()) + out.toString(StandardCharsets.UTF_8);
        } finally {
            session.close();
        }
    }

    @Test
    public void theMetricsPassRealParsers() throws Exception {
        get("/small");
        RawFcgiClient.Response openMetrics = request("/fastpool-status?openmetrics", "127.0.0.1");
        assertThat(openMetrics.httpStatus()).isEqualTo("200 OK");
        assertThat(header(openMetrics, "Content-Type")).isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
        String text = openMetrics.body();
        assertThat(text).endsWith("# EOF\n").contains("fastpool_pool_served_total{pool=\"" + SMALL + "\"}");

        // The OpenMetrics parser of the Prometheus project's Python client: strict about OpenMetrics 1.0.
        ExternalTool python = ExternalTool.require("python3 python3-prometheus-client", "/usr/bin/python3");
        ExternalTool.Result parsed = python.run(Duration.ofSeconds(60), text, "-c", """
                import sys
                try:
                    from prometheus_client.openmetrics.parser import text_string_to_metric_families
                except ImportError as e:
                    print("the Prometheus Python client is missing: apt-get install -y python3-prometheus-client (" + str(e) + ")")
                    sys.exit(3)
                for family in text_string_to_metric_families(sys.stdin.read()):
                    print(family.name, family.type, len(family.samples))
                """);
        assertThat(parsed.exitCode()).as("OpenMetrics parser: %s%s", parsed.output(), parsed.errors()).isZero();
        assertThat(parsed.output()).contains("fastpool_pool_served counter 2", "fastpool_pool_latency_seconds summary 8",
                "fastpool_connections_accepted counter 2", "fastpool_responses counter 5", "fastpool_pool_state gauge 12");

        // promtool parses and lints the Prometheus text format: no parse error, no lint problem.
        ExternalTool promtool = ExternalTool.require("prometheus", "/usr/bin/promtool", "/usr/local/bin/promtool");
        RawFcgiClient.Response prometheus = request("/fastpool-status?prometheus", "127.0.0.1");
        assertThat(header(prometheus, "Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        ExternalTool.Result lint = promtool.run(Duration.ofSeconds(60), prometheus.body(), "check", "metrics");
        assertThat(lint.exitCode()).as("promtool check metrics on ?prometheus: %s%s", lint.output(), lint.errors()).isZero();
        assertThat(lint.output() + lint.errors()).isBlank();
        // promtool 2.42 reads the OpenMetrics text as the older format (# EOF and # UNIT are comments there): it must
        // parse it; its only remarks may be that a counter's samples (x_total) lack the help text of their family (x),
        // which is how OpenMetrics names counters.
        ExternalTool.Result lintOpenMetrics = promtool.run(Duration.ofSeconds(60), text, "check", "metrics");
        assertThat(lintOpenMetrics.output().lines().toList()).as("promtool on ?openmetrics: %s", lintOpenMetrics.errors())
                .allSatisfy(line -> assertThat(line).matches("fastpool_[a-z_]+_total no help text"));
        assertThat(lintOpenMetrics.errors()).doesNotContain("error while linting", "parsing error");
        assertThat(lintOpenMetrics.exitCode()).as("0, or 3 for lint remarks only (1 would be a parse error)").isIn(0, 3);
    }

    @Test
    public void theDashboardDrawsEveryPoolInHeadlessChromiumBehindNginx() throws Exception {
        for (int i = 0; i < 20; i++) {
            get("/small");
            get("/other");
        }
        Thread.sleep(2500); // two more history samples (sampleIntervalSeconds=1) with the traffic in them
        // The latency chart plots each sample's last 5 s interval: wait for one that holds the traffic.
        await(Duration.ofSeconds(15), "an interval holding the traffic in both pools",
                () -> lastIntervalRequests(SMALL) > 0 && lastIntervalRequests(OTHER) > 0);
        ExternalTool chromium = ExternalTool.require("chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser",
                "/usr/bin/google-chrome");
        try (Nginx nginx = Nginx.start(work.resolve("nginx"), """
                server {
                    listen 127.0.0.1:PORT;
                    access_log logs/status-access.log;
                    location / { include /etc/nginx/fastcgi_params; fastcgi_pass unix:%s; }
                }
                """.formatted(socket))) {
            String url = nginx.url("/fastpool-status");
            Path profile = Files.createDirectories(work.resolve("chromium-profile"));
            List<String> flags = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--user-data-dir=" + profile, "--virtual-time-budget=8000", "--window-size=1280,1600");
            List<String> dump = new ArrayList<>(flags);
            dump.add("--dump-dom");
            dump.add(url);
            ExternalTool.Result dom = chromium.run(Duration.ofSeconds(90), null, dump.toArray(String[]::new));
            assertThat(dom.exitCode()).as("chromium --dump-dom: %s", dom.errors()).isZero();
            String html = dom.output();
            assertThat(html).as("the script replaced the static tables (chromium: %s; nginx: %s)", dom.errors(), nginx.log())
                    .contains("<main id=\"app\" data-mode=\"live\">");
            assertThat(html).contains("data-pool=\"" + SMALL + "\"", "data-pool=\"" + OTHER + "\"");
            assertThat(html.split("<h2>Listen addresses</h2>", -1)).as("the server's tables, kept by the script: once each")
                    .hasSize(2);
            assertThat(html.split("<h2>Responses</h2>", -1)).hasSize(2);
            assertThat(html).contains("<td>unix:" + socket + "</td>", "<td>tcp:127.0.0.1:" + tcpPort + "</td>");
            assertThat(html).as("the last fetch of ?json succeeded").containsPattern("id=\"updated\"[^>]*>live, updated ");
            assertThat(html.split("<canvas", -1)).as("two server charts and three per pool, drawn from two samples or more")
                    .hasSize(1 + 2 + 3 * 2);

            Path screenshot = Path.of("target", "status-dashboard.png").toAbsolutePath();
            Files.deleteIfExists(screenshot);
            List<String> shot = new ArrayList<>(flags);
            shot.add("--screenshot=" + screenshot);
            shot.add(url);
            ExternalTool.Result taken = chromium.run(Duration.ofSeconds(90), null, shot.toArray(String[]::new));
            assertThat(taken.exitCode()).as("chromium --screenshot: %s", taken.errors()).isZero();
            assertThat(screenshot).exists();
            byte[] png = Files.readAllBytes(screenshot);
            assertThat(png.length).isGreaterThan(10_000);
            assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
            System.out.println("dashboard screenshot: " + screenshot + " (" + png.length + " bytes)");

            // Everything the browser asked for: the page and its figures, nothing else (no icon, no script, no style).
            java.util.regex.Matcher requested = java.util.regex.Pattern.compile("\"[A-Z]+ (\\S+) HTTP/")
                    .matcher(Files.readString(work.resolve("nginx/logs/status-access.log")));
            List<String> paths = new ArrayList<>();
            while (requested.find()) {
                paths.add(requested.group(1));
            }
            assertThat(paths).contains("/fastpool-status", "/fastpool-status?json")
                    .allSatisfy(path -> assertThat(path).isIn("/fastpool-status", "/fastpool-status?json"));
        }
    }
}
