package io.fastpool.samples.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardFilterPattern;

/** A whiteboard filter in front of the sample's servlet: every answer says which app made it. */
@Component(service = Filter.class)
@HttpWhiteboardFilterPattern("/servlet/*")
public class PoweredByFilter implements Filter {

    static final String HEADER = "X-Served-By";

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        ((HttpServletResponse) response).setHeader(HEADER, "io.fastpool.samples.servlet");
        chain.doFilter(request, response);
    }
}
