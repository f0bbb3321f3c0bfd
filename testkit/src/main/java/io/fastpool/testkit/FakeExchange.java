package io.fastpool.testkit;

import io.fastpool.api.spi.Exchange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An exchange as a protocol front hands it to a pool or the status page: a {@link FakeRequest}, a
 * {@link FakeResponse} that records the answer, and latches a test waits on instead of sleeping:
 * {@link #completing} when {@link #complete} is entered, {@link #completed} when it returns. A test
 * can hold {@code complete()} with {@link #completeGate} (a connection that takes nothing more) and
 * cancel the exchange as a closed connection would. Once completed, its request's headers and
 * variables throw, as a real front's do.
 */
public final class FakeExchange implements Exchange {

    /** The request's URI, as the front received it. */
    public final String uri;
    public final FakeRequest request;
    public final FakeResponse response = new FakeResponse();
    /** Counted down when {@link #complete} is entered. */
    public final CountDownLatch completing = new CountDownLatch(1);
    /** Counted down when {@link #complete} returns. */
    public final CountDownLatch completed = new CountDownLatch(1);
    /** When set, {@link #complete} waits for it (up to 30 s). */
    public volatile CountDownLatch completeGate;
    /** The thread that completed the exchange. */
    public volatile String completedOn;
    private final List<Runnable> cancelActions = new ArrayList<>();
    private boolean cancelled;

    public FakeExchange(FakeRequest request) {
        this.request = request;
        this.uri = request.uri();
    }

    /** A GET of {@code uri}, for an app mounted at the path's first segment. */
    public FakeExchange(String uri) {
        this(new FakeRequest("GET", uri));
    }

    /** A GET of {@code uri} received over TLS or not. */
    public FakeExchange(String uri, boolean secure) {
        this(new FakeRequest("GET", uri).secure(secure));
    }

    /** {@code method path?query} from {@code remoteAddress}. */
    public FakeExchange(String method, String path, String query, String remoteAddress) {
        this(new FakeRequest(method, query.isEmpty() ? path : path + "?" + query).remoteAddress(remoteAddress));
    }

    /** A GET of {@code path?query} from 127.0.0.1. */
    public static FakeExchange get(String path, String query) {
        return new FakeExchange("GET", path, query, "127.0.0.1");
    }

    /** Adds a request header. */
    public FakeExchange header(String name, String value) {
        request.header(name, value);
        return this;
    }

    /** Waits up to 10 s for {@link #complete}; false if it did not come. */
    public boolean awaitCompletion() throws InterruptedException {
        return completed.await(10, TimeUnit.SECONDS);
    }

    /** Cancels the exchange as a closed connection does: runs every {@link #onCancel} action. */
    public void cancel() {
        List<Runnable> actions;
        synchronized (this) {
            cancelled = true;
            actions = new ArrayList<>(cancelActions);
        }
        actions.forEach(Runnable::run);
    }

    @Override
    public FakeRequest request() {
        return request;
    }

    @Override
    public FakeResponse response() {
        return response;
    }

    @Override
    public void complete() {
        completing.countDown();
        CountDownLatch gate = completeGate;
        if (gate != null) {
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        completedOn = Thread.currentThread().getName();
        request.end();
        completed.countDown();
    }

    @Override
    public synchronized boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void onCancel(Runnable action) {
        synchronized (this) {
            if (!cancelled) {
                cancelActions.add(action);
                return;
            }
        }
        action.run();
    }

    @Override
    public String describe() {
        return request.method() + " " + uri;
    }
}
