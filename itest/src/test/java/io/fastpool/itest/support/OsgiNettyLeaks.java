package io.fastpool.itest.support;

import io.fastpool.testkit.NettyLeaks;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.tinybundles.TinyBundles;

/**
 * Netty's leak check for the netty inside the OSGi framework. Those bundles have their own copy of
 * netty, which testkit's detector on the test class path never sees; so testkit's
 * {@link NettyLeaks} is installed into the framework too, as a bundle of its own that exports it
 * and, as its activator, installs the recording detectors into the framework's netty before any
 * buffer class of it loads (a detector is made when its buffer class initialises; see
 * {@link NettyLeakRecorder}). The tests, inside the framework, reach that copy and fail on any
 * report ({@link #assertNone()}).
 */
public final class OsgiNettyLeaks {

    private OsgiNettyLeaks() {
    }

    /** The recorder bundle, started before the platform's netty is used (with Configuration Admin). */
    public static Option recorder() {
        return PlatformOptions.beforePlatform(TinyBundles.bundle()
                .symbolicName("io.fastpool.itest.nettyleaks")
                .setHeader("Bundle-Version", "1.0.0")
                .setHeader("Export-Package", NettyLeaks.class.getPackageName())
                .activator(NettyLeakRecorder.class)
                .addClass(NettyLeakRecorder.class)
                .addClass(NettyLeaks.class)
                .build(TinyBundles.bndBuilder()));
    }

    /**
     * Inside the framework: collects garbage, lets the framework's netty report what it found,
     * and fails if any of its buffers was dropped without being released since the last call.
     */
    public static void assertNone() {
        if (!NettyLeaks.installed()) {
            throw new AssertionError("the netty leak recorder is not installed in the framework: add OsgiNettyLeaks.recorder()");
        }
        NettyLeaks.assertNoLeaks();
    }
}
