package io.fastpool.itest.apps;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link WebApp} whose request allocates without bound and keeps everything (a static list, so
 * nothing can be optimised away): it ends in an {@code OutOfMemoryError}, as a leaking app does.
 * Packed by hand into a deploy/ jar by {@code CrashProtectionIT}.
 */
public final class HoardingApp implements WebApp {

    private static final List<byte[]> HOARD = new ArrayList<>();

    @Override
    public void handle(Request request, Response response) {
        synchronized (HOARD) {
            while (true) {
                HOARD.add(new byte[1 << 20]);
            }
        }
    }
}
