package io.fastpool.servlet.javax.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URL;
import java.util.Set;
import org.apache.felix.http.javaxwrappers.ServletRequestWrapper;
import org.apache.felix.http.javaxwrappers.ServletResponseWrapper;
import org.osgi.service.servlet.context.ServletContextHelper;

/**
 * A javax (R7) servlet context helper as the Jakarta (R8) one: every method asks the javax helper,
 * handing it the request and response as javax objects. The two APIs' attribute names
 * ({@code REMOTE_USER}, {@code AUTHENTICATION_TYPE}) are the same strings, so what the javax helper
 * sets on the request reaches the whiteboard unchanged.
 */
final class JakartaContextHelper extends ServletContextHelper {

    private final org.osgi.service.http.context.ServletContextHelper javax;

    JakartaContextHelper(org.osgi.service.http.context.ServletContextHelper javax) {
        this.javax = javax;
    }

    /** The javax helper it asks. */
    org.osgi.service.http.context.ServletContextHelper javax() {
        return javax;
    }

    @Override
    public boolean handleSecurity(HttpServletRequest request, HttpServletResponse response) throws IOException {
        return javax.handleSecurity(javaxRequest(request), javaxResponse(response));
    }

    @Override
    public void finishSecurity(HttpServletRequest request, HttpServletResponse response) {
        javax.finishSecurity(javaxRequest(request), javaxResponse(response));
    }

    @Override
    public URL getResource(String name) {
        return javax.getResource(name);
    }

    @Override
    public String getMimeType(String name) {
        return javax.getMimeType(name);
    }

    @Override
    public Set<String> getResourcePaths(String path) {
        return javax.getResourcePaths(path);
    }

    @Override
    public String getRealPath(String path) {
        return javax.getRealPath(path);
    }

    private static javax.servlet.http.HttpServletRequest javaxRequest(HttpServletRequest request) {
        return (javax.servlet.http.HttpServletRequest) ServletRequestWrapper.getWrapper(request);
    }

    private static javax.servlet.http.HttpServletResponse javaxResponse(HttpServletResponse response) {
        return (javax.servlet.http.HttpServletResponse) ServletResponseWrapper.getWrapper(response);
    }
}
