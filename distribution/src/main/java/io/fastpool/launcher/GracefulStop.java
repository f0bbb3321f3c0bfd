package io.fastpool.launcher;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;

/**
 * SIGTERM stops the server gracefully: the transport drains (stops accepting, lets every request
 * already received be answered, closes each connection between requests, within its
 * {@code drainTimeoutSeconds}), then the framework stops and the process exits with status 0.
 *
 * <p>The transport registers its drain as a {@link Runnable} service with the property
 * {@value #DRAIN_PROPERTY}: the launcher runs outside the framework and sees none of the bundles'
 * classes, but {@code java.lang} is the same for both, so the call needs no shared API package and
 * no reflection.
 *
 * <p>The drain runs in the SIGTERM handler, before the JVM's shutdown begins, because shutdown
 * hooks run together with the JDK's own, and {@code java.util.logging}'s closes the log handlers:
 * the drain's lines would be lost. The handler then exits with status 0 (the JVM's own handler
 * exits with 143), and the shutdown hook stops the framework. Other ways out (Ctrl-C, an exit from
 * the console) drain in the shutdown hook instead.
 */
final class GracefulStop {

    /** The service property of the transport's drain (its value names who registered it). */
    static final String DRAIN_PROPERTY = "io.fastpool.drain";

    private GracefulStop() {
    }

    /** Has SIGTERM drain and exit with 0; where the JDK has no {@code sun.misc.Signal}, the shutdown hook drains (status 143). */
    static void onSigterm(Framework framework) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> {
                System.out.println("fastpool: SIGTERM: draining connections, then stopping");
                drain(framework);
                System.exit(0);
            });
        } catch (IllegalArgumentException | LinkageError e) {
            System.err.println("fastpool: cannot handle SIGTERM (" + e + "); it drains in the shutdown hook and exits"
                    + " with status 143");
        }
    }

    /** Runs every registered drain, each to its end; nothing when the framework is not running. */
    static void drain(Framework framework) {
        BundleContext context = framework.getBundleContext();
        if (context == null) {
            return;
        }
        ServiceReference<?>[] drains;
        try {
            drains = context.getServiceReferences(Runnable.class.getName(), "(" + DRAIN_PROPERTY + "=*)");
        } catch (InvalidSyntaxException | IllegalStateException e) {
            return; // the filter is constant; IllegalStateException: the framework is stopping
        }
        for (ServiceReference<?> reference : drains == null ? new ServiceReference<?>[0] : drains) {
            Object drain = context.getService(reference);
            if (drain instanceof Runnable runnable) {
                try {
                    runnable.run();
                } catch (RuntimeException e) {
                    System.err.println("fastpool: draining failed: " + e);
                } finally {
                    context.ungetService(reference);
                }
            }
        }
    }
}
