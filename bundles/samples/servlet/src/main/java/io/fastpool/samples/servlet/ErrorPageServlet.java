package io.fastpool.samples.servlet;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletErrorPage;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;

/**
 * The app's own error page, for every 4xx and 5xx its servlets answer (with {@code sendError} or
 * an uncaught exception): a servlet registered with {@code osgi.http.whiteboard.servlet.errorPage}
 * and no pattern. The status stays the error's; the page says what went wrong from the
 * {@code jakarta.servlet.error.*} request attributes, escaped (a 5xx's message stays in the log:
 * an exception's message is not for the client), and links back to the form.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletErrorPage(errorPage = {"4xx", "5xx"})
@HttpWhiteboardServletName("error-page")
public class ErrorPageServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        int status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer code ? code : 500;
        Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String details = status >= 500 ? "the app failed; the server's log says why"
                : message == null || message.toString().isEmpty() ? "no details" : message.toString();
        response.setContentType("text/html;charset=UTF-8");
        response.getWriter().print("<!DOCTYPE html><title>Servlet sample: " + status + "</title>"
                + "<link rel=\"stylesheet\" href=\"/servlet/static/servlet.css\">"
                + "<h1>Error " + status + "</h1><p>" + escaped(String.valueOf(uri)) + ": " + escaped(details)
                + "</p><p><a href=\"/servlet/\">Back to the form</a></p>");
    }

    static String escaped(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
