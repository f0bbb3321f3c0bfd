package io.fastpool.itest.support;

import io.fastpool.testkit.NettyLeaks;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The activator of the leak recorder bundle ({@link OsgiNettyLeaks#recorder()}): installs
 * testkit's recording detectors into the framework's netty when the bundle starts. A class of its
 * own so the bundle imports only netty and the OSGi framework. A JVM run with netty's leak
 * detection disabled (bench/transport-figures, whose figures PARANOID would distort) keeps it off.
 */
public final class NettyLeakRecorder implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        if (!"disabled".equalsIgnoreCase(System.getProperty("io.netty.leakDetection.level"))) {
            NettyLeaks.install();
        }
    }

    @Override
    public void stop(BundleContext context) {
        // the detectors stay with netty's classes, which go with the framework
    }
}
