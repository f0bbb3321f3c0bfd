package io.fastpool.samples.servlet;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * A plain Jakarta Servlet, as most Java web apps are written, registered with the OSGi Servlet
 * Whiteboard's annotations (bnd turns them into service properties and a requirement on a
 * whiteboard implementation, which Fastpool's servlet bundle provides). Fastpool runs it in a pool
 * of its own: {@code init} on the first request, {@code destroy} at the idle time-out.
 *
 * <ul>
 *   <li>{@code GET /servlet/} a form asking for a name;
 *   <li>{@code POST /servlet/greet} the form's target: answers with a redirect to the greeting;
 *   <li>{@code GET /servlet/hello?name=N} the greeting, with a visit counter kept in the session
 *       (made by the first greeting, not by the form).
 * </ul>
 *
 * <p>The form page also links the style sheet ({@link StaticFiles}) and posts a file to
 * {@link UploadServlet}; other paths are a 404 that {@link ErrorPageServlet} answers.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/servlet/*")
@HttpWhiteboardServletName("greeting")
public class GreetingServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final String VISITS = "visits";

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
        switch (path) {
            case "/" -> form(response);
            case "/hello" -> greet(request, response);
            default -> response.sendError(HttpServletResponse.SC_NOT_FOUND, "no page " + path + " here; try /servlet/");
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!"/greet".equals(request.getPathInfo())) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND, "POST to /servlet/greet");
            return;
        }
        String name = request.getParameter("name");
        if (name == null || name.isBlank()) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "the form needs a name");
            return;
        }
        response.sendRedirect("hello?name=" + URLEncoder.encode(name.strip(), StandardCharsets.UTF_8));
    }

    private static void form(HttpServletResponse response) throws IOException {
        response.setContentType("text/html;charset=UTF-8");
        PrintWriter out = response.getWriter();
        out.print("<!DOCTYPE html><title>Servlet sample</title><link rel=\"stylesheet\" href=\"static/servlet.css\">"
                + "<form method=\"post\" action=\"greet\"><label>Name <input name=\"name\"></label>"
                + " <button>Greet</button></form>"
                + "<form method=\"post\" action=\"upload\" enctype=\"multipart/form-data\"><label>File <input type=\"file\" name=\"file\">"
                + "</label> <button>Upload</button></form>");
    }

    private static void greet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("name");
        HttpSession session = request.getSession();
        int visits = session.getAttribute(VISITS) instanceof Integer count ? count + 1 : 1;
        session.setAttribute(VISITS, visits);
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().print("Hello, " + (name == null ? "world" : name) + "! Visit " + visits + " in this session.");
    }
}
