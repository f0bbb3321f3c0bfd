package io.fastpool.servlet.internal;

import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.dto.ServiceReferenceDTO;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.osgi.service.servlet.runtime.HttpServiceRuntimeConstants;
import org.osgi.service.servlet.runtime.dto.RequestInfoDTO;
import org.osgi.service.servlet.runtime.dto.RuntimeDTO;

/**
 * The whiteboard's {@link HttpServiceRuntime} service: how whiteboard clients learn that a Servlet
 * Whiteboard runs, and where ({@code osgi.http.endpoint}, "/": Fastpool serves behind a web server
 * and does not know the address clients use); and what it serves and what it could not, as the
 * specification's DTOs ({@link RuntimeDTOs}). The Jakarta REST whiteboard
 * ({@code org.eclipse.osgitech.rest.servlet.whiteboard}) registers its servlets only once it sees one,
 * and names it in their {@code osgi.http.whiteboard.target}.
 *
 * <p>Registered by the {@link ServletWhiteboard} itself, which both answers for its content and
 * needs its service properties to match the targets of the services it tracks ({@link RuntimeTarget}).
 */
final class WhiteboardRuntime implements HttpServiceRuntime {

    /** What the runtime reports, read at one moment. */
    interface Content {
        /** The runtime's DTO without its own service's DTO. */
        RuntimeDTO runtime();

        RequestInfoDTO requestInfo(String path);
    }

    private final Content content;
    private volatile ServiceRegistration<HttpServiceRuntime> registration;

    WhiteboardRuntime(Content content) {
        this.content = content;
    }

    /** Registers the runtime in {@code context}'s name; returns its service properties. */
    Map<String, Object> register(BundleContext context) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT, "/");
        registration = context.registerService(HttpServiceRuntime.class, this, properties);
        ServiceReference<HttpServiceRuntime> reference = registration.getReference();
        Map<String, Object> registered = new HashMap<>();
        for (String key : reference.getPropertyKeys()) {
            registered.put(key, reference.getProperty(key));
        }
        return registered;
    }

    void unregister() {
        ServiceRegistration<HttpServiceRuntime> registered = registration;
        if (registered != null) {
            try {
                registered.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle stopped first
            }
        }
    }

    @Override
    public RuntimeDTO getRuntimeDTO() {
        RuntimeDTO runtime = content.runtime();
        ServiceRegistration<HttpServiceRuntime> registered = registration;
        runtime.serviceDTO = registered == null ? null : registered.getReference().adapt(ServiceReferenceDTO.class);
        return runtime;
    }

    @Override
    public RequestInfoDTO calculateRequestInfoDTO(String path) {
        return content.requestInfo(path);
    }
}
