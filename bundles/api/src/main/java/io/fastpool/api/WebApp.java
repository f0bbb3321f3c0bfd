package io.fastpool.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A web application: the service an app bundle's Declarative Services component provides, mounted
 * with {@link Mount}. Fastpool calls {@link #handle} on a worker thread of the app's pool, with the
 * app bundle's class loader as the thread's context class loader.
 *
 * <pre>
 * &#64;Component(service = WebApp.class)
 * &#64;Mount(path = "/hello")
 * public class Hello implements WebApp {
 *     public void handle(Request request, Response response) throws IOException {
 *         response.setContentType("text/plain");
 *         response.body().write("Hello, world!".getBytes(StandardCharsets.UTF_8));
 *     }
 * }
 * </pre>
 *
 * <p>An exception thrown here is answered 500 (without its stack trace) and logged with the app's
 * name; an {@link Error} also counts toward the pool's rapid-fail protection.
 */
@FunctionalInterface
@ConsumerType
public interface WebApp {

    /**
     * Handles one request; the response is complete when this returns, unless the handler
     * {@linkplain Request#detach() detached} the request to finish it later.
     */
    void handle(Request request, Response response) throws Exception;
}
