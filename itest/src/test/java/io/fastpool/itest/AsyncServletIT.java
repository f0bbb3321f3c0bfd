package io.fastpool.itest;

import static io.fastpool.itest.support.InFramework.install;
import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.whiteboard.LongPollActivator;
import io.fastpool.pool.PoolManager;
import io.fastpool.pool.PoolSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.inject.Inject;
import org.junit.After;
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
import org.ops4j.pax.tinybundles.TinyBundles;
import org.osgi.framework.BundleContext;

/**
 * Async servlets on the platform: an unmodified whiteboard bundle ({@link LongPollActivator}) with an
 * async long-polling servlet, in a pool of one thread, asked over FastCGI through the transport,
 * the listener, the pool and the Servlet Whiteboard. Waiting long polls hold no thread, so the one
 * worker still answers; a client that goes away cancels its long poll; a time-out nobody answers is
 * a 500.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class AsyncServletIT {

    static final String APP = "io.fastpool.itest.longpoll";
    /** How many long polls wait at once; {@code -Dasync-it.longPolls=1000} for a figure with more. */
    private static final int LONG_POLLS = Integer.getInteger("async-it.longPolls", 30);

    @Rule
    public final Timeout timeout = Timeout.seconds(120);

    @Inject
    BundleContext context;
    @Inject
    PoolManager pools;

    Path socket;

    @Configuration
    public Option[] platform() {
        Path work = PlatformOptions.workFolder("async-it");
        Path socket = work.resolve("run/fastpool.sock");
        Path app = work.resolve(APP + ".jar");
        try (InputStream jar = TinyBundles.bundle()
                .symbolicName(APP)
                .setHeader("Bundle-Version", "1.0.0")
                .setHeader("Fastpool-Pool", "maxThreads=1")
                .activator(LongPollActivator.class)
                .addClass(LongPollActivator.class)
                .addClass(LongPollActivator.LongPollServlet.class)
                .addClass(LongPollActivator.Forget.class)
                .build(TinyBundles.bndBuilder())) {
            Files.copy(jar, app);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Option[] {PlatformOptions.platform(PlatformOptions.transportOn(socket)),
            PlatformOptions.bundlesListedBy("whiteboard.bundles"),
            systemProperty("async-it.socket").value(socket.toString()),
            systemProperty("async-it.app").value(app.toString())};
    }

    @Before
    public void installApp() throws Exception {
        System.clearProperty("longpoll.errors");
        socket = Path.of(System.getProperty("async-it.socket"));
        await(Duration.ofSeconds(10), "the unix socket", () -> Files.exists(socket));
        install(context, Path.of(System.getProperty("async-it.app")));
        await(Duration.ofSeconds(10), "the app's WebApp service", this::appRegistered);
    }

    private boolean appRegistered() {
        try {
            return context.getAllServiceReferences("io.fastpool.api.WebApp", null) != null;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @After
    public void checkLeaks() {
        OsgiNettyLeaks.assertNone();
    }

    private PoolSnapshot pool() {
        return pools.pool(APP).orElseThrow(() -> new AssertionError("no pool " + APP));
    }

    private long detached() {
        return pools.pool(APP).map(pool -> pool.inFlight().stream().filter(r -> r.thread().equals("(detached)")).count()).orElse(0L);
    }

    private RawFcgiClient.Response get(String uri) throws IOException {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            return client.get(1, false, uri);
        }
    }

    /** Sends a long poll on a connection of its own and returns the connection, without waiting for the answer. */
    private RawFcgiClient startLongPoll() throws IOException {
        RawFcgiClient client = RawFcgiClient.unix(socket);
        client.send(RawFcgiClient.requestBytes(1, false, RawFcgiClient.params("GET", "/poll/wait"), new byte[0]));
        return client;
    }

    @Test
    public void longPollsWaitWithoutAThreadWhileTheOnlyWorkerAnswersASyncRequest() throws Exception {
        assertThat(get("/poll/sync").body()).as("the pool's first request").startsWith("sync on fastpool-pool-" + APP);
        List<RawFcgiClient> polls = new ArrayList<>();
        try {
            for (int i = 0; i < LONG_POLLS; i++) {
                polls.add(startLongPoll());
            }
            await(Duration.ofSeconds(20), LONG_POLLS + " long polls detached", () -> detached() == LONG_POLLS);

            long asked = System.nanoTime();
            RawFcgiClient.Response sync = get("/poll/sync");
            System.out.printf("a sync request answered by the pool's one thread while %d long polls wait: %.1f ms%n", LONG_POLLS,
                    (System.nanoTime() - asked) / 1e6);

            assertThat(sync.httpStatus()).isEqualTo("200 OK");
            assertThat(sync.body()).startsWith("sync on fastpool-pool-" + APP);
            assertThat(pool().threads()).as("maxThreads=1").isEqualTo(1);
            assertThat(detached()).as("still waiting").isEqualTo(LONG_POLLS);

            assertThat(get("/poll/release").body()).isEqualTo("released " + LONG_POLLS);
            for (RawFcgiClient poll : polls) {
                RawFcgiClient.Response answer = poll.await(1);
                assertThat(answer.httpStatus()).isEqualTo("200 OK");
                assertThat(answer.body()).isEqualTo("news");
            }
            await(Duration.ofSeconds(10), "nothing in flight", () -> pool().inFlight().isEmpty());
            assertThat(pool().counters().served()).isEqualTo(LONG_POLLS + 3);
        } finally {
            for (RawFcgiClient poll : polls) {
                poll.close();
            }
        }
    }

    @Test
    public void aLongPollWhoseClientAbortsOrGoesAwayIsCancelled() throws Exception {
        try (RawFcgiClient aborting = startLongPoll()) {
            await(Duration.ofSeconds(10), "the long poll detached", () -> detached() == 1);

            aborting.send(RawFcgiClient.bytes(out -> FcgiEncoder.writeAbortRequest(out, 1)));

            await(Duration.ofSeconds(10), "the servlet told of the abort", () -> Integer.getInteger("longpoll.errors", 0) == 1);
            await(Duration.ofSeconds(10), "the request no longer in flight", () -> pool().inFlight().isEmpty());
        }

        RawFcgiClient leaving = startLongPoll();
        await(Duration.ofSeconds(10), "the second long poll detached", () -> detached() == 1);
        leaving.close();

        await(Duration.ofSeconds(10), "the servlet told of the closed connection", () -> Integer.getInteger("longpoll.errors", 0) == 2);
        await(Duration.ofSeconds(10), "the request no longer in flight", () -> pool().inFlight().isEmpty());
        assertThat(get("/poll/release").body()).as("nothing left waiting").isEqualTo("released 0");
    }

    @Test
    public void anAsyncTimeOutNoListenerAnswersIsA500() throws Exception {
        RawFcgiClient.Response late = get("/poll/late");

        assertThat(late.httpStatus()).startsWith("500");
        await(Duration.ofSeconds(10), "nothing in flight", () -> pool().inFlight().isEmpty());
    }
}
