package io.fastpool.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class whose tests left a netty buffer unreleased. Registered automatically for
 * every Jupiter test class (see {@code junit-platform.properties}); property tests run by other
 * engines call {@link NettyLeaks#assertNoLeaks()} themselves.
 */
public final class NettyLeakExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) {
        NettyLeaks.assertNoLeaks();
    }
}
