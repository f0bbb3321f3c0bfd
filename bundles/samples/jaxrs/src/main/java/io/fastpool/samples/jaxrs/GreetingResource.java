package io.fastpool.samples.jaxrs;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletableFuture;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

/**
 * A plain Jakarta REST resource registered with the Jakarta RESTful Web Services Whiteboard's
 * annotations (bnd turns them into service properties and a requirement on a JAX-RS whiteboard,
 * which the optional JAX-RS set provides on top of Fastpool's Servlet Whiteboard). It waits for a
 * JSON extension ({@code @JSONRequired}, met by {@link JsonExtension}).
 *
 * <ul>
 *   <li>{@code GET /greetings/{name}} the greeting as JSON, answered on the request's thread;
 *   <li>{@code POST /greetings} with {@code {"name": "..."}}: the same greeting for a JSON body;
 *   <li>{@code GET /greetings/{name}/later} the greeting, answered from another thread through a
 *       suspended {@link AsyncResponse}.
 * </ul>
 *
 * <p>A prototype-scoped component: Jersey asks the whiteboard for an instance per request, as a
 * JAX-RS resource class is made per request.
 */
@Component(service = GreetingResource.class, scope = ServiceScope.PROTOTYPE)
@JakartarsResource
@JakartarsName("io.fastpool.samples.jaxrs.greetings")
@JSONRequired
@Path("greetings")
@Produces(MediaType.APPLICATION_JSON)
public class GreetingResource {

    /** What the resource answers. */
    public record Greeting(String greeting, String answeredBy) {
    }

    /** What a POST sends. */
    public record GreetingRequest(String name) {
    }

    @GET
    @Path("{name}")
    public Greeting greet(@PathParam("name") String name) {
        return greetingFor(name, "sync");
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Greeting greet(GreetingRequest request) {
        if (request == null || request.name() == null || request.name().isBlank()) {
            throw new WebApplicationException("the body needs a name: {\"name\": \"Ada\"}", Response.Status.BAD_REQUEST);
        }
        return greetingFor(request.name().strip(), "sync");
    }

    /** Suspends the request and answers it when the greeting is made on another thread. */
    @GET
    @Path("{name}/later")
    public void greetLater(@PathParam("name") String name, @Suspended AsyncResponse response) {
        CompletableFuture.runAsync(() -> {
            try {
                response.resume(greetingFor(name, "async"));
            } catch (RuntimeException e) {
                response.resume(e);
            }
        });
    }

    static Greeting greetingFor(String name, String answeredBy) {
        return new Greeting("Hello, " + name + "!", answeredBy);
    }
}
