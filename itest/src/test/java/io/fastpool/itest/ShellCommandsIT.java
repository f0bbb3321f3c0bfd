package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.apps.PooledApps;
import io.fastpool.itest.apps.PooledHello;
import io.fastpool.itest.support.Platform;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.TestBundles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.ServiceReference;

/** The fastpool: commands run through Felix Gogo in the real framework, as an operator types them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShellCommandsIT {

    static final String APP = "io.fastpool.itest.shelled";

    @Test
    void theCommandsShowAndOperateTheRunningPools() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target"), "shell-it").toAbsolutePath();
        Path socket = work.resolve("run/fastpool.sock");
        try (Platform platform = Platform.start(work.resolve("felix"), Map.of("io.fastpool.transport", Map.of(
                "listen", new String[] {"unix:" + socket})))) {
            platform.install(TestBundles.buildComponent(work.resolve("app"), APP, "1.0.0", PooledApps.IMPORTS, null,
                    PooledApps.component("/shelled"), PooledHello.class));
            Platform.await(Duration.ofSeconds(10), "the socket", () -> Files.exists(socket));
            Platform.await(Duration.ofSeconds(10), "the app", () -> get(socket, "/shelled").startsWith("200 OK Hello"));

            String pools = execute(platform, "fastpool:pools");
            assertThat(pools.lines().findFirst().orElseThrow()).startsWith("POOL").contains("STATE").contains("P99 MS");
            assertThat(pools).contains(APP).contains("RUNNING");

            assertThat(execute(platform, "fastpool:pool " + APP)).contains("pool " + APP + ": RUNNING", "served 1,", APP + "/hello");
            assertThat(execute(platform, "fastpool:apps")).contains(APP + "/hello");
            assertThat(execute(platform, "fastpool:stats")).startsWith("pools 1,").contains("served 1,");
            assertThat(execute(platform, "fastpool:routes")).startsWith("HOST").containsPattern("\\*\\s+\\*\\s+/shelled\\s+" + APP + "/");
            try (RawFcgiClient held = RawFcgiClient.unix(socket)) {
                held.get(1, true, "/shelled");
                String connections = execute(platform, "fastpool:connections -l");
                assertThat(connections).startsWith("LISTEN").containsPattern("unix:" + socket + "\\s+" + socket + "\\s+\\d+\\s+1\\s+0\\s+1\\s+0\\s+0\\n")
                        .contains("1 open connection (").containsPattern("\\d+\\s+unix:" + socket + "\\s+unix\\s+IDLE");
            }
            assertThat(execute(platform, "fastpool:requests --stack")).isEqualTo("no request in flight\n");

            assertThat(execute(platform, "fastpool:stop " + APP)).isEqualTo("pool " + APP + " stopped\n");
            assertThat(get(socket, "/shelled")).startsWith("503");
            assertThat(execute(platform, "fastpool:start " + APP)).isEqualTo("pool " + APP + " started\n");
            assertThat(get(socket, "/shelled")).startsWith("200 OK Hello");
            assertThat(execute(platform, "fastpool:pool nope")).contains("no pool named nope; pools: [" + APP + "]");
        }
    }

    @Test
    void everyCommandCalledWithTheWrongArgumentsSaysHowToCallIt() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target"), "shell-it").toAbsolutePath();
        try (Platform platform = Platform.start(work.resolve("felix"), Map.of("io.fastpool.transport", Map.of(
                "listen", new String[] {"unix:" + work.resolve("run/fastpool.sock")})))) {
            Map<String, String> wrongCalls = new java.util.LinkedHashMap<>();
            wrongCalls.put("fastpool:pools x", "usage: fastpool:pools (got 1 argument: x)");
            wrongCalls.put("fastpool:pool", "usage: fastpool:pool NAME (got no argument)");
            wrongCalls.put("fastpool:pool a b", "usage: fastpool:pool NAME (got 2 arguments: a b)");
            wrongCalls.put("fastpool:apps x", "usage: fastpool:apps (got 1 argument: x)");
            for (String operation : new String[] {"start", "stop", "restart", "recycle"}) {
                wrongCalls.put("fastpool:" + operation, "usage: fastpool:" + operation + " NAME (got no argument)");
            }
            wrongCalls.put("fastpool:requests x", "usage: fastpool:requests [-s|--stack] (got 1 argument: x)");
            wrongCalls.put("fastpool:stats x", "usage: fastpool:stats (got 1 argument: x)");
            wrongCalls.put("fastpool:routes x", "usage: fastpool:routes (got 1 argument: x)");
            wrongCalls.put("fastpool:connections x", "usage: fastpool:connections [-l|--list] (got 1 argument: x)");
            wrongCalls.put("fastpool:deploy", "usage: fastpool:deploy JAR (got no argument)");
            wrongCalls.put("fastpool:undeploy", "usage: fastpool:undeploy NAME (got no argument)");
            wrongCalls.put("fastpool:config a b", "usage: fastpool:config [PID|POOL] (got 2 arguments: a b)");
            wrongCalls.forEach((line, usage) -> {
                try {
                    String command = line.split(" ")[0];
                    assertThat(execute(platform, line)).as(line).isEqualTo("error: " + usage + "; help " + command + " says more");
                } catch (Exception e) {
                    throw new AssertionError(line, e);
                }
            });
            // The right calls still reach their commands.
            assertThat(execute(platform, "fastpool:pools")).isEqualTo("no pools: no app is deployed\n");
            assertThat(execute(platform, "fastpool:requests -s")).isEqualTo("no request in flight\n");
            assertThat(execute(platform, "fastpool:config io.fastpool.transport")).startsWith("io.fastpool.transport\n");
        }
    }

    private static String get(Path socket, String uri) {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            RawFcgiClient.Response response = client.get(1, true, uri);
            return response.httpStatus() + " " + response.body();
        } catch (Exception e) {
            return "unreachable";
        }
    }

    /** Runs a command line in a Gogo session; returns what the command returned and printed, or its error. */
    private static String execute(Platform platform, String line) throws Exception {
        ServiceReference<?>[] references = platform.context().getAllServiceReferences(
                "org.apache.felix.service.command.CommandProcessor", null);
        assertThat(references).as("Gogo's CommandProcessor").isNotNull();
        Object processor = platform.context().getService(references[0]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true);
        Method createSession = processor.getClass().getMethod("createSession",
                java.io.InputStream.class, java.io.OutputStream.class, java.io.OutputStream.class);
        createSession.setAccessible(true);
        Object session = createSession.invoke(processor, new ByteArrayInputStream(new byte[0]), print, print);
        Method execute = session.getClass().getMethod("execute", CharSequence.class);
        execute.setAccessible(true);
        try {
            Object result = execute.invoke(session, line);
            return (result == null ? "" : result.toString()) + out.toString();
        } catch (java.lang.reflect.InvocationTargetException e) {
            return "error: " + e.getCause().getMessage();
        } finally {
            Method close = session.getClass().getMethod("close");
            close.setAccessible(true);
            close.invoke(session);
        }
    }
}
