package io.fastpool.launcher;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * The FastCGI listener bundle, started last: once the server is ready ({@link Readiness}), not with
 * the rest of {@code bundle/}. Until a listener registers its {@code ConnectionHandler}, the
 * transport holds the connections it accepts without reading them, so a request never reaches a
 * server whose apps in {@code deploy/} are not started yet: after a crash the supervisor's new
 * server finds the requests that waited in the backlog, and during a restart the new server shares
 * the listening sockets with the old one, which would otherwise answer only some of them. Started
 * with the rest, the listener answered 404 ("No application is mounted at this path") to the
 * requests a restarted server took before its apps were deployed (SupervisorIT).
 */
final class ListenerLast {

    static final String SYMBOLIC_NAME = "io.fastpool.listener";
    private static final String CONNECTION_HANDLER = "io.fastpool.transport.ConnectionHandler";
    private static final long REGISTERED_WITHIN_MILLIS = 10_000;
    private static final long LOOK_MILLIS = 20;

    private final BundleContext context;
    private final Bundle listener;

    private ListenerLast(BundleContext context, Bundle listener) {
        this.context = context;
        this.listener = listener;
    }

    /** The listener among {@code installed}; with none, {@link #start} does nothing. */
    static ListenerLast among(BundleContext context, List<Bundle> installed) {
        return new ListenerLast(context, installed.stream().filter(ListenerLast::isListener).findFirst().orElse(null));
    }

    static boolean isListener(Bundle bundle) {
        return SYMBOLIC_NAME.equals(bundle.getSymbolicName());
    }

    /** Starts the listener and waits (bounded) until its ConnectionHandler is registered. */
    void start() {
        if (listener == null) {
            return;
        }
        try {
            listener.start();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REGISTERED_WITHIN_MILLIS);
            while (context.getServiceReference(CONNECTION_HANDLER) == null && System.nanoTime() - deadline < 0) {
                Thread.sleep(LOOK_MILLIS);
            }
        } catch (BundleException e) {
            System.err.println("fastpool: could not start bundle " + SYMBOLIC_NAME + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
