package io.fastpool.itest.apps;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.Session;
import io.fastpool.api.WebApp;
import java.nio.charset.StandardCharsets;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * A Declarative Services component providing a {@link WebApp}, packed into test bundles of several
 * versions: it answers with its bundle's version, so a test sees when a swap took effect. Its
 * activations are counted in a system property (visible across class loaders) so a test can see
 * when the component is activated on demand. Each test bundle gives its mount (path, pool, hosts) in
 * {@value #MOUNT_PROPERTIES}, so one annotated class serves every test app ({@link TestApps}).
 */
@Component(name = "hello", service = WebApp.class, properties = PooledHello.MOUNT_PROPERTIES)
public final class PooledHello implements WebApp {

    /** The bundle entry holding the component's mount properties. */
    public static final String MOUNT_PROPERTIES = "OSGI-INF/mount.properties";

    private String text;

    @Activate
    void activate(BundleContext context) {
        text = "Hello from version " + context.getBundle().getVersion().getMajor();
        Integer.getInteger("pooled.activations", 0);
        System.setProperty("pooled.activations", Integer.toString(Integer.getInteger("pooled.activations", 0) + 1));
    }

    @Deactivate
    void deactivate() {
        System.setProperty("pooled.deactivations", Integer.toString(Integer.getInteger("pooled.deactivations", 0) + 1));
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        String mode = request.queryParameter("mode");
        if ("session".equals(mode)) {
            Session session = request.session(true);
            Integer count = (Integer) session.attribute("count");
            session.setAttribute("count", count == null ? 1 : count + 1);
            text(response, "count " + session.attribute("count"));
            return;
        }
        if ("loader".equals(mode)) {
            text(response, "loader " + System.identityHashCode(PooledHello.class.getClassLoader()));
            return;
        }
        if ("sleep".equals(mode)) {
            Thread.sleep(Long.parseLong(request.queryParameter("ms")));
        }
        if ("fail".equals(mode)) {
            throw new IllegalStateException("failing on purpose");
        }
        if ("error".equals(mode)) {
            throw new AssertionError("an Error on purpose");
        }
        text(response, text + " on " + Thread.currentThread().getName()
                + " loader " + (Thread.currentThread().getContextClassLoader() == PooledHello.class.getClassLoader()));
    }

    private static void text(Response response, String text) throws java.io.IOException {
        response.setContentType("text/plain");
        response.body().write(text.getBytes(StandardCharsets.UTF_8));
    }
}
