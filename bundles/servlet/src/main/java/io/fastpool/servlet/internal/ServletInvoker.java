package io.fastpool.servlet.internal;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import jakarta.servlet.FilterChain;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one Fastpool request through a servlet: wraps request and response in the Servlet API,
 * calls {@code service}, and finishes the response. What the whiteboard will call on a pool thread
 * once it has matched the route. A request the Servlet API could not describe
 * ({@link BadRequestException}: a malformed parameter or multipart body, an invalid Content-Length,
 * a form too large; {@link MultipartTooLargeException}) is answered with its status and message if the response is not committed yet. Any other
 * exception is left to the pool, which answers 500 and logs it with the app's name, as for a
 * {@code WebApp}; an I/O error met inside {@code getParameter} is rethrown as the
 * {@link IOException} it was. Files holding multipart parts are deleted when the servlet returns.
 *
 * <p>A request served with an async dispatcher may start async ({@link ServletAsync}): when the
 * servlet returns, the response is left to its {@code AsyncContext}, and so are the multipart
 * files; what the servlet throws after starting async goes to the async listeners, not the pool.
 *
 * <p>Given an {@link ErrorDispatch} (an app with error pages), a {@code sendError} and an exception
 * thrown before the response committed (and before the request started async) go to the app's
 * error page, once: what the error page itself does ({@code sendError}, an exception) is answered
 * as without error pages, so an error page cannot loop.
 */
public final class ServletInvoker {

    private final ServletLimits limits;
    private final ErrorPageHandler errorPages;
    private final Clock clock;
    private final AtomicLong requestIds = new AtomicLong();

    public ServletInvoker(ServletLimits limits, ErrorPageHandler errorPages, Clock clock) {
        this.limits = limits;
        this.errorPages = errorPages;
        this.clock = clock;
    }

    /**
     * Serves {@code request} with {@code servlet}, routed as {@code route}, in {@code context} (null until
     * the whiteboard supplies one), reading multipart bodies under {@code multipart} (null: not at all).
     */
    public void service(Servlet servlet, Request request, Response response, ServletRoute route, ServletContext context,
            MultipartConfigElement multipart) throws IOException, ServletException {
        serve(servlet, null, null, request, response, route, context, multipart, null);
    }

    /** Serves {@code request} through {@code chain}: the filters that apply, then the servlet. */
    public void service(FilterChain chain, Request request, Response response, ServletRoute route, ServletContext context,
            MultipartConfigElement multipart) throws IOException, ServletException {
        serve(null, chain, null, request, response, route, context, multipart, null);
    }

    /**
     * Serves {@code request} through {@code chain}; its errors go to {@code errors}, the app's error
     * pages ({@code null}: none). With a {@code dispatcher}, with async support: the servlet and every
     * filter in the chain support async; {@code dispatcher} runs the request again for an async dispatch.
     */
    void service(FilterChain chain, ServletAsync.Dispatcher dispatcher, Request request, Response response, ServletRoute route,
            ServletContext context, MultipartConfigElement multipart, ErrorDispatch errors) throws IOException, ServletException {
        serve(null, chain, dispatcher, request, response, route, context, multipart, errors);
    }

    ServletLimits limits() {
        return limits;
    }

    /** A new request id: unique among the requests this invoker serves (a servlet asks for one with {@code getRequestId}). */
    long nextRequestId() {
        return requestIds.incrementAndGet();
    }

    ErrorPageHandler errorPages() {
        return errorPages;
    }

    Clock clock() {
        return clock;
    }

    /** Through {@code chain} when there is one, else straight to {@code servlet} (no chain object per request). */
    private void serve(Servlet servlet, FilterChain chain, ServletAsync.Dispatcher dispatcher, Request request, Response response,
            ServletRoute route, ServletContext context, MultipartConfigElement multipart, ErrorDispatch errors)
            throws IOException, ServletException {
        ServletRequestAdapter servletRequest = new ServletRequestAdapter(request, route, context, this, multipart);
        ServletResponseAdapter servletResponse = new ServletResponseAdapter(response, servletRequest, limits.bufferSize(), this);
        ServletAsync async = null;
        if (dispatcher != null) {
            async = new ServletAsync(request, servletRequest, servletResponse, dispatcher);
            servletRequest.async(async);
        }
        try {
            run(servlet, chain, servletRequest, servletResponse, async, errors);
        } catch (IOException | ServletException | RuntimeException e) {
            if (!started(async)) {
                throw e;
            }
            async.dispatchFailed(e);
        } finally {
            if (!started(async)) {
                servletRequest.cleanUp();
            }
        }
        if (started(async)) {
            async.dispatchReturned();
            return;
        }
        servletResponse.finish();
    }

    /** Runs the chain or servlet; an error goes to {@code errors} while the response is still the whiteboard's to answer. */
    private static void run(Servlet servlet, FilterChain chain, ServletRequestAdapter servletRequest,
            ServletResponseAdapter servletResponse, ServletAsync async, ErrorDispatch errors) throws IOException, ServletException {
        try {
            if (chain != null) {
                chain.doFilter(servletRequest, servletResponse);
            } else {
                servlet.service(servletRequest, servletResponse);
            }
        } catch (BadRequestException e) {
            answer(servletResponse, e, e.status());
        } catch (MultipartTooLargeException e) {
            answer(servletResponse, e, e.status());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (ServletException | IOException | RuntimeException e) {
            if (errors == null || started(async) || servletResponse.isCommitted()
                    || !errors.onException(servletRequest, servletResponse, e)) {
                throw e;
            }
        }
        if (errors != null && !started(async) && servletResponse.errorPending()) {
            errors.onStatus(servletRequest, servletResponse, servletResponse.getStatus(), servletResponse.errorMessage());
        }
    }

    private static boolean started(ServletAsync async) {
        return async != null && async.wasStarted();
    }

    private static void answer(ServletResponseAdapter response, RuntimeException problem, int status) {
        if (response.isCommitted()) {
            throw problem;
        }
        response.reset();
        response.sendError(status, problem.getMessage());
    }
}
