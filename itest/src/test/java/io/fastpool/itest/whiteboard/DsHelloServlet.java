package io.fastpool.itest.whiteboard;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.osgi.service.component.annotations.Component;

/**
 * A servlet that is a delayed Declarative Services component, as most whiteboard servlets are:
 * SCR makes it when its service is first got. It counts how often in a system property (the test's
 * class space does not share its classes). bnd writes its component description from the annotation.
 */
@Component(name = "ds-hello", service = Servlet.class, property = "osgi.http.whiteboard.servlet.pattern=/ds/*")
public final class DsHelloServlet extends HttpServlet {

    static final String CREATED = "whiteboard.ds.created";
    private static final long serialVersionUID = 1L;

    public DsHelloServlet() {
        synchronized (DsHelloServlet.class) {
            System.setProperty(CREATED, Integer.toString(Integer.getInteger(CREATED, 0) + 1));
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().print("component at " + request.getServletPath() + request.getPathInfo());
    }
}
