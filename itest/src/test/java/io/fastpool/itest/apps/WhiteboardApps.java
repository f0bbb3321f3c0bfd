package io.fastpool.itest.apps;

import io.fastpool.itest.whiteboard.DsHelloServlet;
import io.fastpool.itest.whiteboard.HelloServletActivator;
import io.fastpool.itest.whiteboard.SessionsActivator;
import io.fastpool.itest.whiteboard.SiteActivator;
import io.fastpool.itest.whiteboard.StuckServletActivator;
import io.fastpool.itest.whiteboard.TargetedActivator;
import io.fastpool.itest.whiteboard.VersionServletActivator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardCopyOption;
import org.ops4j.pax.tinybundles.InnerClassStrategy;
import org.ops4j.pax.tinybundles.TinyBundle;
import org.ops4j.pax.tinybundles.TinyBundles;
import org.osgi.framework.BundleActivator;

/**
 * Plain Servlet Whiteboard bundles (io.fastpool.itest.whiteboard) packed by TinyBundles, as apps
 * written for any whiteboard are: they know nothing of Fastpool. The activator bundles keep the
 * manifest as written here (TinyBundles' raw builder): they import {@code jakarta.servlet} without a
 * version and require {@code osgi.implementation=osgi.http} 2.0 and the {@code JavaServlet} 6.0
 * contract, as bnd writes them for bundles built with the whiteboard's annotations and contracts. The
 * Declarative Services bundle is described by bnd from its annotation.
 */
public final class WhiteboardApps {

    /** The hello bundle's symbolic name, and so its pool's name. */
    public static final String HELLO = "io.fastpool.itest.whiteboard";
    /** The stuck bundle's symbolic name, and so its pool's name. */
    public static final String STUCK = "io.fastpool.itest.whiteboard.stuck";
    /** The site bundle's symbolic name, and so its pool's name. */
    public static final String SITE = "io.fastpool.itest.site";
    /** The style sheet the site bundle serves as a whiteboard resource. */
    public static final String STYLE = "p { color: red }";
    /** The version bundle's symbolic name, and so its pool's name. */
    public static final String VERSION = "io.fastpool.itest.whiteboard.version";
    /** The symbolic name of {@link #sessions}. */
    public static final String SESSIONS = "io.fastpool.itest.whiteboard.sessions";

    private static final String REQUIREMENTS = "osgi.implementation;filter:=\"(&(osgi.implementation=osgi.http)(version>=2.0)(!(version>=3.0)))\","
            + "osgi.contract;filter:=\"(&(osgi.contract=JavaServlet)(version=6.0.0))\"";

    private WhiteboardApps() {
    }

    /**
     * {@link HelloServletActivator} (a servlet at {@code /hello/*}, a filter, a context listener) at
     * {@code version}, with a {@code Fastpool-Pool} header when {@code poolSettings} is not null.
     */
    public static InputStream hello(String version, String poolSettings) {
        TinyBundle bundle = activatorBundle(HELLO, version, HelloServletActivator.class);
        if (poolSettings != null) {
            bundle.setHeader("Fastpool-Pool", poolSettings);
        }
        return bundle.build(TinyBundles.rawBuilder());
    }

    /** {@link StuckServletActivator} (a servlet at {@code /stuck/*} that holds every request) with these pool settings. */
    public static InputStream stuck(String poolSettings) {
        return activatorBundle(STUCK, "1.0.0", StuckServletActivator.class).setHeader("Fastpool-Pool", poolSettings)
                .build(TinyBundles.rawBuilder());
    }

    /** {@link VersionServletActivator} (a servlet at {@code /version/*} answering {@code version V}) at {@code version}. */
    public static InputStream version(String version) {
        return activatorBundle(VERSION, version, VersionServletActivator.class).build(TinyBundles.rawBuilder());
    }

    /** {@link SiteActivator} (error pages, a forward, a resource service) with {@link #STYLE} in its {@code /files} folder. */
    public static InputStream site() {
        return activatorBundle(SITE, "1.0.0", SiteActivator.class)
                .addResource("files/style.css", new ByteArrayInputStream(STYLE.getBytes(StandardCharsets.UTF_8)))
                .build(TinyBundles.rawBuilder());
    }

    /** {@link SessionsActivator} (sessions and a listener of their ends and of attributes) with these pool settings. */
    public static InputStream sessions(String poolSettings) {
        return activatorBundle(SESSIONS, "1.0.0", SessionsActivator.class).setHeader("Fastpool-Pool", poolSettings)
                .build(TinyBundles.rawBuilder());
    }

    /** {@link TargetedActivator} (a servlet for Fastpool's whiteboard and one for another, by their target). */
    public static InputStream targeted() {
        return activatorBundle(HELLO + ".targeted", "1.0.0", TargetedActivator.class).build(TinyBundles.rawBuilder());
    }

    /** A bundle whose servlet at {@code /ds/*} is a delayed DS component ({@link DsHelloServlet}). */
    public static InputStream dsHello() {
        return TinyBundles.bundle()
                .symbolicName(HELLO + ".ds")
                .setHeader("Bundle-Version", "1.0.0")
                .addClass(DsHelloServlet.class)
                .build(TinyBundles.bndBuilder());
    }

    /** Writes {@code content} to {@code jar} (replacing it), for a test that installs or deploys it later. */
    public static Path write(Path jar, InputStream content) {
        try (InputStream in = content) {
            Files.createDirectories(jar.getParent());
            Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TinyBundle activatorBundle(String symbolicName, String version, Class<? extends BundleActivator> activator) {
        return TinyBundles.bundle()
                .setHeader("Bundle-ManifestVersion", "2")
                .symbolicName(symbolicName)
                .setHeader("Bundle-Version", version)
                .activator(activator)
                .setHeader("Import-Package", "jakarta.servlet,jakarta.servlet.http,org.osgi.framework")
                .setHeader("Require-Capability", REQUIREMENTS)
                .addClass(activator, InnerClassStrategy.ALL);
    }
}
