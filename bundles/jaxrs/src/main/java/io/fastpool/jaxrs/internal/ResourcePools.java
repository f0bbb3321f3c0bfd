package io.fastpool.jaxrs.internal;

import io.fastpool.api.WebApp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.jakartars.runtime.JakartarsServiceRuntime;
import org.osgi.service.jakartars.runtime.dto.ApplicationDTO;
import org.osgi.service.jakartars.runtime.dto.ResourceDTO;
import org.osgi.service.jakartars.runtime.dto.ResourceMethodInfoDTO;
import org.osgi.service.jakartars.runtime.dto.RuntimeDTO;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;

/**
 * Gives each bundle whose JAX-RS resources the Jakarta REST whiteboard serves a pool of its own.
 * The whiteboard registers every application's servlet from its adapter bundle, so Fastpool's
 * Servlet Whiteboard alone would run all of them in that one bundle's pool; here each resource
 * bundle gets a {@link ResourceApp}, mounted where its resources are ({@link ResourceMount}), that
 * runs the same servlets on its own pool. Requests for paths no bundle's app claims still reach the
 * adapter's app (mounted at the whiteboard's root) and its pool.
 *
 * <p>When an app shows: after the whiteboard has put the bundle's resources into Jersey, which its
 * runtime service tells by a new {@code service.changecount} and DTOs listing them (the whiteboard
 * reloads Jersey on a thread of its own, after the resource service came). When it hides: at once,
 * as one of the bundle's whiteboard services goes (its bundle stops or updates), before Jersey is
 * reloaded without it: a resource, or an extension it may need (without its JSON extension, a
 * {@code @JSONRequired} resource leaves Jersey too).
 * Between the two the bundle's requests wait in its pool's queue, as for any app bundle that swaps,
 * instead of meeting Jersey's 404 while the resource is away.
 *
 * <p>The adapter's app (the Servlet Whiteboard's {@code WebApp} of its servlets) is got as soon as
 * the runtime is there and held until it goes, so Jersey starts at deploy and is not released at an
 * idle time-out: the whiteboard's servlet container ({@code WhiteboardServletContainer}) keeps its
 * applications only for its first {@code init}, so destroyed and started again it would serve
 * nothing until the whiteboard's next change.
 *
 * <p>Changes hold this object's monitor: the runtime's events (on the whiteboard's update thread)
 * and the resource services' events (on the thread that unregisters them). The held app has a lock
 * of its own, since the apps' {@code getService} asks for it (a pool may call that holding its locks).
 */
@Component(immediate = true)
public final class ResourcePools {

    /**
     * The whiteboard services of a bundle that its resources' answers depend on: the resources, and
     * the extensions (a JSON provider) and applications they may need.
     */
    private static final String WHITEBOARD_SERVICES =
            "(|(osgi.jakartars.resource=true)(osgi.jakartars.extension=true)(osgi.jakartars.application.base=*))";
    /** The Servlet Whiteboard's apps, one per servlet bundle ({@code io.fastpool.servlet}'s {@code ServletApp}). */
    private static final String SERVLET_APPS = "(component.name=servlet-whiteboard)";

    private final BundleContext context;
    private final ServiceTracker<Object, ServiceReference<Object>> services;
    /** By bundle id; guarded by this object. */
    private final Map<Long, ResourceApp> apps = new HashMap<>();
    /**
     * The runtime's service, whose bundle registers the whiteboard's servlets. Volatile: the apps'
     * {@code getService} reads it without this object's monitor (a pool may call it holding its locks).
     */
    private volatile ServiceReference<JakartarsServiceRuntime> runtime;
    /** Guards the held app: {@link #heldReference}, {@link #heldObjects}, {@link #held}. */
    private final Object holding = new Object();
    private ServiceReference<WebApp> heldReference;
    private ServiceObjects<WebApp> heldObjects;
    private WebApp held;

    @Activate
    public ResourcePools(BundleContext context) throws InvalidSyntaxException {
        this.context = context;
        this.services = new ServiceTracker<>(context, context.createFilter(WHITEBOARD_SERVICES), new ServiceEvents());
        services.open(true);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    synchronized void bindRuntime(JakartarsServiceRuntime service, ServiceReference<JakartarsServiceRuntime> reference) {
        runtime = reference;
        whiteboardApp();
        refresh(service.getRuntimeDTO());
    }

    /** The whiteboard updated Jersey (its change count moved): the apps follow its DTOs. */
    synchronized void updatedRuntime(JakartarsServiceRuntime service, ServiceReference<JakartarsServiceRuntime> reference) {
        bindRuntime(service, reference);
    }

    synchronized void unbindRuntime(ServiceReference<JakartarsServiceRuntime> reference) {
        if (reference.equals(runtime)) {
            runtime = null;
            apps.values().forEach(ResourceApp::hide);
            release();
        }
    }

    @Deactivate
    void close() {
        services.close();
        synchronized (this) {
            apps.values().forEach(ResourceApp::hide);
            apps.clear();
        }
        release();
    }

    /** Shows the app of each bundle the DTOs list resources of, at their mount; hides the others. */
    private void refresh(RuntimeDTO dto) {
        Map<Long, ServiceReference<Object>> byServiceId = new HashMap<>();
        ServiceReference<Object>[] tracked = services.getServiceReferences();
        if (tracked != null) {
            for (ServiceReference<Object> reference : tracked) {
                byServiceId.put((Long) reference.getProperty("service.id"), reference);
            }
        }
        Map<Bundle, List<String>> pathsByBundle = new HashMap<>();
        List<ApplicationDTO> applications = new ArrayList<>();
        if (dto.defaultApplication != null) {
            applications.add(dto.defaultApplication);
        }
        if (dto.applicationDTOs != null) {
            applications.addAll(List.of(dto.applicationDTOs));
        }
        for (ApplicationDTO application : applications) {
            for (ResourceDTO resource : application.resourceDTOs == null ? new ResourceDTO[0] : application.resourceDTOs) {
                ServiceReference<Object> reference = byServiceId.get(resource.serviceId);
                Bundle bundle = reference == null ? null : reference.getBundle();
                if (bundle == null || resource.resourceMethods == null) {
                    continue; // gone since the whiteboard looked
                }
                List<String> paths = pathsByBundle.computeIfAbsent(bundle, b -> new ArrayList<>());
                for (ResourceMethodInfoDTO method : resource.resourceMethods) {
                    paths.add(ResourceMount.join(application.base, method.path));
                }
            }
        }
        for (Map.Entry<Long, ResourceApp> entry : apps.entrySet()) {
            if (pathsByBundle.keySet().stream().noneMatch(bundle -> bundle.getBundleId() == entry.getKey())) {
                entry.getValue().hide();
            }
        }
        pathsByBundle.forEach((bundle, paths) -> {
            String mount = ResourceMount.of(paths);
            ResourceApp app = apps.computeIfAbsent(bundle.getBundleId(), id -> new ResourceApp(bundle, this::whiteboardApp));
            if (mount == null) {
                app.hide(); // nothing of its own to mount: served in the adapter's pool
            } else {
                app.show(mount);
            }
        });
    }

    /**
     * The Servlet Whiteboard's app of the runtime's bundle (the Jersey servlets), got once and held;
     * got again when the Servlet Whiteboard registered it anew. Null when there is none.
     */
    private WebApp whiteboardApp() {
        ServiceReference<WebApp> current = whiteboardAppReference();
        synchronized (holding) {
            if (held != null && current != null && current.equals(heldReference) && current.getBundle() != null) {
                return held;
            }
            release();
            ServiceObjects<WebApp> objects = current == null ? null : context.getServiceObjects(current);
            WebApp got = objects == null ? null : objects.getService();
            if (got != null) {
                heldReference = current;
                heldObjects = objects;
                held = got;
            }
            return got;
        }
    }

    private void release() {
        synchronized (holding) {
            if (held != null) {
                try {
                    heldObjects.ungetService(held);
                } catch (IllegalStateException | IllegalArgumentException alreadyGone) {
                    // the Servlet Whiteboard's app went first; the framework released it
                }
            }
            heldReference = null;
            heldObjects = null;
            held = null;
        }
    }

    private ServiceReference<WebApp> whiteboardAppReference() {
        ServiceReference<JakartarsServiceRuntime> current = runtime;
        Bundle adapter = current == null ? null : current.getBundle();
        if (adapter == null) {
            return null;
        }
        try {
            for (ServiceReference<WebApp> app : context.getServiceReferences(WebApp.class, SERVLET_APPS)) {
                if (adapter.equals(app.getBundle())) {
                    return app;
                }
            }
            return null;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("the constant filter " + SERVLET_APPS + " is malformed", e);
        }
    }

    /** A whiteboard service going hides its bundle's app at once; a resource coming waits for the runtime to list it. */
    private final class ServiceEvents implements ServiceTrackerCustomizer<Object, ServiceReference<Object>> {

        @Override
        public ServiceReference<Object> addingService(ServiceReference<Object> reference) {
            return reference;
        }

        @Override
        public void modifiedService(ServiceReference<Object> reference, ServiceReference<Object> service) {
            // the runtime's next DTOs say what changed
        }

        @Override
        public void removedService(ServiceReference<Object> reference, ServiceReference<Object> service) {
            Bundle bundle = reference.getBundle();
            if (bundle == null) {
                return;
            }
            synchronized (ResourcePools.this) {
                ResourceApp app = apps.get(bundle.getBundleId());
                if (app != null) {
                    app.hide();
                }
            }
        }
    }
}
