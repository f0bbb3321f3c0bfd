package io.fastpool.servlet.internal;

import static org.osgi.service.servlet.runtime.dto.DTOConstants.FAILURE_REASON_NO_SERVLET_CONTEXT_MATCHING;
import static org.osgi.service.servlet.runtime.dto.DTOConstants.FAILURE_REASON_SHADOWED_BY_OTHER_SERVICE;
import static org.osgi.service.servlet.runtime.dto.DTOConstants.FAILURE_REASON_VALIDATION_FAILED;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContextAttributeListener;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRequestAttributeListener;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.osgi.framework.ServiceReference;
import org.osgi.service.servlet.runtime.dto.BaseServletDTO;
import org.osgi.service.servlet.runtime.dto.ErrorPageDTO;
import org.osgi.service.servlet.runtime.dto.FailedErrorPageDTO;
import org.osgi.service.servlet.runtime.dto.FailedFilterDTO;
import org.osgi.service.servlet.runtime.dto.FailedListenerDTO;
import org.osgi.service.servlet.runtime.dto.FailedPreprocessorDTO;
import org.osgi.service.servlet.runtime.dto.FailedResourceDTO;
import org.osgi.service.servlet.runtime.dto.FailedServletContextDTO;
import org.osgi.service.servlet.runtime.dto.FailedServletDTO;
import org.osgi.service.servlet.runtime.dto.FilterDTO;
import org.osgi.service.servlet.runtime.dto.ListenerDTO;
import org.osgi.service.servlet.runtime.dto.PreprocessorDTO;
import org.osgi.service.servlet.runtime.dto.RequestInfoDTO;
import org.osgi.service.servlet.runtime.dto.ResourceDTO;
import org.osgi.service.servlet.runtime.dto.RuntimeDTO;
import org.osgi.service.servlet.runtime.dto.ServletContextDTO;
import org.osgi.service.servlet.runtime.dto.ServletDTO;

/**
 * The runtime's DTOs ({@link WhiteboardRuntime}) made from what the whiteboard holds at one moment:
 * a {@link ServletContextDTO} per servlet context in use with the servlets, resources, error pages,
 * filters and listeners that run in it, and the failures with the specification's reasons: a
 * helper shadowed by a higher-ranked one of the same name, or a service whose properties are invalid
 * ({@code FAILURE_REASON_VALIDATION_FAILED}); a service that selects no context there is
 * ({@code FAILURE_REASON_NO_SERVLET_CONTEXT_MATCHING}); a servlet, resource or error page every
 * pattern or code of which a higher-ranked one of the same bundle and context holds
 * ({@code FAILURE_REASON_SHADOWED_BY_OTHER_SERVICE}: each bundle is its own app, so, as Fastpool
 * routes, shadowing is within a bundle; docs/servlet.md). What is only known once an app runs (a
 * servlet's {@code servletInfo}, an {@code init} that failed) is not reported.
 *
 * <p>Not thread-safe: the whiteboard calls it holding its monitor, which guards what it reads.
 */
final class RuntimeDTOs {

    private final ServletContexts contexts;
    private final Collection<ServletApp> apps;
    private final Map<ServiceReference<?>, String> invalid;

    /** {@code invalid}: the services left out for their properties, each with its kind ({@code servlet}, {@code filter}, ...). */
    RuntimeDTOs(ServletContexts contexts, Collection<ServletApp> apps, Map<ServiceReference<?>, String> invalid) {
        this.contexts = contexts;
        this.apps = apps;
        this.invalid = invalid;
    }

    /** Everything but the runtime's own service DTO, which the runtime adds. */
    RuntimeDTO runtime() {
        RuntimeDTO runtime = new RuntimeDTO();
        Map<WhiteboardContext, ServletContextDTO> inUse = new HashMap<>();
        for (WhiteboardContext context : contexts.inUse()) {
            inUse.put(context, contextDTO(new ServletContextDTO(), context));
        }
        Failures failed = new Failures();
        for (ServletApp app : apps) {
            describe(app, inUse, failed);
        }
        for (WhiteboardContext shadowed : contexts.shadowed()) {
            FailedServletContextDTO dto = contextDTO(new FailedServletContextDTO(), shadowed);
            dto.failureReason = FAILURE_REASON_SHADOWED_BY_OTHER_SERVICE;
            failed.contexts.add(dto);
        }
        invalid.forEach((reference, kind) -> failed.invalid(kind, serviceId(reference)));
        runtime.servletContextDTOs = inUse.values().toArray(ServletContextDTO[]::new);
        runtime.preprocessorDTOs = new PreprocessorDTO[0];
        runtime.failedPreprocessorDTOs = new FailedPreprocessorDTO[0];
        runtime.failedServletContextDTOs = failed.contexts.toArray(FailedServletContextDTO[]::new);
        runtime.failedServletDTOs = failed.servlets.toArray(FailedServletDTO[]::new);
        runtime.failedResourceDTOs = failed.resources.toArray(FailedResourceDTO[]::new);
        runtime.failedErrorPageDTOs = failed.errorPages.toArray(FailedErrorPageDTO[]::new);
        runtime.failedFilterDTOs = failed.filters.toArray(FailedFilterDTO[]::new);
        runtime.failedListenerDTOs = failed.listeners.toArray(FailedListenerDTO[]::new);
        return runtime;
    }

    /**
     * What would serve {@code path}: the app the path reaches (the longest mount path it falls under,
     * as the listener routes), then its servlet or resource and the filters of a REQUEST dispatch.
     */
    RequestInfoDTO requestInfo(String path) {
        RequestInfoDTO info = new RequestInfoDTO();
        info.path = path;
        info.filterDTOs = new FilterDTO[0];
        ServletApp reached = null;
        for (ServletApp app : apps) {
            String mount = app.mountPath();
            if (mount != null && under(path, mount) && (reached == null || mount.length() > reached.mountPath().length())) {
                reached = app;
            }
        }
        ServletMapping.Match<ServletApp.Registered> routed = reached == null ? null : reached.routes().match(path);
        if (routed == null) {
            return info;
        }
        ServletApp.Registered target = routed.target();
        info.servletContextId = target.context().serviceId();
        if (target.resourcePrefix() != null) {
            info.resourceDTO = resourceDTO(new ResourceDTO(), target);
        } else {
            info.servletDTO = servletDTO(new ServletDTO(), target.description(), target.context());
        }
        info.filterDTOs = reached.filters().stream()
                .filter(filter -> filter.context().equals(target.context())
                        && filter.description().appliesTo(DispatcherType.REQUEST, routed.pathInContext(), target.description().name()))
                .map(filter -> filterDTO(new FilterDTO(), filter.description(), filter.context()))
                .toArray(FilterDTO[]::new);
        return info;
    }

    private static boolean under(String path, String mount) {
        return mount.equals("/") || path.equals(mount) || path.startsWith(mount + "/");
    }

    /** Adds what {@code app} runs to its contexts' DTOs, and what it cannot run to {@code failed}. */
    private void describe(ServletApp app, Map<WhiteboardContext, ServletContextDTO> inUse, Failures failed) {
        ServletApp.Services services = app.services();
        Set<ServletApp.Registered> routed = app.routes().targets();
        List<ServletDTO> servlets = new ArrayList<>();
        services.servlets().forEach((reference, servlet) -> {
            List<WhiteboardContext> selected = contexts.selectedBy(servlet.contextSelect());
            if (selected.isEmpty()) {
                failed.servlets.add(failedServlet(servlet, null, FAILURE_REASON_NO_SERVLET_CONTEXT_MATCHING));
            }
            for (WhiteboardContext context : selected) {
                if (!servlet.patterns().isEmpty()) {
                    if (routed.contains(new ServletApp.Registered(reference, servlet, context, null))) {
                        add(inUse.get(context), servletDTO(new ServletDTO(), servlet, context));
                    } else {
                        failed.servlets.add(failedServlet(servlet, context, FAILURE_REASON_SHADOWED_BY_OTHER_SERVICE));
                    }
                }
                if (!servlet.errorPages().isEmpty()) {
                    errorPage(app, reference, servlet, context, inUse.get(context), failed);
                }
            }
        });
        services.resources().forEach((reference, resource) -> {
            List<WhiteboardContext> selected = contexts.selectedBy(resource.servlet().contextSelect());
            if (selected.isEmpty()) {
                failed.resources.add(failedResource(resource, null, FAILURE_REASON_NO_SERVLET_CONTEXT_MATCHING));
            }
            for (WhiteboardContext context : selected) {
                ServletApp.Registered registered = new ServletApp.Registered(reference, resource.servlet(), context, resource.prefix());
                if (routed.contains(registered)) {
                    ServletContextDTO dto = inUse.get(context);
                    dto.resourceDTOs = append(dto.resourceDTOs, resourceDTO(new ResourceDTO(), registered), ResourceDTO[]::new);
                } else {
                    failed.resources.add(failedResource(resource, context, FAILURE_REASON_SHADOWED_BY_OTHER_SERVICE));
                }
            }
        });
        services.filters().forEach((reference, filter) -> {
            List<WhiteboardContext> selected = contexts.selectedBy(filter.contextSelect());
            if (selected.isEmpty()) {
                FailedFilterDTO dto = filterDTO(new FailedFilterDTO(), filter, null);
                dto.failureReason = FAILURE_REASON_NO_SERVLET_CONTEXT_MATCHING;
                failed.filters.add(dto);
            }
            for (WhiteboardContext context : selected) {
                ServletContextDTO dto = inUse.get(context);
                dto.filterDTOs = append(dto.filterDTOs, filterDTO(new FilterDTO(), filter, context), FilterDTO[]::new);
            }
        });
        services.listeners().forEach((reference, listener) -> {
            List<WhiteboardContext> selected = contexts.selectedBy(listener.contextSelect());
            if (selected.isEmpty()) {
                FailedListenerDTO dto = listenerDTO(new FailedListenerDTO(), listener, null);
                dto.failureReason = FAILURE_REASON_NO_SERVLET_CONTEXT_MATCHING;
                failed.listeners.add(dto);
            }
            for (WhiteboardContext context : selected) {
                ServletContextDTO dto = inUse.get(context);
                dto.listenerDTOs = append(dto.listenerDTOs, listenerDTO(new ListenerDTO(), listener, context), ListenerDTO[]::new);
            }
        });
    }

    private static void add(ServletContextDTO context, ServletDTO servlet) {
        context.servletDTOs = append(context.servletDTOs, servlet, ServletDTO[]::new);
    }

    /** An error page in {@code context}: reported as one unless every code and class it claims is a higher-ranked page's. */
    private static void errorPage(ServletApp app, ServiceReference<?> reference, WhiteboardServlet servlet, WhiteboardContext context,
            ServletContextDTO into, Failures failed) {
        boolean holdsOne = app.errorPages(context).targets().contains(new ServletApp.Registered(reference, servlet, context, null));
        if (holdsOne) {
            into.errorPageDTOs = append(into.errorPageDTOs, errorPageDTO(new ErrorPageDTO(), servlet, context), ErrorPageDTO[]::new);
        } else {
            FailedErrorPageDTO dto = errorPageDTO(new FailedErrorPageDTO(), servlet, context);
            dto.failureReason = FAILURE_REASON_SHADOWED_BY_OTHER_SERVICE;
            failed.errorPages.add(dto);
        }
    }

    private static <D extends ServletContextDTO> D contextDTO(D dto, WhiteboardContext context) {
        dto.name = context.name();
        dto.contextPath = context.contextPath();
        dto.serviceId = context.serviceId();
        return emptyContents(dto);
    }

    private static <D extends ServletContextDTO> D emptyContents(D dto) {
        dto.initParams = Map.of();
        dto.attributes = Map.of();
        dto.servletDTOs = new ServletDTO[0];
        dto.resourceDTOs = new ResourceDTO[0];
        dto.filterDTOs = new FilterDTO[0];
        dto.errorPageDTOs = new ErrorPageDTO[0];
        dto.listenerDTOs = new ListenerDTO[0];
        return dto;
    }

    private static <D extends BaseServletDTO> D base(D dto, WhiteboardServlet servlet, WhiteboardContext context) {
        dto.name = servlet.name();
        dto.asyncSupported = servlet.asyncSupported();
        dto.initParams = Map.copyOf(servlet.initParams());
        dto.serviceId = servlet.serviceId();
        dto.servletContextId = context == null ? 0 : context.serviceId();
        return dto;
    }

    private static <D extends ServletDTO> D servletDTO(D dto, WhiteboardServlet servlet, WhiteboardContext context) {
        base(dto, servlet, context);
        dto.patterns = servlet.patterns().toArray(String[]::new);
        if (servlet.multipart() != null) {
            dto.multipartEnabled = true;
            dto.multipartFileSizeThreshold = servlet.multipart().getFileSizeThreshold();
            dto.multipartLocation = servlet.multipart().getLocation();
            dto.multipartMaxFileSize = servlet.multipart().getMaxFileSize();
            dto.multipartMaxRequestSize = servlet.multipart().getMaxRequestSize();
        }
        return dto;
    }

    private static FailedServletDTO failedServlet(WhiteboardServlet servlet, WhiteboardContext context, int reason) {
        FailedServletDTO dto = servletDTO(new FailedServletDTO(), servlet, context);
        dto.failureReason = reason;
        return dto;
    }

    private static <D extends ErrorPageDTO> D errorPageDTO(D dto, WhiteboardServlet servlet, WhiteboardContext context) {
        base(dto, servlet, context);
        List<String> exceptions = new ArrayList<>();
        List<Long> codes = new ArrayList<>();
        for (String page : servlet.errorPages()) {
            String error = page.trim();
            if (error.equals("4xx") || error.equals("5xx")) {
                long first = (error.charAt(0) - '0') * 100L;
                LongStream.range(first, first + 100).forEach(codes::add);
            } else if (!error.isEmpty() && error.chars().allMatch(Character::isDigit)) {
                codes.add(Long.parseLong(error));
            } else {
                exceptions.add(error);
            }
        }
        dto.exceptions = exceptions.toArray(String[]::new);
        dto.errorCodes = codes.stream().mapToLong(Long::longValue).toArray();
        return dto;
    }

    private static <D extends ResourceDTO> D resourceDTO(D dto, ServletApp.Registered resource) {
        dto.patterns = resource.description().patterns().toArray(String[]::new);
        dto.prefix = resource.resourcePrefix();
        dto.serviceId = resource.description().serviceId();
        dto.servletContextId = resource.context().serviceId();
        return dto;
    }

    private static FailedResourceDTO failedResource(WhiteboardResource resource, WhiteboardContext context, int reason) {
        FailedResourceDTO dto = new FailedResourceDTO();
        dto.patterns = resource.servlet().patterns().toArray(String[]::new);
        dto.prefix = resource.prefix();
        dto.serviceId = resource.servlet().serviceId();
        dto.servletContextId = context == null ? 0 : context.serviceId();
        dto.failureReason = reason;
        return dto;
    }

    private static <D extends FilterDTO> D filterDTO(D dto, WhiteboardFilter filter, WhiteboardContext context) {
        dto.name = filter.name();
        dto.patterns = filter.patterns().toArray(String[]::new);
        dto.regexs = filter.regexes().stream().map(Pattern::pattern).toArray(String[]::new);
        dto.servletNames = filter.servletNames().toArray(String[]::new);
        dto.dispatcher = filter.dispatchers().stream().map(Enum::name).sorted().toArray(String[]::new);
        dto.asyncSupported = filter.asyncSupported();
        dto.initParams = Map.copyOf(filter.initParams());
        dto.serviceId = filter.serviceId();
        dto.servletContextId = context == null ? 0 : context.serviceId();
        return dto;
    }

    private static <D extends ListenerDTO> D listenerDTO(D dto, WhiteboardListener listener, WhiteboardContext context) {
        List<String> types = new ArrayList<>();
        addIf(types, listener.contextEvents(), ServletContextListener.class);
        addIf(types, listener.contextAttributeEvents(), ServletContextAttributeListener.class);
        addIf(types, listener.requestEvents(), ServletRequestListener.class);
        addIf(types, listener.requestAttributeEvents(), ServletRequestAttributeListener.class);
        addIf(types, listener.sessionEvents(), HttpSessionListener.class);
        addIf(types, listener.sessionAttributeEvents(), HttpSessionAttributeListener.class);
        addIf(types, listener.sessionIdEvents(), HttpSessionIdListener.class);
        dto.types = types.toArray(String[]::new);
        dto.serviceId = listener.serviceId();
        dto.servletContextId = context == null ? 0 : context.serviceId();
        return dto;
    }

    private static void addIf(List<String> types, boolean registered, Class<?> type) {
        if (registered) {
            types.add(type.getName());
        }
    }

    private static long serviceId(ServiceReference<?> reference) {
        return reference.getProperty("service.id") instanceof Long id ? id : 0;
    }

    private static <T> T[] append(T[] array, T element, IntFunction<T[]> make) {
        T[] longer = make.apply(array.length + 1);
        System.arraycopy(array, 0, longer, 0, array.length);
        longer[array.length] = element;
        return longer;
    }

    /** The failed DTOs gathered, by kind. */
    private static final class Failures {
        final List<FailedServletContextDTO> contexts = new ArrayList<>();
        final List<FailedServletDTO> servlets = new ArrayList<>();
        final List<FailedResourceDTO> resources = new ArrayList<>();
        final List<FailedErrorPageDTO> errorPages = new ArrayList<>();
        final List<FailedFilterDTO> filters = new ArrayList<>();
        final List<FailedListenerDTO> listeners = new ArrayList<>();

        /** A service left out for its properties: only its id is known for sure. */
        void invalid(String kind, long serviceId) {
            switch (kind) {
                case "filter" -> {
                    FailedFilterDTO dto = new FailedFilterDTO();
                    dto.serviceId = serviceId;
                    dto.failureReason = FAILURE_REASON_VALIDATION_FAILED;
                    filters.add(dto);
                }
                case "listener" -> {
                    FailedListenerDTO dto = new FailedListenerDTO();
                    dto.serviceId = serviceId;
                    dto.failureReason = FAILURE_REASON_VALIDATION_FAILED;
                    listeners.add(dto);
                }
                case "resource" -> {
                    FailedResourceDTO dto = new FailedResourceDTO();
                    dto.serviceId = serviceId;
                    dto.failureReason = FAILURE_REASON_VALIDATION_FAILED;
                    resources.add(dto);
                }
                case "context" -> {
                    FailedServletContextDTO dto = emptyContents(new FailedServletContextDTO());
                    dto.serviceId = serviceId;
                    dto.failureReason = FAILURE_REASON_VALIDATION_FAILED;
                    contexts.add(dto);
                }
                default -> {
                    FailedServletDTO dto = new FailedServletDTO();
                    dto.serviceId = serviceId;
                    dto.failureReason = FAILURE_REASON_VALIDATION_FAILED;
                    servlets.add(dto);
                }
            }
        }
    }
}
