package io.fastpool.samples.servlethello;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The hello sample ({@code io.fastpool.samples.hello.Hello}) written as a servlet: "Hello, world!"
 * (or "Hello, NAME!" with {@code ?name=NAME}) in plain text at {@code /servlet-hello}, with the same
 * status, headers and body, so that {@code bench/compare} and {@code RequestPathBenchmark} measure
 * what the Servlet path costs beside the {@code WebApp} one, and the Jetty peer runs this very class.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/servlet-hello")
@HttpWhiteboardServletName("servlet-hello")
public class HelloServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final byte[] HELLO_WORLD = "Hello, world!".getBytes(StandardCharsets.UTF_8);

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        String name = request.getParameter("name");
        response.getOutputStream().write(name == null ? HELLO_WORLD : ("Hello, " + name + "!").getBytes(StandardCharsets.UTF_8));
    }
}
