package io.fastpool.itest;

import static io.fastpool.itest.support.InFramework.install;
import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.itest.apps.TestApps;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.BundleContext;

/** The fastpool: commands run through Felix Gogo in the real framework, as an operator types them. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class ShellCommandsIT {

    static final String APP = "io.fastpool.itest.shelled";

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    @Inject
    BundleContext context;
    @Inject
    CommandProcessor processor;

    Path work;
    Path socket;

    /** A fresh platform per test; the app bundle built here, installed by the test that wants it. */
    @Configuration
    public Option[] platform() {
        Path work = PlatformOptions.workFolder("shell-it");
        TestApps.pooledHelloJar(work.resolve("app"), APP, "1.0.0", Map.of("fastpool.mount.path", "/shelled"));
        return new Option[] {PlatformOptions.platform(PlatformOptions.transportOn(work.resolve("run/fastpool.sock"))),
            systemProperty("shell-it.work").value(work.toString())};
    }

    @Before
    public void start() {
        work = Path.of(System.getProperty("shell-it.work"));
        socket = work.resolve("run/fastpool.sock");
        await(Duration.ofSeconds(10), "the socket", () -> Files.exists(socket));
    }

    @Test
    public void theCommandsShowAndOperateTheRunningPools() throws Exception {
        install(context, work.resolve("app").resolve(APP + "-1.0.0.jar"));
        await(Duration.ofSeconds(10), "the app", () -> get(socket, "/shelled").startsWith("200 OK Hello"));

        String pools = execute("fastpool:pools");
        assertThat(pools.lines().findFirst().orElseThrow()).startsWith("POOL").contains("STATE").contains("P99 MS");
        assertThat(pools).contains(APP).contains("RUNNING");

        assertThat(execute("fastpool:pool " + APP)).contains("pool " + APP + ": RUNNING", "served 1,", APP + "/hello");
        assertThat(execute("fastpool:apps")).contains(APP + "/hello");
        assertThat(execute("fastpool:stats")).startsWith("pools 1,").contains("served 1,");
        assertThat(execute("fastpool:routes")).startsWith("HOST").containsPattern("\\*\\s+\\*\\s+/shelled\\s+" + APP + "/");
        try (RawFcgiClient held = RawFcgiClient.unix(socket)) {
            held.get(1, true, "/shelled");
            String connections = execute("fastpool:connections -l");
            assertThat(connections).startsWith("LISTEN").containsPattern("unix:" + socket + "\\s+" + socket + "\\s+\\d+\\s+1\\s+0\\s+1\\s+0\\s+0\\n")
                    .contains("1 open connection (").containsPattern("\\d+\\s+unix:" + socket + "\\s+unix\\s+IDLE");
        }
        assertThat(execute("fastpool:requests --stack")).isEqualTo("no request in flight\n");

        assertThat(execute("fastpool:stop " + APP)).isEqualTo("pool " + APP + " stopped\n");
        assertThat(get(socket, "/shelled")).startsWith("503");
        assertThat(execute("fastpool:start " + APP)).isEqualTo("pool " + APP + " started\n");
        assertThat(get(socket, "/shelled")).startsWith("200 OK Hello");
        assertThat(execute("fastpool:pool nope")).contains("no pool named nope; pools: [" + APP + "]");
    }

    @Test
    public void everyCommandCalledWithTheWrongArgumentsSaysHowToCallIt() throws Exception {
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
                assertThat(execute(line)).as(line).isEqualTo("error: " + usage + "; help " + command + " says more");
            } catch (Exception e) {
                throw new AssertionError(line, e);
            }
        });
        // The right calls still reach their commands.
        assertThat(execute("fastpool:pools")).isEqualTo("no pools: no app is deployed\n");
        assertThat(execute("fastpool:requests -s")).isEqualTo("no request in flight\n");
        assertThat(execute("fastpool:config io.fastpool.transport")).startsWith("io.fastpool.transport\n");
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
    private String execute(String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true);
        CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print);
        try {
            Object result = session.execute(line);
            return (result == null ? "" : result.toString()) + out.toString();
        } catch (Exception e) {
            return "error: " + e.getMessage();
        } finally {
            session.close();
        }
    }
}
