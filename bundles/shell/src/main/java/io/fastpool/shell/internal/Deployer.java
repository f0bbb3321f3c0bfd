package io.fastpool.shell.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.resource.Capability;
import org.osgi.resource.Requirement;

/**
 * Deploys and undeploys app bundles the way an operator does by hand: through the {@code deploy/}
 * folder that FileInstall watches. A jar is checked, written next to the folder and renamed into
 * it (so FileInstall never sees half a file), then the deployer waits until the bundle is there.
 */
final class Deployer {

    /** How long to wait for FileInstall to install or uninstall a bundle. */
    static final Duration WAIT = Duration.ofSeconds(15);

    /** How long a bundle found but not active may take to start before it is reported as it is. */
    static final Duration SETTLE = Duration.ofSeconds(3);

    /** A bundle as the deployer sees it. */
    record Installed(long id, String symbolicName, String version, String location, String state, long lastModified,
            String problem) {

        Installed(long id, String symbolicName, String version, String location, String state, long lastModified) {
            this(id, symbolicName, version, location, state, lastModified, null);
        }
    }

    /** The installed bundles: the framework's, or a test's. */
    interface Bundles {
        List<Installed> list();
    }

    private final Path home;
    private final Path deployDir;
    private final Bundles bundles;
    private final Duration wait;

    Deployer(BundleContext context) {
        this(homeOf(context), deployDirOf(context), () -> installed(context), WAIT);
    }

    /**
     * @param home where relative paths resolve, and where a jar is written before it is renamed into
     *        {@code deployDir}; null outside the distribution
     * @param deployDir the folder FileInstall watches; null when there is none
     */
    Deployer(Path home, Path deployDir, Bundles bundles, Duration wait) {
        this.home = home;
        this.deployDir = deployDir;
        this.bundles = bundles;
        this.wait = wait;
    }

    String deploy(String source) throws IOException, InterruptedException {
        Path deploy = deployFolder();
        long before = System.currentTimeMillis();
        Path staging = Files.createTempFile(stagingFolder(deploy), ".deploy-", ".part");
        try {
            try (InputStream in = open(source)) {
                Files.copy(in, staging, StandardCopyOption.REPLACE_EXISTING);
            }
            BundleId id = bundleIdOf(staging, source);
            Optional<Installed> earlier = fromDeploy(deploy).stream().filter(b -> id.symbolicName().equals(b.symbolicName()))
                    .findFirst();
            Path target = earlier.map(b -> fileOf(b.location())).orElse(deploy.resolve(fileNameFor(source, id)));
            move(staging, target);
            Installed done = awaitBundle(target, earlier.isPresent() ? before : 0);
            if (done == null) {
                return "copied " + source + " to " + home.relativize(target) + ", but no bundle was installed from it within "
                        + wait.toSeconds() + " s: is FileInstall watching " + deploy + "? See log/fastpool.0.log\n";
            }
            String what = earlier.isPresent() ? "replaced " + earlier.get().symbolicName() + " " + earlier.get().version()
                    + " with " + done.version() : "deployed " + done.symbolicName() + " " + done.version();
            if (done.state().equals("INSTALLED")) {
                throw new IllegalStateException(what + " (bundle " + done.id() + ") from " + home.relativize(target)
                        + ", but it is INSTALLED, not started: " + (done.problem() == null ? "it does not resolve"
                        : done.problem()) + "; it stays in deploy/ and starts once what it needs is deployed (see log/fastpool.0.log)");
            }
            String state = done.state();
            return what + " (bundle " + done.id() + ", " + state + ") from " + home.relativize(target) + "\n";
        } finally {
            Files.deleteIfExists(staging);
        }
    }

    String undeploy(String name) throws IOException, InterruptedException {
        Path deploy = deployFolder();
        Installed bundle = find(name);
        Path file = fileOf(bundle.location());
        if (file == null || !inFolder(file, deploy)) {
            throw new IllegalArgumentException(bundle.symbolicName() + " (bundle " + bundle.id() + ") was not deployed from "
                    + deploy + " (its location is " + bundle.location() + "); only apps in deploy/ can be undeployed");
        }
        Files.deleteIfExists(file);
        long deadline = System.nanoTime() + wait.toNanos();
        while (bundles.list().stream().anyMatch(b -> b.id() == bundle.id())) {
            if (System.nanoTime() - deadline > 0) {
                return "removed " + home.relativize(file) + ", but bundle " + bundle.id() + " is still installed after "
                        + wait.toSeconds() + " s: is FileInstall watching " + deploy + "? See log/fastpool.0.log\n";
            }
            Thread.sleep(50);
        }
        return "undeployed " + bundle.symbolicName() + " " + bundle.version() + " (bundle " + bundle.id() + "): removed "
                + home.relativize(file) + "\n";
    }

    // ---- Internals.

    private record BundleId(String symbolicName, String version) {
    }

    private Path deployFolder() {
        if (deployDir == null || home == null) {
            throw new IllegalStateException("there is no deploy folder here: the framework property fastpool.home is not set"
                    + " (deploy and undeploy work in the Fastpool distribution)");
        }
        if (!Files.isDirectory(deployDir)) {
            throw new IllegalStateException("the deploy folder " + deployDir + " does not exist");
        }
        return deployDir;
    }

    /** Next to the deploy folder (same file system, so the rename is atomic), never inside it. */
    private Path stagingFolder(Path deploy) throws IOException {
        Path run = home.resolve("run");
        return Files.isDirectory(run) ? run : deploy.toAbsolutePath().getParent();
    }

    private InputStream open(String source) throws IOException {
        if (source.contains("://") || source.startsWith("file:")) {
            try {
                return new URI(source).toURL().openStream();
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new IllegalArgumentException("not a valid URL: " + source + " (" + e.getMessage() + ")");
            }
        }
        Path path = home.resolve(source);
        try {
            return Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + path + (Path.of(source).isAbsolute() ? ""
                    : " (relative paths resolve against the server's home, " + home + ")"));
        }
    }

    private static BundleId bundleIdOf(Path jar, String source) {
        Manifest manifest;
        try (JarFile file = new JarFile(jar.toFile())) {
            manifest = file.getManifest();
        } catch (IOException e) {
            throw new IllegalArgumentException(source + " is not a jar: " + e.getMessage());
        }
        Attributes main = manifest == null ? null : manifest.getMainAttributes();
        String symbolicName = main == null ? null : main.getValue("Bundle-SymbolicName");
        if (symbolicName == null || symbolicName.isBlank()) {
            throw new IllegalArgumentException(source + " is not an OSGi bundle: its manifest has no Bundle-SymbolicName");
        }
        int semicolon = symbolicName.indexOf(';');
        String version = main.getValue("Bundle-Version");
        return new BundleId((semicolon < 0 ? symbolicName : symbolicName.substring(0, semicolon)).trim(),
                version == null ? "0.0.0" : version.trim());
    }

    private static String fileNameFor(String source, BundleId id) {
        String last = source.replaceAll("[?#].*$", "");
        last = last.substring(Math.max(last.lastIndexOf('/'), last.lastIndexOf('\\')) + 1);
        return last.endsWith(".jar") && !last.startsWith(".") ? last : id.symbolicName() + ".jar";
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Waits for a bundle installed (or, with {@code changedAfter} > 0, updated since then) from
     * {@code file} and started; one that stays INSTALLED for {@link #SETTLE} (its imports do not
     * resolve) is returned as it is.
     */
    private Installed awaitBundle(Path file, long changedAfter) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        Installed seen = null;
        long seenAt = 0;
        while (System.nanoTime() - deadline < 0) {
            for (Installed bundle : bundles.list()) {
                Path from = fileOf(bundle.location());
                if (from != null && sameFile(from, file) && bundle.lastModified() >= changedAfter) {
                    if (bundle.state().equals("ACTIVE")) {
                        return bundle;
                    }
                    if (seen == null) {
                        seenAt = System.nanoTime();
                    }
                    seen = bundle;
                }
            }
            if (seen != null && System.nanoTime() - seenAt > SETTLE.toNanos()) {
                return seen;
            }
            Thread.sleep(50);
        }
        return seen;
    }

    private Installed find(String name) {
        List<Installed> all = bundles.list();
        for (Installed bundle : all) {
            if (name.equals(bundle.symbolicName()) || name.equals(Long.toString(bundle.id()))) {
                return bundle;
            }
        }
        for (Installed bundle : all) {
            Path file = fileOf(bundle.location());
            if (file != null && file.getFileName() != null && file.getFileName().toString().equals(name)) {
                return bundle;
            }
        }
        List<String> deployed = new ArrayList<>();
        fromDeploy(deployDir).forEach(b -> deployed.add(b.symbolicName()));
        throw new IllegalArgumentException("no bundle named " + name + "; deployed from deploy/: " + deployed);
    }

    private List<Installed> fromDeploy(Path deploy) {
        List<Installed> result = new ArrayList<>();
        for (Installed bundle : bundles.list()) {
            Path file = fileOf(bundle.location());
            if (file != null && inFolder(file, deploy)) {
                result.add(bundle);
            }
        }
        return result;
    }

    /** The file of a {@code file:} location, or null for any other. */
    static Path fileOf(String location) {
        if (location == null || !location.startsWith("file:")) {
            return null;
        }
        try {
            return Path.of(new URI(location));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Path.of(location.substring("file:".length()));
        }
    }

    private static boolean inFolder(Path file, Path folder) {
        Path parent = file.toAbsolutePath().normalize().getParent();
        return parent != null && sameFile(parent, folder);
    }

    private static boolean sameFile(Path a, Path b) {
        Path left = a.toAbsolutePath().normalize();
        Path right = b.toAbsolutePath().normalize();
        if (left.equals(right)) {
            return true;
        }
        try {
            return Files.exists(left) && Files.exists(right) && Files.isSameFile(left, right);
        } catch (IOException e) {
            return false;
        }
    }

    private static Path homeOf(BundleContext context) {
        String home = context.getProperty("fastpool.home");
        return home == null ? null : Path.of(home).toAbsolutePath().normalize();
    }

    private static Path deployDirOf(BundleContext context) {
        String deploy = context.getProperty("fastpool.deploy");
        Path home = homeOf(context);
        if (deploy != null) {
            return home == null ? Path.of(deploy).toAbsolutePath() : home.resolve(deploy);
        }
        return home == null ? null : home.resolve("deploy");
    }

    private static List<Installed> installed(BundleContext context) {
        List<Installed> result = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            result.add(new Installed(bundle.getBundleId(), bundle.getSymbolicName(), bundle.getVersion().toString(),
                    bundle.getLocation(), stateName(bundle.getState()), bundle.getLastModified(),
                    bundle.getState() == Bundle.INSTALLED ? missingImports(context, bundle) : null));
        }
        return result;
    }

    /** The packages {@code bundle} imports (not optionally) that no installed bundle exports, as a sentence; or null. */
    static String missingImports(BundleContext context, Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        if (revision == null) {
            return null;
        }
        List<String> missing = new ArrayList<>();
        for (Requirement requirement : revision.getRequirements(PackageNamespace.PACKAGE_NAMESPACE)) {
            if (PackageNamespace.RESOLUTION_OPTIONAL.equals(requirement.getDirectives().get(PackageNamespace.REQUIREMENT_RESOLUTION_DIRECTIVE))) {
                continue;
            }
            String filterText = requirement.getDirectives().get(PackageNamespace.REQUIREMENT_FILTER_DIRECTIVE);
            Filter filter;
            try {
                filter = filterText == null ? null : FrameworkUtil.createFilter(filterText);
            } catch (InvalidSyntaxException e) {
                continue;
            }
            if (filter != null && !exported(context, filter)) {
                missing.add(filterText.replaceAll(".*osgi\\.wiring\\.package=([^)]*)\\).*", "$1"));
            }
        }
        return missing.isEmpty() ? null : "it imports packages no bundle exports: " + String.join(", ", missing);
    }

    private static boolean exported(BundleContext context, Filter filter) {
        for (Bundle other : context.getBundles()) {
            BundleRevision revision = other.adapt(BundleRevision.class);
            if (revision == null) {
                continue;
            }
            for (Capability capability : revision.getCapabilities(PackageNamespace.PACKAGE_NAMESPACE)) {
                if (filter.matches(capability.getAttributes())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String stateName(int state) {
        return switch (state) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            default -> "UNINSTALLED";
        };
    }
}
