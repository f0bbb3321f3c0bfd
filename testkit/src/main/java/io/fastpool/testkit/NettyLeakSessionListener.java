package io.fastpool.testkit;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Installs {@link NettyLeaks} when the JUnit Platform session opens, before any test class (and so
 * any netty buffer class) is loaded. Registered through {@code META-INF/services}, so every module
 * that has testkit on its test class path gets it, whatever engine (Jupiter, jqwik, Jazzer) runs.
 */
public final class NettyLeakSessionListener implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        NettyLeaks.install();
    }
}
