package io.fastpool.servlet.internal;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.List;

/**
 * The links a whiteboard request passes through before its servlet, each a {@link FilterChain}:
 * the request listeners around everything ({@link Listened}), the context helper's security
 * ({@link ActiveContext}), then the filters and the servlet ({@link Filtered}).
 */
final class FilterChains {

    private FilterChains() {
    }

    /** The filters that apply, in order, then the servlet. */
    record Filtered(List<Filter> filters, int position, Servlet servlet) implements FilterChain {

        @Override
        public void doFilter(ServletRequest request, ServletResponse response) throws IOException, ServletException {
            if (position < filters.size()) {
                filters.get(position).doFilter(request, response, new Filtered(filters, position + 1, servlet));
            } else {
                servlet.service(request, response);
            }
        }
    }

    /** Tells the request listeners of a request around the rest of its chain; each that heard of its start hears of its end. */
    record Listened(List<ServletRequestListener> listeners, ServletContext context, FilterChain next) implements FilterChain {

        @Override
        public void doFilter(ServletRequest request, ServletResponse response) throws IOException, ServletException {
            ServletRequestEvent event = new ServletRequestEvent(context, request);
            int told = 0;
            try {
                for (ServletRequestListener listener : listeners) {
                    listener.requestInitialized(event);
                    told++;
                }
                next.doFilter(request, response);
            } finally {
                for (int i = told - 1; i >= 0; i--) {
                    listeners.get(i).requestDestroyed(event);
                }
            }
        }
    }
}
