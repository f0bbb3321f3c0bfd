package io.fastpool.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.api.WebApp;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;

@Timeout(30)
class ServiceAppTest {

    /**
     * A transport thread asks {@code available()} with the pool lock held (submit, dispatch), and a
     * snapshot asks {@code active()}: neither may wait while a worker activates the app's component.
     */
    @Test
    void whileItsComponentActivatesTheAppStillSaysAtOnceWhetherItIsAvailableAndActive() throws Exception {
        CountDownLatch activating = new CountDownLatch(1);
        CountDownLatch activated = new CountDownLatch(1);
        WebApp webApp = (request, response) -> { };
        ServiceObjects<?> objects = proxy(ServiceObjects.class, (self, method, args) ->
                method.getName().equals("getService") ? webApp : null);
        BundleContext context = proxy(BundleContext.class, (self, method, args) -> {
            if (method.getName().equals("getServiceObjects")) {
                activating.countDown();
                activated.await(); // a component whose activate() takes its time
                return objects;
            }
            return null;
        });
        ServiceApp app = new ServiceApp("bundle/slow-start", new SessionStore(10, 60_000, System::currentTimeMillis), context, 1);
        app.bind(proxy(ServiceReference.class, (self, method, args) -> null));
        CompletableFuture<WebApp> acquired = CompletableFuture.supplyAsync(() -> {
            try {
                return app.acquire();
            } catch (App.ActivationException | App.UnavailableException e) {
                throw new IllegalStateException(e);
            }
        });
        activating.await();

        assertThat(CompletableFuture.supplyAsync(app::available).get(2, TimeUnit.SECONDS)).isTrue();
        assertThat(CompletableFuture.supplyAsync(app::active).get(2, TimeUnit.SECONDS)).isFalse();

        activated.countDown();
        assertThat(acquired.get(5, TimeUnit.SECONDS)).isSameAs(webApp);
        assertThat(app.active()).isTrue();
    }

    /**
     * When the service goes (its bundle stops or updates), a request already given the instance
     * finishes on it before it is ungot, and a new request waits for the service's return instead
     * of getting the instance that is on its way out, even when the next service is bound already.
     */
    @Test
    void anUnbindReleasesTheInstanceOnlyOnceTheRequestsInItAreDone() throws Exception {
        CountDownLatch ungot = new CountDownLatch(1);
        WebApp webApp = (request, response) -> { };
        ServiceObjects<?> objects = proxy(ServiceObjects.class, (self, method, args) -> {
            if (method.getName().equals("ungetService")) {
                ungot.countDown();
            }
            return method.getName().equals("getService") ? webApp : null;
        });
        BundleContext context = proxy(BundleContext.class, (self, method, args) ->
                method.getName().equals("getServiceObjects") ? objects : null);
        ServiceApp app = new ServiceApp("bundle/updating", new SessionStore(10, 60_000, System::currentTimeMillis), context, 1);
        ServiceReference<WebApp> reference = proxy(ServiceReference.class, (self, method, args) -> null);
        app.bind(reference);
        assertThat(app.lease()).isSameAs(webApp);

        CompletableFuture<Boolean> unbound = CompletableFuture.supplyAsync(() -> app.unbind(reference));

        assertThat(ungot.await(300, TimeUnit.MILLISECONDS)).as("ungot while a request is in it").isFalse();
        assertThat(unbound).isNotDone();
        assertThat(app.available()).as("new requests wait").isFalse();
        app.bind(proxy(ServiceReference.class, (self, method, args) -> null)); // the updated bundle's, early
        assertThatThrownBy(app::acquire).as("the outgoing instance is no one's any more").isInstanceOf(App.UnavailableException.class);
        app.handBack();
        assertThat(unbound.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(ungot.getCount()).isZero();
        assertThat(app.active()).isFalse();
        assertThat(app.acquire()).as("the new service's instance").isSameAs(webApp);
    }

    /** An interface's stand-in: equal only to itself, the rest as {@code handler} says. */
    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<?> type, InvocationHandler handler) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> switch (method.getName()) {
            case "equals" -> self == args[0];
            case "hashCode" -> System.identityHashCode(self);
            case "toString" -> type.getSimpleName();
            default -> handler.invoke(self, method, args);
        });
    }
}
