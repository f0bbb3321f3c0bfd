package io.fastpool.guard.internal;

import java.lang.System.Logger.Level;
import java.time.Duration;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.hooks.weaving.WeavingHook;

/**
 * Registers the {@link ExitWeavingHook} as soon as this bundle starts: a class loaded before the hook is
 * registered is never woven, and this bundle starts before any app's classes load (docs/architecture.md,
 * "An app cannot end the process"). Settings are framework properties, read once, because the hook must
 * be in place before Configuration Admin has read anything: {@value #LOG_INTERVAL_PROPERTY} (one refusal
 * line per bundle per this many seconds) and {@value PlatformBundles#LOCATIONS_PROPERTY}.
 */
public final class Activator implements BundleActivator {

    static final String LOGGER = "io.fastpool.guard";
    static final String LOG_INTERVAL_PROPERTY = "fastpool.guard.logIntervalSeconds";
    static final long DEFAULT_LOG_INTERVAL_SECONDS = 60;

    private final System.Logger log = System.getLogger(LOGGER);
    private ServiceRegistration<WeavingHook> registration;
    private ExitWeavingHook hook;

    @Override
    public void start(BundleContext context) {
        Refusals.reportTo(new RefusalLog(Duration.ofSeconds(logIntervalSeconds(context)), System::nanoTime, log));
        PlatformBundles platform = PlatformBundles.from(context::getProperty);
        hook = new ExitWeavingHook(platform, context.getBundle(), log);
        registration = context.registerService(WeavingHook.class, hook, null);
        log.log(Level.INFO, "exit guard on: System.exit, Runtime.exit and Runtime.halt in apps throw a SecurityException"
                + " (the platform, not woven: " + platform.describe() + ")");
    }

    @Override
    public void stop(BundleContext context) {
        registration.unregister();
        log.log(Level.INFO, "exit guard off: " + hook.describe());
    }

    private long logIntervalSeconds(BundleContext context) {
        String value = context.getProperty(LOG_INTERVAL_PROPERTY);
        if (value == null || value.isBlank()) {
            return DEFAULT_LOG_INTERVAL_SECONDS;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            if (seconds >= 0) {
                return seconds;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        log.log(Level.WARNING, LOG_INTERVAL_PROPERTY + " = '" + value + "' is not a whole number of seconds (0 or more); using "
                + DEFAULT_LOG_INTERVAL_SECONDS);
        return DEFAULT_LOG_INTERVAL_SECONDS;
    }
}
