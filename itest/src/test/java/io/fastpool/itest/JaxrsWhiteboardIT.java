package io.fastpool.itest;

import static io.fastpool.itest.support.InFramework.bundle;
import static io.fastpool.itest.support.Waits.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.pool.PoolManager;
import io.fastpool.pool.PoolSnapshot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.inject.Inject;
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
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * JAX-RS on Fastpool: the platform, the Servlet Whiteboard and the optional JAX-RS set (the Jakarta
 * REST whiteboard, {@code org.eclipse.osgitech.rest} on Jersey, with its Servlet Whiteboard adapter),
 * configured as {@code opt/jaxrs/} tells operators to, and the JAX-RS sample
 * ({@code io.fastpool.samples.jaxrs}) built by bnd from its annotations. Requests go in as FastCGI
 * over a unix socket, through the transport, the listener, the pool and the whiteboard's Jersey servlet.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class JaxrsWhiteboardIT {

    /** The bundle that registers every JAX-RS application's servlet, so whose pool serves them. */
    static final String JAXRS_ADAPTER = "org.eclipse.osgitech.rest.servlet.whiteboard";
    static final String SAMPLE = "io.fastpool.samples.jaxrs";
    static final int SWAPS = 10;
    static final String ADA = "{\"greeting\":\"Hello, Ada!\",\"answeredBy\":\"sync\"}";

    @Rule
    public final Timeout timeout = Timeout.seconds(120);

    @Inject
    BundleContext context;
    @Inject
    PoolManager pools;

    Path socket;

    @Configuration
    public Option[] platform() {
        Path socket = PlatformOptions.workFolder("jaxrs-it").resolve("run/fastpool.sock");
        return new Option[] {
            PlatformOptions.platform(PlatformOptions.transportOn(socket),
                    // The adapter's component waits for a configuration; opt/jaxrs/ ships this one for conf/.
                    ConfigurationAdminOptions.newConfiguration("JakartarsServletWhiteboardRuntimeComponent").put("jersey.context.path", "/")),
            PlatformOptions.bundlesListedBy("whiteboard.bundles"),
            PlatformOptions.bundlesInFileNamedBy("jaxrs.bundles.file"),
            PlatformOptions.bundleNamedBy("sample.jaxrs"),
            systemProperty("jaxrs-it.socket").value(socket.toString())};
    }

    @Before
    public void resourceServed() throws Exception {
        socket = Path.of(System.getProperty("jaxrs-it.socket"));
        await(Duration.ofSeconds(10), "the unix socket", () -> Files.exists(socket));
        await(Duration.ofSeconds(30), "the greetings resource", () -> "200 OK".equals(statusOf("/greetings/Ada")));
    }

    @Test
    public void aGetWithAPathParameterIsAnsweredWithJson() throws Exception {
        RawFcgiClient.Response response = get("/greetings/Ada%20Lovelace");

        assertThat(response.httpStatus()).isEqualTo("200 OK");
        assertThat(response.stdout.toString()).contains("Content-Type: application/json");
        assertThat(response.body()).isEqualTo("{\"greeting\":\"Hello, Ada Lovelace!\",\"answeredBy\":\"sync\"}");
        OsgiNettyLeaks.assertNone();
    }

    @Test
    public void aPostOfJsonIsReadAndAnsweredWithJson() throws Exception {
        RawFcgiClient.Response response = post("/greetings", "{\"name\": \"Grace\"}");
        RawFcgiClient.Response empty = post("/greetings", "{}");

        assertThat(response.httpStatus()).isEqualTo("200 OK");
        assertThat(response.body()).isEqualTo("{\"greeting\":\"Hello, Grace!\",\"answeredBy\":\"sync\"}");
        assertThat(empty.httpStatus()).startsWith("400");
    }

    @Test
    public void anAsyncResourceMethodIsAnsweredFromAnotherThread() throws Exception {
        RawFcgiClient.Response response = get("/greetings/Ada/later");

        assertThat(response.httpStatus()).isEqualTo("200 OK");
        assertThat(response.stdout.toString()).contains("Content-Type: application/json");
        assertThat(response.body()).isEqualTo("{\"greeting\":\"Hello, Ada!\",\"answeredBy\":\"async\"}");
    }

    @Test
    public void aPathNoResourceClaimsIsJerseys404() throws Exception {
        assertThat(get("/greetings").httpStatus()).as("GET of the collection: no such method").startsWith("405");
        assertThat(get("/nothing/here").httpStatus()).startsWith("404");
    }

    @Test
    public void theResourceBundleIsServedInAPoolOfItsOwnAndTheRestInTheAdaptersPool() throws Exception {
        long adapterServed = served(JAXRS_ADAPTER);
        long sampleServed = served(SAMPLE);

        assertThat(get("/greetings/Ada").body()).isEqualTo(ADA);
        assertThat(get("/nothing/here").httpStatus()).startsWith("404");

        assertThat(served(SAMPLE)).as("the resource's bundle's pool").isEqualTo(sampleServed + 1);
        assertThat(served(JAXRS_ADAPTER)).as("the adapter's pool: paths no resource bundle claims").isEqualTo(adapterServed + 1);
    }

    @Test
    public void hotSwapsOfTheResourceBundleUnderLoadLoseNoRequest() throws Exception {
        Bundle sample = bundle(context, SAMPLE);
        byte[] jar = Files.readAllBytes(Path.of(sample.getLocation().replaceFirst("^file:", "")));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong answered = new AtomicLong();
        Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
        Thread client = new Thread(() -> {
            int id = 0;
            try (RawFcgiClient fcgi = RawFcgiClient.unix(socket)) {
                while (running.get()) {
                    id = id % 60_000 + 1;
                    fcgi.send(RawFcgiClient.requestBytes(id, true, RawFcgiClient.params("GET", "/greetings/Ada"), new byte[0]));
                    RawFcgiClient.Response response = fcgi.await(id);
                    outcomes.computeIfAbsent(response.httpStatus() + " " + response.body(), k -> new AtomicLong()).incrementAndGet();
                    answered.incrementAndGet();
                }
            } catch (IOException e) {
                outcomes.computeIfAbsent("exception " + e, k -> new AtomicLong()).incrementAndGet();
            }
        }, "jaxrs-it-client");
        client.start();
        for (int swap = 1; swap <= SWAPS; swap++) {
            long before = answered.get();
            await(Duration.ofSeconds(30), "requests before swap " + swap, () -> answered.get() >= before + 20);
            try (InputStream in = new ByteArrayInputStream(jar)) {
                sample.update(in);
            }
        }
        long after = answered.get();
        await(Duration.ofSeconds(30), "requests after the last swap", () -> answered.get() >= after + 20);
        running.set(false);
        client.join(30_000);

        System.out.printf("JAX-RS resource bundle swapped %d times under load: %s%n", SWAPS, outcomes);
        assertThat(outcomes.keySet()).as("every outcome: %s", outcomes).containsOnly("200 OK " + ADA);
        assertThat(sample.getState()).isEqualTo(Bundle.ACTIVE);
    }

    private long served(String pool) {
        return pools.pool(pool).map(PoolSnapshot::counters).orElseThrow(() -> new AssertionError("no pool " + pool)).served();
    }

    private String statusOf(String uri) {
        try {
            return get(uri).httpStatus();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private RawFcgiClient.Response get(String uri) throws IOException {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            return client.get(1, false, uri);
        }
    }

    private RawFcgiClient.Response post(String uri, String json) throws IOException {
        byte[] body = json.getBytes(UTF_8);
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            client.send(RawFcgiClient.requestBytes(1, false, RawFcgiClient.params("POST", uri,
                    "CONTENT_TYPE", "application/json", "CONTENT_LENGTH", String.valueOf(body.length)), body));
            return client.await(1);
        }
    }
}
