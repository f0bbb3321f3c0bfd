package io.fastpool.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.api.RequestAbortedException;
import io.fastpool.testkit.FakeDetached;
import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeResponse;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code startAsync} and its {@link AsyncContext} through the invoker, over a {@link FakeDetached} request. */
@Timeout(30)
class ServletAsyncTest {

    private final ServletInvoker invoker = new ServletInvoker(new ServletLimits(64, 100, 8192), ErrorPageHandler.PLAIN, Clock.systemUTC());
    private final FakeResponse response = new FakeResponse();
    private final FakeDetached detached = new FakeDetached(response);
    private final FakeRequest request = new FakeRequest("GET", "/poll/news", "/poll").detachable(detached);
    /** Each context a servlet started, in order. */
    private final BlockingQueue<AsyncContext> started = new LinkedBlockingQueue<>();
    /** What the async listener heard, in order. */
    private final List<String> heard = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopWorker() throws InterruptedException {
        detached.shutdown();
    }

    /** A servlet whose GET is {@code get}. */
    private static HttpServlet servlet(Handler get) {
        return new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
                get.handle(request, response);
            }
        };
    }

    interface Handler {
        void handle(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException;
    }

    /** Serves the request with async support; dispatches run {@code servlet} again. */
    private void serveAsync(HttpServlet servlet) throws Exception {
        FilterChain chain = servlet::service;
        invoker.service(chain, (path, asRequest, asResponse) -> servlet.service(asRequest, asResponse), request, response,
                ServletRoute.everything("/poll", "/news"), null, null, null);
    }

    /** Starts async, writes {@code first}, registers a listener that records what it hears, and hands the context to the test. */
    private Handler startingAsync(String first, Consumer<AsyncContext> then) {
        return (req, res) -> {
            AsyncContext context = req.startAsync();
            context.addListener(recording());
            res.getWriter().print(first);
            then.accept(context);
            started.add(context);
        };
    }

    private AsyncListener recording() {
        return new AsyncListener() {
            @Override public void onComplete(AsyncEvent event) { heard.add("complete"); }
            @Override public void onTimeout(AsyncEvent event) { heard.add("timeout on " + Thread.currentThread().getName()); }
            @Override public void onError(AsyncEvent event) { heard.add("error " + event.getThrowable().getClass().getSimpleName()); }
            @Override public void onStartAsync(AsyncEvent event) { heard.add("start"); }
        };
    }

    private AsyncContext nextStarted() throws InterruptedException {
        AsyncContext context = started.poll(10, TimeUnit.SECONDS);
        assertThat(context).as("the servlet started async").isNotNull();
        return context;
    }

    @Test
    void startAsyncLeavesTheResponseOpenAndCompleteFromAnotherThreadSendsItWholeOnce() throws Exception {
        serveAsync(servlet(startingAsync("first ", context -> { })));
        AsyncContext context = nextStarted();
        assertThat(detached.isDone()).as("the servlet returned; the request waits").isFalse();
        assertThat(response.text()).as("nothing sent yet").isEmpty();

        Thread completer = new Thread(() -> {
            try {
                context.getResponse().getWriter().print("second");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            context.complete();
            context.complete();
        });
        completer.start();
        completer.join(10_000);

        assertThat(detached.awaitCompletion()).isTrue();
        assertThat(response.text()).isEqualTo("first second");
        assertThat(detached.completions).hasValue(1);
        assertThat(heard).containsExactly("complete");
        assertThat(context.getRequest().isAsyncStarted()).as("not after complete()").isFalse();
    }

    @Test
    void completeCalledInsideTheServletEndsTheRequestWhenTheServletReturns() throws Exception {
        serveAsync(servlet(startingAsync("done", AsyncContext::complete)));

        assertThat(detached.completions).hasValue(1);
        assertThat(response.text()).isEqualTo("done");
    }

    @Test
    void withoutAsyncSupportStartAsyncThrowsAndTheRequestSaysSo() throws Exception {
        List<Object> seen = new CopyOnWriteArrayList<>();
        invoker.service(servlet((req, res) -> {
            seen.add(req.isAsyncSupported());
            try {
                req.startAsync();
            } catch (IllegalStateException e) {
                seen.add(e.getMessage());
            }
        }), request, response, ServletRoute.everything("/poll", "/news"), null, null);

        assertThat(seen.get(0)).isEqualTo(false);
        assertThat(seen.get(1).toString()).contains("asyncSupported=true");
        assertThat(detached.completions).as("never detached").hasValue(0);
    }

    @Test
    void outsideAPoolStartAsyncThrowsAsForAServletWithoutAsync() throws Exception {
        List<String> refusals = new CopyOnWriteArrayList<>();
        FakeRequest notPooled = new FakeRequest("GET", "/poll/news", "/poll");
        invoker.service((FilterChain) servlet((req, res) -> {
            try {
                req.startAsync();
            } catch (IllegalStateException e) {
                refusals.add(e.getMessage() + " started " + req.isAsyncStarted());
            }
            res.getWriter().print("sync");
        })::service, (path, asRequest, asResponse) -> { }, notPooled, response, ServletRoute.everything("/poll", "/news"), null, null, null);

        assertThat(refusals).singleElement().asString().contains("needs a request run by a pool").endsWith("started false");
        assertThat(response.text()).isEqualTo("sync");
    }

    @Test
    void theTimeOutTellsTheListenersOnAPoolWorkerThenAnswers500() throws Exception {
        serveAsync(servlet(startingAsync("partial", context -> context.setTimeout(5000))));
        nextStarted();
        assertThat(detached.timeoutMillis()).isEqualTo(5000);

        detached.timeOut();

        assertThat(detached.awaitCompletion()).isTrue();
        assertThat(response.status()).isEqualTo(500);
        assertThat(response.text()).doesNotContain("partial");
        assertThat(heard).containsExactly("timeout on " + FakeDetached.TASK_THREAD, "complete");
    }

    @Test
    void aTimeOutListenerThatCompletesSendsItsOwnAnswer() throws Exception {
        serveAsync(servlet(startingAsync("", context -> context.addListener(new AsyncListener() {
            @Override public void onTimeout(AsyncEvent event) throws IOException {
                event.getAsyncContext().getResponse().getWriter().print("no news");
                event.getAsyncContext().complete();
            }
            @Override public void onComplete(AsyncEvent event) { }
            @Override public void onError(AsyncEvent event) { }
            @Override public void onStartAsync(AsyncEvent event) { }
        }))));
        nextStarted();

        detached.timeOut();

        assertThat(detached.awaitCompletion()).isTrue();
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text()).isEqualTo("no news");
        assertThat(detached.completions).hasValue(1);
    }

    @Test
    void aClientThatGoesAwayIsToldToTheListenersAsAnErrorAndTheRequestCompletes() throws Exception {
        serveAsync(servlet(startingAsync("", context -> { })));
        nextStarted();

        detached.abort();

        assertThat(detached.awaitCompletion()).isTrue();
        assertThat(heard).containsExactly("error " + RequestAbortedException.class.getSimpleName(), "complete");
    }

    @Test
    void dispatchRunsTheServletAgainOnAPoolWorkerAsAnAsyncDispatchAndThatCompletesTheRequest() throws Exception {
        serveAsync(servlet((req, res) -> {
            if (req.getDispatcherType() == DispatcherType.REQUEST) {
                req.startAsync();
                started.add(req.getAsyncContext());
                return;
            }
            res.getWriter().print(req.getDispatcherType() + " on " + Thread.currentThread().getName() + " from "
                    + req.getAttribute(AsyncContext.ASYNC_REQUEST_URI));
        }));
        AsyncContext context = nextStarted();

        context.dispatch();

        assertThat(detached.awaitCompletion()).isTrue();
        assertThat(response.text()).isEqualTo("ASYNC on " + FakeDetached.TASK_THREAD + " from /poll/news");
        assertThatThrownBy(context::dispatch).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void startRunsTheTaskOnAPoolWorkerWhichMayComplete() throws Exception {
        serveAsync(servlet(startingAsync("from ", context -> context.start(() -> {
            try {
                context.getResponse().getWriter().print(Thread.currentThread().getName());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            context.complete();
        }))));

        assertThat(detached.awaitCompletion()).isTrue();
        assertThat(response.text()).isEqualTo("from " + FakeDetached.TASK_THREAD);
    }

    @Test
    void aListenerAddedBeforeAnotherStartAsyncHearsOfIt() throws Exception {
        serveAsync(servlet((req, res) -> {
            if (req.getDispatcherType() == DispatcherType.REQUEST) {
                AsyncContext context = req.startAsync();
                context.addListener(recording());
                context.dispatch();
                return;
            }
            req.startAsync();
            started.add(req.getAsyncContext());
        }));
        AsyncContext again = nextStarted();

        again.complete();

        assertThat(detached.awaitCompletion()).isTrue();
        assertThat(heard).as("it must add itself again to hear more").containsExactly("start");
    }

    @Test
    void aReadListenerHearsTheBodyOnAPoolWorkerAndThenThatItWasAllRead() throws Exception {
        FakeRequest post = new FakeRequest("POST", "/poll/news", "/poll").body("hello, async".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .detachable(detached);
        StringBuilder read = new StringBuilder();
        HttpServlet servlet = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
                AsyncContext context = req.startAsync();
                jakarta.servlet.ServletInputStream in = req.getInputStream();
                in.setReadListener(new jakarta.servlet.ReadListener() {
                    @Override public void onDataAvailable() throws IOException {
                        byte[] buffer = new byte[4];
                        int count;
                        if (in.isReady() && (count = in.read(buffer)) > 0) { // a little at a time: called again while it reads
                            read.append(new String(buffer, 0, count, java.nio.charset.StandardCharsets.UTF_8));
                        }
                    }
                    @Override public void onAllDataRead() throws IOException {
                        context.getResponse().getWriter().print("read '" + read + "' on " + Thread.currentThread().getName());
                        context.complete();
                    }
                    @Override public void onError(Throwable failure) { }
                });
            }
        };
        invoker.service((FilterChain) servlet::service, (path, asRequest, asResponse) -> { }, post, response,
                ServletRoute.everything("/poll", "/news"), null, null, null);

        assertThat(detached.awaitCompletion()).isTrue();
        assertThat(response.text()).isEqualTo("read 'hello, async' on " + FakeDetached.TASK_THREAD);
    }

    @Test
    void aWriteListenerWritesOnAPoolWorker() throws Exception {
        serveAsync(servlet((req, res) -> {
            AsyncContext context = req.startAsync();
            jakarta.servlet.ServletOutputStream out = res.getOutputStream();
            out.setWriteListener(new jakarta.servlet.WriteListener() {
                @Override public void onWritePossible() throws IOException {
                    if (out.isReady()) {
                        out.print("written on " + Thread.currentThread().getName());
                        context.complete();
                    }
                }
                @Override public void onError(Throwable failure) { }
            });
        }));

        assertThat(detached.awaitCompletion()).isTrue();
        assertThat(response.text()).isEqualTo("written on " + FakeDetached.TASK_THREAD);
    }

    @Test
    void readAndWriteListenersNeedAnAsyncRequest() throws Exception {
        List<String> refusals = new CopyOnWriteArrayList<>();
        serveAsync(servlet((req, res) -> {
            try {
                req.getInputStream().setReadListener(null);
            } catch (NullPointerException e) {
                refusals.add("null");
            }
            try {
                res.getOutputStream().setWriteListener(new jakarta.servlet.WriteListener() {
                    @Override public void onWritePossible() { }
                    @Override public void onError(Throwable failure) { }
                });
            } catch (IllegalStateException e) {
                refusals.add(e.getMessage());
            }
        }));

        assertThat(refusals).hasSize(2);
        assertThat(refusals.get(1)).contains("startAsync()");
        assertThat(detached.completions).hasValue(0);
    }
}
