package io.fastpool.guard;

import io.fastpool.guard.internal.Refusals;
import java.util.Objects;

/**
 * The stand-ins the exit guard puts in place of {@code System.exit}, {@code Runtime.exit} and
 * {@code Runtime.halt} in an app's classes: each logs which bundle tried (once per bundle per
 * interval) and throws the {@link SecurityException} those calls throw under a security manager that
 * refuses them, so an app that catches it goes on as it would there, and one that does not fails the
 * request (a 500) instead of ending the server and every other app's requests with it.
 *
 * <p>Static because rewritten bytecode can only call a static method in place of a static call.
 */
public final class ExitRefusal {

    private ExitRefusal() {
    }

    /** Stands in for {@code System.exit(status)}: never returns. */
    public static void systemExit(int status) {
        throw Refusals.refuse("System.exit(" + status + ")");
    }

    /** Stands in for {@code runtime.exit(status)}: never returns. */
    public static void runtimeExit(Runtime runtime, int status) {
        Objects.requireNonNull(runtime);
        throw Refusals.refuse("Runtime.exit(" + status + ")");
    }

    /** Stands in for {@code runtime.halt(status)}: never returns. */
    public static void runtimeHalt(Runtime runtime, int status) {
        Objects.requireNonNull(runtime);
        throw Refusals.refuse("Runtime.halt(" + status + ")");
    }
}
