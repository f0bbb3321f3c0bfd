package io.fastpool.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Starts Fastpool: Apache Felix with every bundle in {@code bundle/}, FileInstall watching
 * {@code conf/} for configuration and {@code deploy/} for apps, and the Gogo console when standard
 * input is a terminal. Everything is found relative to the home folder ({@code fastpool.home}, set
 * by {@code bin/fastpool}), so the folder can be copied anywhere.
 *
 * <p>Several servers may run from one home at once (a restart starts the next before the last has
 * drained): each keeps its framework cache in {@code run/cache/<pid>} ({@link ProcessCache}). The
 * launcher says when the server is ready ({@link Readiness}) and stops it gracefully on SIGTERM
 * ({@link GracefulStop}). {@code run/fastpool.pid} is written by {@code bin/fastpool}, or by the
 * supervisor when {@code FASTPOOL_SUPERVISED} is set; the launcher removes it at exit only in the
 * first case, and only if it still holds its own pid.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        Path home = Path.of(System.getProperty("fastpool.home", ".")).toAbsolutePath().normalize();
        Path bundles = home.resolve("bundle");
        if (!Files.isDirectory(bundles)) {
            System.err.println("fastpool: no bundle/ folder in " + home + "; set fastpool.home to the distribution folder");
            System.exit(2);
        }
        for (String folder : new String[] {"conf", "deploy", "run", "log"}) {
            Files.createDirectories(home.resolve(folder));
        }
        boolean interactive = System.console() != null && !Boolean.getBoolean("fastpool.noconsole");

        long pid = ProcessHandle.current().pid();
        // Per process: during a restart the next server starts while this one drains (see ProcessCache).
        Path cache = ProcessCache.prepare(home.resolve("run/cache"), pid, id -> ProcessHandle.of(id).isPresent());
        boolean supervised = !System.getenv().getOrDefault("FASTPOOL_SUPERVISED", "").isBlank();
        List<Path> deployedAtStart = jars(home.resolve("deploy"));

        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, cache.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put("fastpool.home", home.toString());
        // The shell socket's cue that a restart overlaps two servers (see ShellSocket).
        config.put("fastpool.supervised", Boolean.toString(supervised));
        // FileInstall: conf/ holds .cfg files; a factory configuration there adds the watcher on deploy/.
        config.put("felix.fileinstall.dir", home.resolve("conf").toString());
        config.put("felix.fileinstall.filter", ".*\\.(cfg|config)");
        config.put("felix.fileinstall.poll", "500");
        config.put("felix.fileinstall.noInitialDelay", "true");
        config.put("felix.fileinstall.log.level", "3");
        // conf/ and deploy/ belong to the operator. FileInstall's default (enableConfigSave=true) answers
        // every configuration event by truncating the configuration's .cfg file and writing it again
        // (not atomically, not only when it differs): every start rewrote every file, and when its
        // watcher read a file inside that window it applied the empty file and saved it back empty.
        config.put("felix.fileinstall.enableConfigSave", "false");
        // Configuration Admin keeps its own copy in the framework's storage (run/cache/<pid>, new at
        // every start), never in conf/: the files are the one source of the configuration.
        // FileInstall's messages (a bundle that cannot start, and why) go to log/ with the rest, not only to the console.
        config.put("felix.fileinstall.log.default", "jul");
        config.put("gosh.args", interactive ? "" : "--nointeractive");
        config.put("ds.loglevel", "warn");

        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path (lib/)"));
        Framework framework = factory.newFramework(config);
        framework.init();
        Path pidFile = home.resolve("run/fastpool.pid");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            GracefulStop.drain(framework); // done already after SIGTERM; Ctrl-C and console exits drain here
            stop(framework);
            ProcessCache.remove(cache);
            if (!supervised) {
                removePidFile(pidFile, pid); // under the supervisor, the file is its own
            }
        }, "fastpool-shutdown"));
        GracefulStop.onSigterm(framework);
        List<Bundle> installed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Path jar : jars(bundles)) {
            try {
                installed.add(framework.getBundleContext().installBundle(jar.toUri().toString()));
            } catch (BundleException e) {
                failures.add(jar.getFileName() + ": " + e.getMessage());
            }
        }
        framework.start();
        for (Bundle bundle : installed) {
            // The console needs a terminal: without one it would only fail to read from standard input.
            boolean console = "org.apache.felix.gogo.jline".equals(bundle.getSymbolicName());
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null && (interactive || !console)
                    && !ListenerLast.isListener(bundle)) {
                try {
                    bundle.start();
                } catch (BundleException e) {
                    failures.add(bundle.getSymbolicName() + ": " + e.getMessage());
                }
            }
        }
        failures.forEach(failure -> System.err.println("fastpool: could not start bundle " + failure));
        Thread deployCheck = new Thread(new DeployCheck(home.resolve("deploy")), "fastpool-deploy-check");
        deployCheck.setDaemon(true);
        deployCheck.start();
        System.out.printf("fastpool: started in %d ms (home %s, %d bundles%s)%n", (System.nanoTime() - started) / 1_000_000,
                home, installed.size(), interactive ? ", console on" : "");
        ListenerLast listener = ListenerLast.among(framework.getBundleContext(), installed);
        Readiness readiness = new Readiness(framework.getBundleContext(), home, deployedAtStart, started,
                Readiness.readyFile(System.getenv()), listener::start);
        Thread ready = new Thread(readiness, "fastpool-ready");
        ready.setDaemon(true);
        ready.start();
        FrameworkEvent event = framework.waitForStop(0);
        System.exit(event.getType() == FrameworkEvent.ERROR ? 1 : 0);
    }

    private static List<Path> jars(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted(Comparator.comparing(Path::toString)).toList();
        }
    }

    /** Deletes the pid file if it still holds this process's pid: another server from this home may have written its own since. */
    private static void removePidFile(Path pidFile, long pid) {
        try {
            if (Files.readString(pidFile).strip().equals(Long.toString(pid))) {
                Files.deleteIfExists(pidFile);
            }
        } catch (IOException ignored) {
            // gone already, or unreadable: nothing to do about it on the way out
        }
    }

    private static void stop(Framework framework) {
        try {
            if (framework.getState() == Bundle.ACTIVE || framework.getState() == Bundle.STARTING) {
                framework.stop();
                framework.waitForStop(30_000);
            }
        } catch (Exception e) {
            System.err.println("fastpool: stopping the framework failed: " + e);
        }
    }
}
