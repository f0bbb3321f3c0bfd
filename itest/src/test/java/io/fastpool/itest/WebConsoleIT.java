package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import io.fastpool.itest.support.Nginx;
import io.fastpool.itest.support.Waits;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Apache Felix Web Console, unmodified, on the built distribution with real nginx in front (the
 * shipped conf/nginx-fastpool.conf): the optional opt/webconsole/ jars are copied into deploy/ as an
 * operator would, and the console answers through Fastpool's own Servlet Whiteboard in a pool of its
 * own: its ServletContextHelper at /system/console asks for HTTP Basic credentials, its pages, the
 * resources it registers at /res/* and its JSON work, and it stops and starts a bundle. The
 * distribution listens on its unix socket and a free TCP port, never 9000 ({@link FrontedDistribution}).
 *
 * <p>Prints two figures: the time from the jars' arrival in deploy/ to the console's first 200, and
 * the process's heap after a full collection before and after (the status page has no heap per pool).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebConsoleIT {

    private static final String CREDENTIALS = "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8));
    private static final String SAMPLE = "io.fastpool.samples.hello";

    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static FrontedDistribution fastpool;
    static Nginx nginx;
    static long heapBeforeKiB;
    static long firstAnswerMillis;

    @BeforeAll
    static void deployTheConsole() throws Exception {
        Path work = FrontedDistribution.workFolder("webconsole-it", false);
        fastpool = FrontedDistribution.start(work);
        String site = fastpool.shippedFront("nginx-fastpool.conf", "PORT").replace("include fastcgi_params;",
                "include /etc/nginx/fastcgi_params;");
        nginx = Nginx.start(work.resolve("nginx"), site);
        heapBeforeKiB = heapAfterFullCollection();

        long copied = System.nanoTime();
        copyIntoDeploy(fastpool.home().resolve("opt/webconsole"), fastpool.home().resolve("deploy"), work);
        Waits.await(Duration.ofSeconds(60), "the Web Console to answer /system/console/bundles with 200 (log: " + work + ")",
                () -> statusOf("/system/console/bundles") == 200);
        firstAnswerMillis = (System.nanoTime() - copied) / 1_000_000;
        System.out.printf("Web Console: %d ms from copying opt/webconsole/*.jar into deploy/ to the first 200 through nginx%n",
                firstAnswerMillis);
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        if (fastpool != null) {
            fastpool.close();
        }
    }

    @Test
    @Order(1)
    void withoutCredentialsTheConsoleAsksForThemWith401() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(nginx.url("/system/console/bundles"))));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(value -> assertThat(value).startsWith("Basic realm="));
    }

    @Test
    @Order(2)
    void theBundlesPageAndTheStylesAndScriptsItLinksLoad() throws Exception {
        HttpResponse<String> page = authorized("/system/console/bundles");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("<title>Apache Felix Web Console - Bundles</title>");

        List<String> linked = linked(page.body(), "/system/console/res/");
        assertThat(linked).as("stylesheets and scripts the page links").contains("/system/console/res/ui/webconsole.css")
                .anyMatch(path -> path.endsWith(".js"));
        for (String path : linked) {
            HttpResponse<String> resource = authorized(path);
            assertThat(resource.statusCode()).as(path).isEqualTo(200);
            assertThat(resource.body()).as(path).isNotEmpty();
        }
        assertThat(authorized("/system/console/res/ui/webconsole.css").headers().firstValue("Content-Type")).hasValue("text/css");
        assertThat(authorized("/system/console").statusCode()).as("the console's root redirects to its default page").isEqualTo(302);
    }

    @Test
    @Order(3)
    void bundlesJsonListsTheBundles() throws Exception {
        HttpResponse<String> response = authorized("/system/console/bundles.json");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        List<Map<String, Object>> bundles = bundles();
        assertThat(bundles).extracting(bundle -> bundle.get("symbolicName"))
                .contains("org.apache.felix.webconsole", "io.fastpool.servlet", "io.fastpool.pool", SAMPLE);
    }

    @Test
    @Order(4)
    void aBundleStoppedThenStartedByPostChangesItsState() throws Exception {
        Object id = bundle(SAMPLE).get("id");
        assertThat(bundle(SAMPLE).get("state")).isEqualTo("Active");

        HttpResponse<String> stopped = post("/system/console/bundles/" + id, "action=stop");
        assertThat(stopped.statusCode()).isEqualTo(200);
        assertThat(bundle(SAMPLE).get("state")).isEqualTo("Resolved");

        HttpResponse<String> started = post("/system/console/bundles/" + id, "action=start");
        assertThat(started.statusCode()).isEqualTo(200);
        assertThat(bundle(SAMPLE).get("state")).isEqualTo("Active");
        assertThat(send(HttpRequest.newBuilder(URI.create(nginx.url("/hello")))).body()).isEqualTo("Hello, world!");
    }

    @Test
    @Order(5)
    void theConsoleRunsInAPoolOfItsOwnAndItsHeapIsMeasured() throws Exception {
        Map<String, Object> pool = poolNamed("org.apache.felix.webconsole");
        long heapAfterKiB = heapAfterFullCollection();
        @SuppressWarnings("unchecked")
        Map<String, Object> counters = (Map<String, Object>) pool.get("counters");
        System.out.printf("Web Console: process heap after a full collection %d KiB before deploying, %d KiB after its pages ran"
                + " (+%d KiB); its pool %s served %s requests, allocating %s bytes%n", heapBeforeKiB, heapAfterKiB,
                heapAfterKiB - heapBeforeKiB, pool.get("name"), counters.get("served"), counters.get("allocatedBytes"));
        assertThat(((Number) counters.get("served")).longValue()).isGreaterThan(0);
        assertThat(nginx.log()).as("nginx's errors").doesNotContain("[error]");
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** Copies every jar of {@code from} into {@code deploy}, each written beside it first and then moved in, as the README says. */
    private static void copyIntoDeploy(Path from, Path deploy, Path work) throws IOException {
        Path staging = Files.createDirectories(work.resolve("staging"));
        List<Path> jars;
        try (Stream<Path> files = Files.list(from)) {
            jars = files.filter(file -> file.toString().endsWith(".jar")).toList();
        }
        assertThat(jars).as("opt/webconsole/ of the built distribution").hasSizeGreaterThanOrEqualTo(2);
        for (Path jar : jars) {
            Files.copy(jar, staging.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        for (Path jar : jars) {
            Files.move(staging.resolve(jar.getFileName()), deploy.resolve(jar.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** The paths under {@code prefix} that {@code html} links as stylesheets and scripts. */
    private static List<String> linked(String html, String prefix) {
        List<String> paths = new ArrayList<>();
        Matcher matcher = Pattern.compile("(?:href|src)=[\"'](" + Pattern.quote(prefix) + "[^\"'?]+\\.(?:css|js))[\"']").matcher(html);
        while (matcher.find()) {
            paths.add(matcher.group(1));
        }
        return paths;
    }

    private static HttpResponse<String> authorized(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(nginx.url(path))).header("Authorization", CREDENTIALS));
    }

    private static HttpResponse<String> post(String path, String form) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(nginx.url(path))).header("Authorization", CREDENTIALS)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The status of an authorized GET of {@code path}, 0 when nginx cannot be reached. */
    private static int statusOf(String path) {
        try {
            return authorized(path).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> bundles() throws IOException, InterruptedException {
        return (List<Map<String, Object>>) (List<?>) JSON.std.mapFrom(authorized("/system/console/bundles.json").body()).get("data");
    }

    private static Map<String, Object> bundle(String symbolicName) throws IOException, InterruptedException {
        return bundles().stream().filter(bundle -> symbolicName.equals(bundle.get("symbolicName"))).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> poolNamed(String name) throws IOException {
        for (Object pool : (List<Object>) fastpool.status().get("pools")) {
            if (name.equals(((Map<String, Object>) pool).get("name"))) {
                return (Map<String, Object>) pool;
            }
        }
        throw new AssertionError("no pool " + name + " in the status JSON");
    }

    /** The server's used heap after a full collection, in KiB, read with jcmd. */
    private static long heapAfterFullCollection() throws IOException, InterruptedException {
        String pid = Long.toString(fastpool.serverPid());
        jcmd(pid, "GC.run");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(jcmd(pid, "GC.heap_info"));
        if (!used.find()) {
            throw new IOException("jcmd GC.heap_info printed no heap figure");
        }
        return Long.parseLong(used.group(1));
    }

    private static String jcmd(String pid, String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder("jcmd", pid, command).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jcmd.waitFor(30, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed: " + output);
        }
        return output;
    }
}
