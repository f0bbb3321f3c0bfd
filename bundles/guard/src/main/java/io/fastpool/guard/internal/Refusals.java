package io.fastpool.guard.internal;

import io.fastpool.guard.ExitRefusal;
import java.lang.StackWalker.Option;
import java.lang.StackWalker.StackFrame;
import java.time.Duration;
import java.util.Set;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * Refuses one call that would have ended the process: finds who made it, has the {@link RefusalLog}
 * report it, and makes the exception to throw. {@link ExitRefusal}'s static methods are all the woven
 * classes can reach, so the log they report to is held here, set by the {@link Activator} from the
 * framework's properties (until then, and in unit tests, a log at the default interval).
 */
public final class Refusals {

    private static final StackWalker STACK = StackWalker.getInstance(Set.of(Option.RETAIN_CLASS_REFERENCE, Option.SHOW_HIDDEN_FRAMES));

    private static volatile RefusalLog log = new RefusalLog(Duration.ofSeconds(Activator.DEFAULT_LOG_INTERVAL_SECONDS), System::nanoTime,
            System.getLogger(Activator.LOGGER));

    private Refusals() {
    }

    static void reportTo(RefusalLog refusals) {
        log = refusals;
    }

    /** Reports {@code call} (e.g. {@code System.exit(1)}) and returns the exception that refuses it. */
    public static SecurityException refuse(String call) {
        Class<?> caller = STACK.walk(frames -> frames.map(StackFrame::getDeclaringClass).filter(Refusals::isCaller).findFirst()
                .map(type -> type.isHidden() ? type.getNestHost() : type).orElse(null));
        String callerName = caller == null ? "an unknown class" : caller.getName();
        Bundle bundle = caller == null ? null : FrameworkUtil.getBundle(caller);
        String who = bundle == null ? callerName : "bundle " + bundle.getSymbolicName() + " " + bundle.getVersion() + " (id " + bundle.getBundleId() + ")";
        log.refused(who, callerName, call);
        return new SecurityException(call + " refused: an app may not end the Fastpool server (called by " + callerName
                + (bundle == null ? "" : " in " + who) + ")");
    }

    /**
     * The first frame that is neither the guard's own nor the JDK's method handle machinery: the woven
     * class, or for a method reference to {@code System::exit} the lambda class made for it (a hidden class
     * that {@link #refuse} replaces with its nest host, the class that made the reference).
     */
    private static boolean isCaller(Class<?> type) {
        return type != ExitRefusal.class && type != Refusals.class && !type.getName().startsWith("java.lang.invoke.");
    }
}
