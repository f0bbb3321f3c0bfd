package io.fastpool.servlet.internal;

import java.util.Collection;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.dto.ServiceReferenceDTO;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.osgi.service.servlet.runtime.HttpServiceRuntimeConstants;
import org.osgi.service.servlet.runtime.dto.FailedErrorPageDTO;
import org.osgi.service.servlet.runtime.dto.FailedFilterDTO;
import org.osgi.service.servlet.runtime.dto.FailedListenerDTO;
import org.osgi.service.servlet.runtime.dto.FailedPreprocessorDTO;
import org.osgi.service.servlet.runtime.dto.FailedResourceDTO;
import org.osgi.service.servlet.runtime.dto.FailedServletContextDTO;
import org.osgi.service.servlet.runtime.dto.FailedServletDTO;
import org.osgi.service.servlet.runtime.dto.FilterDTO;
import org.osgi.service.servlet.runtime.dto.PreprocessorDTO;
import org.osgi.service.servlet.runtime.dto.RequestInfoDTO;
import org.osgi.service.servlet.runtime.dto.RuntimeDTO;
import org.osgi.service.servlet.runtime.dto.ServletContextDTO;

/**
 * The whiteboard's {@link HttpServiceRuntime} service: how whiteboard clients learn that a Servlet
 * Whiteboard runs, and where ({@code osgi.http.endpoint}, "/": Fastpool serves behind a web server
 * and does not know the address clients use). The Jakarta REST whiteboard
 * ({@code org.eclipse.osgitech.rest.servlet.whiteboard}) registers its servlets only once it sees one,
 * and names it in their {@code osgi.http.whiteboard.target}.
 *
 * <p>There is one whiteboard, so every target is taken to mean this one. Its DTOs say only which
 * service it is: the servlets, filters and contexts it serves, and its failures, are not reported
 * yet ({@code docs/servlet.md}).
 */
@Component(service = HttpServiceRuntime.class, property = HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT + "=/")
public final class WhiteboardRuntime implements HttpServiceRuntime {

    private final BundleContext context;
    private final String self;

    @Activate
    public WhiteboardRuntime(BundleContext context, Map<String, Object> properties) {
        this.context = context;
        this.self = "(component.id=" + properties.get("component.id") + ")";
    }

    @Override
    public RuntimeDTO getRuntimeDTO() {
        RuntimeDTO runtime = new RuntimeDTO();
        runtime.serviceDTO = serviceDTO();
        runtime.servletContextDTOs = new ServletContextDTO[0];
        runtime.preprocessorDTOs = new PreprocessorDTO[0];
        runtime.failedErrorPageDTOs = new FailedErrorPageDTO[0];
        runtime.failedFilterDTOs = new FailedFilterDTO[0];
        runtime.failedListenerDTOs = new FailedListenerDTO[0];
        runtime.failedPreprocessorDTOs = new FailedPreprocessorDTO[0];
        runtime.failedResourceDTOs = new FailedResourceDTO[0];
        runtime.failedServletContextDTOs = new FailedServletContextDTO[0];
        runtime.failedServletDTOs = new FailedServletDTO[0];
        return runtime;
    }

    /** The path alone: which servlet and filters would serve it is not worked out yet. */
    @Override
    public RequestInfoDTO calculateRequestInfoDTO(String path) {
        RequestInfoDTO info = new RequestInfoDTO();
        info.path = path;
        info.filterDTOs = new FilterDTO[0];
        return info;
    }

    private ServiceReferenceDTO serviceDTO() {
        try {
            Collection<ServiceReference<HttpServiceRuntime>> references = context.getServiceReferences(HttpServiceRuntime.class, self);
            return references.isEmpty() ? null : references.iterator().next().adapt(ServiceReferenceDTO.class);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("cannot look up this runtime's own service with " + self, e);
        }
    }
}
