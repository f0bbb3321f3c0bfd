package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.apps.PooledApps;
import io.fastpool.itest.apps.PooledHello;
import io.fastpool.itest.support.Nginx;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.TestBundles;
import io.fastpool.itest.support.Waits;
import io.fastpool.itest.support.WebServerProcess;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The produced distribution, as an operator runs it: the folder copied elsewhere, started with
 * bin/fastpool as a process, real nginx in front with conf/nginx-fastpool.conf, apps deployed,
 * replaced and removed through deploy/, configuration changed through conf/.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistributionIT {

    static Path home;
    static Process server;
    static Path output;
    static Nginx nginx;
    static long startMillis;
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        Path built = Path.of(System.getProperty("distribution.dir"));
        if (!Files.isExecutable(built.resolve("bin/fastpool"))) {
            throw new IllegalStateException(built + " has no bin/fastpool: build the distribution module first");
        }
        Path work = Files.createTempDirectory(Path.of("target"), "distribution-it").toAbsolutePath();
        home = work.resolve("fastpool");
        output = work.resolve("server.log");
        long started = System.nanoTime();
        server = copyAndStart(built, home, output);
        Path socket = home.resolve("run/fastpool.sock");
        Waits.await(Duration.ofSeconds(20), "the server's socket (log: " + output + ")", () -> Files.exists(socket));
        Waits.await(Duration.ofSeconds(20), "/hello to answer", () -> answer("/hello").startsWith("200 OK Hello, world!"));
        startMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("distribution: from bin/fastpool to the first answer from /hello: %d ms%n", startMillis);
        String site = Files.readString(home.resolve("conf/nginx-fastpool.conf"))
                .replace("FASTPOOL_HOME", home.toString()).replace("127.0.0.1:8080", "127.0.0.1:PORT");
        nginx = Nginx.start(work.resolve("nginx"), site.replace("include fastcgi_params;", "include /etc/nginx/fastcgi_params;"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        stopServer(server);
    }

    /**
     * Copies the built distribution {@code built} to {@code home} and starts its bin/fastpool as a
     * process, as an operator does, its output going to {@code log}; returns at once.
     */
    static Process copyAndStart(Path built, Path home, Path log) throws IOException {
        copyTree(built, home);
        return new ProcessBuilder(home.resolve("bin/fastpool").toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    /** Stops a server started by {@link #copyAndStart} with SIGTERM, as systemd and Ctrl-C do; null or ended is fine. */
    static void stopServer(Process server) throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static String answer(String uri) {
        return answerFrom(home, uri);
    }

    /** The status, a space and the body of GET {@code uri} over a distribution's unix socket. */
    static String answerFrom(Path home, String uri) {
        try (RawFcgiClient client = RawFcgiClient.unix(home.resolve("run/fastpool.sock"))) {
            RawFcgiClient.Response response = client.get(1, true, uri);
            return response.httpStatus() + " " + response.body();
        } catch (IOException e) {
            return "unreachable: " + e.getMessage();
        }
    }

    static String viaNginx(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(nginx.url(path)))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    @Test
    @Order(1)
    void theSampleIsServedThroughNginxWithTheShippedConfiguration() throws Exception {
        assertThat(viaNginx("/hello?name=nginx")).isEqualTo("200 Hello, nginx!");
        assertThat(startMillis).as("start to serving, ms").isLessThan(20_000);
    }

    @Test
    @Order(1)
    void everyShippedSampleAnswers() throws Exception {
        Waits.await(Duration.ofSeconds(10), "the json sample", () -> answer("/json/hello").startsWith("200 OK"));
        assertThat(answer("/json/hello")).isEqualTo("200 OK {\"message\":\"Hello, World!\"}");
        assertThat(answer("/json/items?count=2")).isEqualTo("200 OK [{\"id\":1,\"name\":\"item 1\"},{\"id\":2,\"name\":\"item 2\"}]");
        assertThat(answer("/json/items?count=0")).startsWith("400 Bad Request {\"error\":");
        assertThat(answer("/echo/x?a=1")).startsWith("200 OK").contains("path: /echo/x").contains("a=1");
        assertThat(answer("/session")).isEqualTo("200 OK count 1");
        assertThat(answer("/slow?ms=10")).isEqualTo("200 OK slept 10 ms");
        assertThat(answer("/fail?mode=exception")).startsWith("500 Internal Server Error");
        assertThat(answer("/fail?mode=status&code=418")).startsWith("418");
        assertThat(viaNginx("/json/hello")).isEqualTo("200 {\"message\":\"Hello, World!\"}");
    }

    @Test
    @Order(1)
    void theServletSampleServesItsFormItsRedirectAndItsSessionThroughNginx() throws Exception {
        Waits.await(Duration.ofSeconds(10), "the servlet sample", () -> answer("/servlet/").startsWith("200 OK"));
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(nginx.url("/servlet/")))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).contains("<form method=\"post\" action=\"greet\">");
        assertThat(form.headers().firstValue("X-Served-By")).as("the whiteboard filter ran").hasValue("io.fastpool.samples.servlet");
        assertThat(form.headers().firstValue("Set-Cookie")).as("no session until the app asks").isEmpty();

        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(nginx.url("/servlet/greet")))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("name=Ad%C3%A1"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(302);
        String location = posted.headers().firstValue("Location").orElseThrow();
        assertThat(location).endsWith("/servlet/hello?name=Ad%C3%A1");

        HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create(nginx.url("/servlet/hello?name=Ad%C3%A1")))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(first.body()).isEqualTo("Hello, Adá! Visit 1 in this session.");
        String cookie = first.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        assertThat(cookie).startsWith("FPSESSION=");
        HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create(nginx.url("/servlet/hello?name=Ad%C3%A1")))
                .header("Cookie", cookie).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.body()).isEqualTo("Hello, Adá! Visit 2 in this session.");
        assertThat(command("exec", "fastpool:apps")).contains("io.fastpool.samples.servlet/servlet-whiteboard");
    }

    @Test
    @Order(1)
    void theServletSampleTakesAnUploadAnswersWithItsErrorPageAndServesItsStyleSheetThroughNginx() throws Exception {
        Waits.await(Duration.ofSeconds(10), "the servlet sample", () -> answer("/servlet/").startsWith("200 OK"));
        String boundary = "----fastpool-it-3c5e";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\nabc\r\n--" + boundary + "--\r\n";
        HttpResponse<String> uploaded = http.send(HttpRequest.newBuilder(URI.create(nginx.url("/servlet/upload")))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary).POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(uploaded.statusCode()).isEqualTo(200);
        assertThat(uploaded.body()).isEqualTo("Received notes.txt: 3 bytes, SHA-256 "
                + "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(nginx.url("/servlet/nope")))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).as("the app's own error page").contains("<h1>Error 404</h1>").contains("/servlet/nope");
        assertThat(missing.headers().firstValue("Content-Type")).hasValue("text/html;charset=UTF-8");

        HttpResponse<String> css = http.send(HttpRequest.newBuilder(URI.create(nginx.url("/servlet/static/servlet.css")))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(css.statusCode()).isEqualTo(200);
        assertThat(css.headers().firstValue("Content-Type")).hasValue("text/css");
        assertThat(css.body()).contains("font-family");
        String modified = css.headers().firstValue("Last-Modified").orElseThrow();
        HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create(nginx.url("/servlet/static/servlet.css")))
                .header("If-Modified-Since", modified).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).as("not modified since").isEqualTo(304);
    }

    @Test
    @Order(1)
    void theStatusPagePingAndAdviceAreShipped() throws Exception {
        assertThat(viaNginx("/fastpool-ping")).isEqualTo("200 pong");
        assertThat(answer("/fastpool-status?json")).startsWith("200 OK {").contains("\"io.fastpool.samples.hello\"")
                .contains("unix:run/fastpool.sock");
        assertThat(command("exec", "fastpool:advise")).startsWith("0 ");
    }

    @Test
    @Order(2)
    void theRequestCommandPrintsTheAnswerWithClearExitCodes() throws Exception {
        assertThat(command("request", "/hello?name=cli")).isEqualTo("0 Hello, cli!");
        // CGI's default status is 200: a 200 has no Status line, other statuses do.
        assertThat(command("request", "-c", "tcp:127.0.0.1:9000", "-i", "/hello")).startsWith("0 Content-Type: text/plain")
                .doesNotContain("Status:");
        assertThat(command("request", "-i", "/missing")).startsWith("1 Status: 404 Not Found\r\n");
        assertThat(command("request", "/missing")).startsWith("1 404 Not Found");
        assertThat(command("request", "nopath")).startsWith("2 fastpool request: PATH must start with '/'");
        assertThat(command("request", "-c", "unix:run/nothing.sock", "/hello")).startsWith("3 fastpool request: unix:run/nothing.sock:");
    }

    /** Runs bin/fastpool with these arguments; returns its exit code, a space, and what it printed. */
    static String command(String... args) throws Exception {
        java.util.List<String> line = new java.util.ArrayList<>(java.util.List.of(home.resolve("bin/fastpool").toString()));
        line.addAll(java.util.List.of(args));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return process.exitValue() + " " + printed;
    }

    @Test
    @Order(3)
    void aJarDroppedIntoDeployServesWithinTwoSecondsAndReplacingItSwapsTheApp() throws Exception {
        Path deploy = home.resolve("deploy");
        Path v1 = TestBundles.buildComponent(home.getParent().resolve("jars/v1"), "io.fastpool.itest.dropped", "1.0.0",
                PooledApps.IMPORTS, null, PooledApps.component("/dropped"), PooledHello.class);
        Path v2 = TestBundles.buildComponent(home.getParent().resolve("jars/v2"), "io.fastpool.itest.dropped", "2.0.0",
                PooledApps.IMPORTS, null, PooledApps.component("/dropped"), PooledHello.class);
        long dropped = System.nanoTime();
        copyAtomically(v1, deploy.resolve("dropped.jar"));
        Waits.await(Duration.ofSeconds(5), "the dropped app", () -> answer("/dropped").startsWith("200 OK Hello from version 1"));
        long millis = (System.nanoTime() - dropped) / 1_000_000;
        System.out.printf("distribution: jar dropped into deploy/ to first answer: %d ms%n", millis);
        assertThat(millis).isLessThan(2_000);

        copyAtomically(v2, deploy.resolve("dropped.jar"));
        Waits.await(Duration.ofSeconds(5), "the replaced app", () -> answer("/dropped").startsWith("200 OK Hello from version 2"));
        assertThat(viaNginx("/dropped")).startsWith("200 Hello from version 2");

        Files.delete(deploy.resolve("dropped.jar"));
        Waits.await(Duration.ofSeconds(5), "the removed app's route to go", () -> answer("/dropped").startsWith("404"));
        assertThat(answer("/hello")).startsWith("200 OK Hello, world!");
    }

    @Test
    @Order(4)
    void aCorruptJarIsLoggedByNameAndDisturbsNothing() throws Exception {
        Path corrupt = home.getParent().resolve("broken.jar");
        Files.writeString(corrupt, "this is not a zip file", StandardCharsets.UTF_8);
        copyAtomically(corrupt, home.resolve("deploy/broken.jar"));
        Waits.await(Duration.ofSeconds(5), "a log line naming broken.jar", () -> log().contains("broken.jar"));
        assertThat(answer("/hello")).startsWith("200 OK Hello, world!");
        Files.delete(home.resolve("deploy/broken.jar"));
    }

    @Test
    @Order(4)
    void shellCommandsRunInTheServerThroughExecOverAnOwnerOnlySocket() throws Exception {
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(home.resolve("run/shell.sock")))).isEqualTo("rw-------");
        String pools = command("exec", "fastpool:pools");
        assertThat(pools).startsWith("0 POOL").contains("io.fastpool.samples.hello").contains("RUNNING");
        assertThat(command("exec", "fastpool:routes")).startsWith("0 HOST").containsPattern("\\*\\s+\\*\\s+/hello\\s+io.fastpool.samples.hello/");
        assertThat(command("exec", "fastpool:apps")).containsPattern("io.fastpool.samples.hello\\s+0.1.0.SNAPSHOT\\s+io.fastpool.samples.hello\\s+RUNNING\\s+(yes|no)\\s+/hello\\s");
        assertThat(command("exec", "fastpool:connections")).startsWith("0 LISTEN").contains("unix:run/fastpool.sock")
                .contains("tcp:127.0.0.1:9000")
                .contains(System.getProperty("os.arch").equals("amd64") ? "(epoll)" : "(nio)"); // the shipped native epoll is x86-64
        assertThat(command("exec", "fastpool:pool nope")).startsWith("1 fastpool exec: no pool named nope; pools: [");
        assertThat(command("exec")).startsWith("2 fastpool exec: no command given");
        assertThat(command("exec", "fastpool:pool")).isEqualTo(
                "1 fastpool exec: usage: fastpool:pool NAME (got no argument); help fastpool:pool says more\n");
        assertThat(command("exec", "help fastpool:pool")).startsWith("0 ")
                .contains("pool - show one pool: settings, counters, latency and the requests in flight", "the pool's name");
    }

    @Test
    @Order(4)
    void deployAndUndeployThroughExecServeAndRemoveTheApp() throws Exception {
        Path jar = TestBundles.buildComponent(home.getParent().resolve("jars/execd"), "io.fastpool.itest.execd", "1.0.0",
                PooledApps.IMPORTS, null, PooledApps.component("/execd"), PooledHello.class);
        String deployed = command("exec", "fastpool:deploy " + jar);
        assertThat(deployed).matches("(?s)0 deployed io.fastpool.itest.execd 1.0.0 \\(bundle \\d+, ACTIVE\\) from deploy/.*\\.jar\n");
        assertThat(answer("/execd")).startsWith("200 OK Hello from version 1");
        assertThat(viaNginx("/execd")).startsWith("200 Hello from version 1");

        Path unresolvable = home.getParent().resolve("jars/unresolvable.jar");
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        manifest.getMainAttributes().putValue("Bundle-SymbolicName", "io.fastpool.itest.unresolvable");
        manifest.getMainAttributes().putValue("Import-Package", "com.example.nowhere");
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(unresolvable), manifest)) {
            out.flush();
        }
        assertThat(command("exec", "fastpool:deploy " + unresolvable)).startsWith("1 fastpool exec: deployed io.fastpool.itest.unresolvable")
                .contains("INSTALLED, not started: it imports packages no bundle exports: com.example.nowhere");
        Waits.await(Duration.ofSeconds(5), "FileInstall's log line naming the jar and the missing package", () -> log().lines()
                .anyMatch(line -> line.contains("unresolvable.jar")) && log().contains("osgi.wiring.package=com.example.nowhere"));
        assertThat(Files.readString(home.resolve("log/fastpool.0.log"))).as("the reason is in log/, not only on the console")
                .contains("unresolvable.jar").contains("com.example.nowhere");
        assertThat(command("exec", "fastpool:undeploy io.fastpool.itest.unresolvable")).startsWith("0 undeployed io.fastpool.itest.unresolvable");

        assertThat(command("exec", "fastpool:undeploy io.fastpool.itest.execd")).matches(
                "(?s)0 undeployed io.fastpool.itest.execd 1.0.0 \\(bundle \\d+\\): removed deploy/.*\\.jar\n");
        Waits.await(Duration.ofSeconds(5), "the undeployed app's route to go", () -> answer("/execd").startsWith("404"));
        assertThat(command("exec", "fastpool:undeploy io.fastpool.transport")).startsWith("1 fastpool exec: io.fastpool.transport")
                .contains("only apps in deploy/ can be undeployed");
        assertThat(answer("/hello")).startsWith("200 OK Hello, world!");
    }

    @Test
    @Order(5)
    void aChangedTransportCfgOpensANewListenerAtRuntime() throws Exception {
        int port = WebServerProcess.freePort();
        Path cfg = home.resolve("conf/io.fastpool.transport.cfg");
        String changed = Files.readString(cfg).replace("listen = unix:run/fastpool.sock, tcp:127.0.0.1:9000",
                "listen = unix:run/fastpool.sock, tcp:127.0.0.1:9000, tcp:127.0.0.1:" + port);
        assertThat(changed).contains("tcp:127.0.0.1:" + port);
        Path temporary = cfg.resolveSibling("transport.tmp");
        Files.writeString(temporary, changed);
        Files.move(temporary, cfg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Waits.await(Duration.ofSeconds(10), "the new TCP listener", () -> {
            try (RawFcgiClient client = RawFcgiClient.tcp(port)) {
                return client.get(1, true, "/hello").body().equals("Hello, world!");
            } catch (IOException e) {
                return false;
            }
        });
        assertThat(viaNginx("/hello")).isEqualTo("200 Hello, world!");
    }

    @Test
    @Order(5)
    void switchingOnAPoolsAccessLogInItsCfgAppliesAtRuntime() throws Exception {
        Path cfg = home.resolve("conf/io.fastpool.pool~io.fastpool.samples.hello.cfg");
        String changed = Files.readString(cfg).replace("#accessLog = log/access-hello.log", "accessLog = log/access-hello.log");
        assertThat(changed).contains("\naccessLog = log/access-hello.log");
        Path temporary = cfg.resolveSibling("hello.tmp");
        Files.writeString(temporary, changed);
        Files.move(temporary, cfg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Path accessLog = home.resolve("log/access-hello.log");
        Waits.await(Duration.ofSeconds(10), "an access log line for /hello?name=log", () -> {
            answer("/hello?name=log");
            try {
                return Files.exists(accessLog) && Files.readString(accessLog).contains("\"GET /hello?name=log\" 200 ");
            } catch (IOException e) {
                return false;
            }
        });
        String line = Files.readAllLines(accessLog).stream().filter(l -> l.contains("/hello?name=log")).findFirst().orElseThrow();
        assertThat(line).matches("127\\.0\\.0\\.1 \\[[^]]+\\] \"GET /hello\\?name=log\" 200 \\d+\\.\\d{3} \\d+ \\d+\\.\\d{3} io.fastpool.samples.hello");
    }

    @Test
    @Order(6)
    void stoppingTheServerRemovesItsSocketAndPidFile() throws Exception {
        server.destroy(); // SIGTERM, as systemd and Ctrl-C do
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).as("a graceful stop exits with 0").isZero();
        assertThat(home.resolve("run/fastpool.sock")).doesNotExist();
        assertThat(home.resolve("run/fastpool.pid")).doesNotExist();
        assertThat(home.resolve("run/cache")).as("the process's own Felix cache is removed").isEmptyDirectory();
        // The fail sample's exception is logged on purpose; what must not be there is a restarted
        // deploy/ watcher or a bundle that could not start.
        assertThat(log()).doesNotContain("exiting because of interruption").doesNotContain("could not start bundle");
    }

    static String log() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "";
        }
    }

    static void copyAtomically(Path jar, Path target) throws IOException {
        Path temporary = target.resolveSibling("." + target.getFileName() + ".part");
        Files.copy(jar, temporary, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
