package io.fastpool.launcher;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Says when the server is ready to take over from another (a restart under the supervisor or
 * systemd): the framework and every bundle in {@code bundle/} are started (the launcher has done
 * that before this runs), every jar that was in {@code deploy/} at start is installed and started or
 * has failed (FileInstall or {@link DeployCheck} says why), and the transport serves every listen
 * address of its configuration. Then it prints {@code fastpool: ready (pid N, M ms)} and, when
 * {@code FASTPOOL_READY_FILE} names a file, writes the pid there (to a temporary name beside it,
 * then renamed, so a reader never sees half of it).
 *
 * <p>FileInstall installs and starts deploy/'s jars on its own thread and tells nobody when its
 * first scan is done, so this looks, every {@value #LOOK_MILLIS} ms: a jar's bundle (found by its
 * location, the jar's file URI) that is installed but not active counts as failed once no bundle
 * has changed state for {@value #SETTLE_MILLIS} ms, several of FileInstall's scans. It gives up
 * after {@code fastpool.readyTimeoutSeconds} (default {@value #DEFAULT_TIMEOUT_SECONDS}), saying
 * what it still waits for, and writes no ready file. Either way it then starts the listener
 * ({@link ListenerLast}) before it says anything: only then are requests read.
 */
final class Readiness implements Runnable {

    static final String READY_FILE_VARIABLE = "FASTPOOL_READY_FILE";
    static final long LOOK_MILLIS = 100;
    static final long SETTLE_MILLIS = 2_000;
    static final long DEFAULT_TIMEOUT_SECONDS = 120;
    /** The transport's drain service says whether its configuration (not only the defaults) is applied. */
    private static final String TRANSPORT_CONFIGURED = "io.fastpool.transport.configured";

    private final BundleContext context;
    private final Path home;
    private final List<Path> deployedAtStart;
    private final long startedNanos;
    private final Path readyFile;
    private final Runnable beforeReady;
    private final long pid = ProcessHandle.current().pid();
    private final Map<Path, Boolean> notBundles = new HashMap<>();
    private volatile long lastBundleEventNanos = System.nanoTime();

    /**
     * @param context the framework's, after {@code init()}: bundle events are followed from then on
     * @param deployedAtStart the jars in deploy/ when the launcher started
     * @param readyFile where to write the pid once ready, or null
     */
    Readiness(BundleContext context, Path home, List<Path> deployedAtStart, long startedNanos, Path readyFile) {
        this(context, home, deployedAtStart, startedNanos, readyFile, () -> { });
    }

    /** @param beforeReady runs once the server is ready (or has waited its time), before it says so: starts the listener */
    Readiness(BundleContext context, Path home, List<Path> deployedAtStart, long startedNanos, Path readyFile,
            Runnable beforeReady) {
        this.context = context;
        this.beforeReady = beforeReady;
        this.home = home;
        this.deployedAtStart = List.copyOf(deployedAtStart);
        this.startedNanos = startedNanos;
        this.readyFile = readyFile;
        context.addBundleListener(event -> lastBundleEventNanos = System.nanoTime());
    }

    @Override
    public void run() {
        long timeoutSeconds = Long.getLong("fastpool.readyTimeoutSeconds", DEFAULT_TIMEOUT_SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        String waitingFor;
        try {
            while ((waitingFor = waitingFor()) != null) {
                if (System.nanoTime() - deadline > 0) {
                    beforeReady.run();
                    System.err.println("fastpool: not ready after " + timeoutSeconds + " s (fastpool.readyTimeoutSeconds): "
                            + waitingFor + "; no ready file is written");
                    return;
                }
                Thread.sleep(LOOK_MILLIS);
            }
            beforeReady.run();
            announce();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException e) {
            // The framework stopped while starting: never ready.
        }
    }

    /** What the server still waits for before it is ready, or null if nothing. */
    String waitingFor() {
        String transport = transportWaitingFor();
        if (transport != null) {
            return transport;
        }
        boolean settled = System.nanoTime() - lastBundleEventNanos > TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS);
        for (Path jar : deployedAtStart) {
            if (!Files.exists(jar) || notBundles.computeIfAbsent(jar, j -> DeployCheck.problemOf(j) != null)) {
                continue; // gone, or not a bundle: DeployCheck says so
            }
            Bundle bundle = bundleOf(jar);
            if (bundle == null) {
                return "deploy/" + jar.getFileName() + " is not installed yet";
            }
            if (!started(bundle) && !settled) {
                return "deploy/" + jar.getFileName() + " is installed but not started yet";
            }
        }
        return null;
    }

    private String transportWaitingFor() {
        ServiceReference<?>[] drains;
        try {
            drains = context.getServiceReferences(Runnable.class.getName(), "(" + GracefulStop.DRAIN_PROPERTY + "=transport)");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (drains == null) {
            return "the transport is not listening (log/ says why if it could not)";
        }
        if (Files.exists(home.resolve("conf/io.fastpool.transport.cfg"))
                && !Boolean.TRUE.equals(drains[0].getProperty(TRANSPORT_CONFIGURED))) {
            return "the transport has not applied conf/io.fastpool.transport.cfg yet";
        }
        return null;
    }

    /** Active; or a fragment, resolved; or lazily activated, waiting for its first use. */
    private static boolean started(Bundle bundle) {
        if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
            return bundle.getState() == Bundle.RESOLVED;
        }
        return bundle.getState() == Bundle.ACTIVE || (bundle.getState() == Bundle.STARTING
                && Constants.ACTIVATION_LAZY.equals(bundle.getHeaders().get(Constants.BUNDLE_ACTIVATIONPOLICY)));
    }

    private Bundle bundleOf(Path jar) {
        for (Bundle bundle : context.getBundles()) {
            String location = bundle.getLocation();
            if (location.startsWith("file:")) {
                try {
                    Path installed = Path.of(URI.create(location)).toAbsolutePath().normalize();
                    if (installed.equals(jar) || (Files.exists(installed) && Files.isSameFile(installed, jar))) {
                        return bundle;
                    }
                } catch (IllegalArgumentException | IOException e) {
                    // a location that is no plain file URI: not one of deploy/'s
                }
            }
        }
        return null;
    }

    private void announce() {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        if (readyFile != null) {
            try {
                Path temporary = readyFile.resolveSibling("." + readyFile.getFileName() + "." + pid + ".tmp");
                Files.writeString(temporary, pid + "\n");
                Files.move(temporary, readyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                System.err.println("fastpool: cannot write the ready file " + readyFile + " (" + READY_FILE_VARIABLE + "): " + e);
            }
        }
        System.out.printf("fastpool: ready (pid %d, %d ms)%n", pid, millis);
    }

    /** The ready file {@code environment} names, or null; a relative name is refused (the contract asks for an absolute one). */
    static Path readyFile(Map<String, String> environment) {
        String named = environment.get(READY_FILE_VARIABLE);
        if (named == null || named.isBlank()) {
            return null;
        }
        Path file = Path.of(named.strip());
        if (!file.isAbsolute()) {
            System.err.println("fastpool: " + READY_FILE_VARIABLE + "=" + named + " is not an absolute path; no ready file is written");
            return null;
        }
        return file;
    }
}
