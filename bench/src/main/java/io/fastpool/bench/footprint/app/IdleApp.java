package io.fastpool.bench.footprint.app;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The app of every bundle {@link io.fastpool.bench.footprint.AppBundleGenerator} writes: answers
 * {@code app /appN} in plain text. Its class file is copied into each bundle as it is, so it may
 * use nothing but {@code io.fastpool.api} and {@code java.*}, the bundles' only imports.
 */
public class IdleApp implements WebApp {

    @Override
    public void handle(Request request, Response response) throws IOException {
        response.setContentType("text/plain");
        response.body().write(("app " + request.contextPath() + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
