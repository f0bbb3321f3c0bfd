package io.fastpool.itest.support;

import io.fastpool.testkit.NettyLeaks;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The activator of the leak recorder bundle ({@link OsgiNettyLeaks#recorder()}): installs
 * testkit's recording detectors into the framework's netty when the bundle starts. A class of its
 * own so the bundle imports only netty and the OSGi framework.
 */
public final class NettyLeakRecorder implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        NettyLeaks.install();
    }

    @Override
    public void stop(BundleContext context) {
        // the detectors stay with netty's classes, which go with the framework
    }
}
