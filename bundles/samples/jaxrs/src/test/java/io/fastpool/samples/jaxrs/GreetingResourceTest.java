package io.fastpool.samples.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.samples.jaxrs.GreetingResource.Greeting;
import io.fastpool.samples.jaxrs.GreetingResource.GreetingRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.AsyncResponse;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The resource's methods called as Jersey calls them; the whiteboard and JSON are tested in itest's JaxrsWhiteboardIT. */
class GreetingResourceTest {

    private final GreetingResource resource = new GreetingResource();

    @Test
    void aGetGreetsThePathParameter() {
        assertThat(resource.greet("Ada")).isEqualTo(new Greeting("Hello, Ada!", "sync"));
    }

    @Test
    void aPostGreetsTheNameInItsBodyAndRefusesOneWithout() {
        assertThat(resource.greet(new GreetingRequest("  Grace "))).isEqualTo(new Greeting("Hello, Grace!", "sync"));
        assertThatThrownBy(() -> resource.greet(new GreetingRequest(" "))).isInstanceOfSatisfying(WebApplicationException.class,
                e -> assertThat(e.getResponse().getStatus()).isEqualTo(400));
        assertThatThrownBy(() -> resource.greet((GreetingRequest) null)).isInstanceOf(WebApplicationException.class);
    }

    @Test
    void theAsyncMethodResumesTheSuspendedResponseFromAnotherThread() throws Exception {
        CompletableFuture<Object> resumed = new CompletableFuture<>();
        CompletableFuture<Thread> resumer = new CompletableFuture<>();
        AsyncResponse response = (AsyncResponse) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {AsyncResponse.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("resume")) {
                        resumer.complete(Thread.currentThread());
                        resumed.complete(args[0]);
                        return true;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });

        resource.greetLater("Ada", response);

        assertThat(resumed.get(10, TimeUnit.SECONDS)).isEqualTo(new Greeting("Hello, Ada!", "async"));
        assertThat(resumer.get()).isNotSameAs(Thread.currentThread());
    }
}
