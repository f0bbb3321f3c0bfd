package io.fastpool.servlet.internal;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.SessionTrackingMode;
import jakarta.servlet.descriptor.JspConfigDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URL;
import java.net.URLConnection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.EventListener;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.servlet.context.ServletContextHelper;

/**
 * The {@link ServletContext} a whiteboard bundle's servlets and filters of one servlet context
 * see: the context's path and name, resources, real paths and MIME types from its
 * {@code ServletContextHelper} (got in the bundle's name; for the built-in default, the bundle's
 * entries), attributes (with the context's attribute listeners), the log, and the bundle's class loader. One per app and context, so
 * attributes are the bundle's own (the specification shares them between the bundles of a
 * context; not so far).
 *
 * <p>What the whiteboard does not offer says so: programmatic registration ({@code addServlet},
 * {@code addFilter}, {@code addListener} and their kind) throws {@link UnsupportedOperationException},
 * since registrations come from services; the session cookie configuration and the JSP
 * configuration are {@code null} (not there yet, {@code docs/servlet.md}).
 */
final class WhiteboardServletContext implements ServletContext {

    private static final String NO_PROGRAMMATIC_REGISTRATION =
            "the Servlet Whiteboard registers servlets, filters and listeners from OSGi services, not from the ServletContext";

    private final Bundle bundle;
    private final WhiteboardContext context;
    private final ServletContextHelper helper;
    private final AppDispatchers dispatchers;
    private final System.Logger log;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final SessionListeners sessionListeners = new SessionListeners();
    private final AttributeListeners attributeListeners = new AttributeListeners();

    /**
     * {@code bundle}'s view of {@code context}, whose helper it got as {@code helper}; its request
     * dispatchers are {@code dispatchers} ({@code null}: none).
     */
    WhiteboardServletContext(Bundle bundle, WhiteboardContext context, ServletContextHelper helper, AppDispatchers dispatchers) {
        this.bundle = bundle;
        this.context = context;
        this.helper = helper;
        this.dispatchers = dispatchers;
        this.log = System.getLogger(bundle.getSymbolicName());
    }

    /** The session listeners running in this context. */
    SessionListeners sessionListeners() {
        return sessionListeners;
    }

    /** The context's and its requests' attribute listeners running in this context. */
    AttributeListeners attributeListeners() {
        return attributeListeners;
    }

    /** A whiteboard listener of this context started: it hears the session and attribute events it is registered for. */
    void listen(EventListener listener, WhiteboardListener registered) {
        if (registered.anySessionEvents()) {
            sessionListeners.add(listener, registered);
        }
        if (registered.anyAttributeEvents()) {
            attributeListeners.add(listener, registered);
        }
    }

    /** A request attribute of this context was added ({@code old} null) or replaced: its listeners hear of it, when there are any. */
    void requestAttributeSet(ServletRequest request, String name, Object value, Object old) {
        if (attributeListeners.hearRequests()) {
            attributeListeners.requestAttributeSet(this, request, name, value, old);
        }
    }

    void requestAttributeRemoved(ServletRequest request, String name, Object old) {
        if (attributeListeners.hearRequests()) {
            attributeListeners.requestAttributeRemoved(this, request, name, old);
        }
    }

    /** A whiteboard listener of this context stopped. */
    void unlisten(EventListener listener) {
        sessionListeners.remove(listener);
        attributeListeners.remove(listener);
    }

    // ---- what the context is --------------------------------------------------------------------

    @Override public String getContextPath() { return context.contextPath(); }
    @Override public String getServletContextName() { return context.name(); }
    @Override public ServletContext getContext(String uri) { return null; }
    @Override public int getMajorVersion() { return 6; }
    @Override public int getMinorVersion() { return 0; }
    @Override public int getEffectiveMajorVersion() { return 6; }
    @Override public int getEffectiveMinorVersion() { return 0; }
    @Override public String getServerInfo() { return "Fastpool"; }
    @Override public String getVirtualServerName() { return "fastpool"; }

    @Override
    public ClassLoader getClassLoader() {
        BundleWiring wiring = bundle.adapt(BundleWiring.class);
        return wiring == null ? null : wiring.getClassLoader();
    }

    // ---- resources, from the helper ---------------------------------------------------------------

    /** The helper's type, else the JDK's table of file name extensions (as the specification asks). */
    @Override
    public String getMimeType(String file) {
        if (file == null) {
            return null;
        }
        String type = helper.getMimeType(file);
        return type != null ? type : URLConnection.getFileNameMap().getContentTypeFor(file);
    }

    @Override
    public URL getResource(String path) {
        return path == null ? null : helper.getResource(path);
    }

    @Override
    public InputStream getResourceAsStream(String path) {
        URL resource = getResource(path);
        try {
            return resource == null ? null : resource.openStream();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public Set<String> getResourcePaths(String path) {
        return path == null ? null : helper.getResourcePaths(path);
    }

    /** The helper's; the built-in default has none (a bundle's entries are not files). */
    @Override
    public String getRealPath(String path) {
        return path == null ? null : helper.getRealPath(path);
    }

    /** The app's own servlets only ({@link AppDispatchers}): another bundle's are another pool's. */
    @Override public RequestDispatcher getRequestDispatcher(String path) { return dispatchers == null ? null : dispatchers.forPath(path); }
    @Override public RequestDispatcher getNamedDispatcher(String name) { return dispatchers == null ? null : dispatchers.named(name); }

    // ---- the log ------------------------------------------------------------------------------------

    @Override
    public void log(String message) {
        log.log(Level.INFO, message);
    }

    @Override
    public void log(String message, Throwable throwable) {
        log.log(Level.ERROR, message, throwable);
    }

    // ---- parameters and attributes ------------------------------------------------------------------

    @Override public String getInitParameter(String name) { return null; }
    @Override public Enumeration<String> getInitParameterNames() { return Collections.emptyEnumeration(); }

    @Override
    public boolean setInitParameter(String name, String value) {
        throw new IllegalStateException("the servlet context is initialised: its parameters are fixed");
    }

    @Override
    public Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public Enumeration<String> getAttributeNames() {
        return Collections.enumeration(Set.copyOf(attributes.keySet()));
    }

    /** The context's attribute listeners hear of it ({@link AttributeListeners}). */
    @Override
    public void setAttribute(String name, Object value) {
        if (name == null) {
            throw new IllegalArgumentException("a servlet context attribute needs a name");
        }
        if (value == null) {
            removeAttribute(name);
            return;
        }
        Object old = attributes.put(name, value);
        attributeListeners.contextAttributeSet(this, name, value, old);
    }

    @Override
    public void removeAttribute(String name) {
        Object old = name == null ? null : attributes.remove(name);
        if (old != null) {
            attributeListeners.contextAttributeRemoved(this, name, old);
        }
    }

    // ---- sessions and encodings (sessions are not there yet) ----------------------------------------

    @Override public SessionCookieConfig getSessionCookieConfig() { return null; }
    @Override public Set<SessionTrackingMode> getDefaultSessionTrackingModes() { return Set.of(SessionTrackingMode.COOKIE); }
    @Override public Set<SessionTrackingMode> getEffectiveSessionTrackingModes() { return Set.of(SessionTrackingMode.COOKIE); }
    @Override public int getSessionTimeout() { return 0; }
    @Override public String getRequestCharacterEncoding() { return null; }
    @Override public String getResponseCharacterEncoding() { return null; }
    @Override public JspConfigDescriptor getJspConfigDescriptor() { return null; }
    @Override public ServletRegistration getServletRegistration(String name) { return null; }
    @Override public Map<String, ? extends ServletRegistration> getServletRegistrations() { return Map.of(); }
    @Override public FilterRegistration getFilterRegistration(String name) { return null; }
    @Override public Map<String, ? extends FilterRegistration> getFilterRegistrations() { return Map.of(); }

    // ---- programmatic registration: not in the whiteboard -------------------------------------------

    @Override public void setSessionTrackingModes(Set<SessionTrackingMode> modes) { throw unsupported(); }
    @Override public void setSessionTimeout(int minutes) { throw unsupported(); }
    @Override public void setRequestCharacterEncoding(String encoding) { throw unsupported(); }
    @Override public void setResponseCharacterEncoding(String encoding) { throw unsupported(); }
    @Override public ServletRegistration.Dynamic addServlet(String name, String className) { throw unsupported(); }
    @Override public ServletRegistration.Dynamic addServlet(String name, Servlet servlet) { throw unsupported(); }
    @Override public ServletRegistration.Dynamic addServlet(String name, Class<? extends Servlet> type) { throw unsupported(); }
    @Override public ServletRegistration.Dynamic addJspFile(String name, String file) { throw unsupported(); }
    @Override public <T extends Servlet> T createServlet(Class<T> type) { throw unsupported(); }
    @Override public FilterRegistration.Dynamic addFilter(String name, String className) { throw unsupported(); }
    @Override public FilterRegistration.Dynamic addFilter(String name, Filter filter) { throw unsupported(); }
    @Override public FilterRegistration.Dynamic addFilter(String name, Class<? extends Filter> type) { throw unsupported(); }
    @Override public <T extends Filter> T createFilter(Class<T> type) { throw unsupported(); }
    @Override public void addListener(String className) { throw unsupported(); }
    @Override public <T extends EventListener> void addListener(T listener) { throw unsupported(); }
    @Override public void addListener(Class<? extends EventListener> type) { throw unsupported(); }
    @Override public <T extends EventListener> T createListener(Class<T> type) { throw unsupported(); }
    @Override public void declareRoles(String... roles) { throw unsupported(); }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException(NO_PROGRAMMATIC_REGISTRATION);
    }
}
