package io.fastpool.api;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One HTTP request as the web server passed it on. Strings are decoded lazily, on first use.
 *
 * <p>Paths: {@link #uri()} is the request target as sent ({@code /shop/cart%20x?id=1});
 * {@link #path()} is its path, percent-decoded (UTF-8) and normalised ({@code /shop/cart x});
 * {@link #contextPath()} is the prefix the app is mounted at ({@code /shop}) and
 * {@link #pathInfo()} the rest ({@code /cart x}).
 *
 * <p>Lifetime: a request can be read until it completes (its handler returns, or its
 * {@link Detached} completes). After that, its headers, CGI variables, addresses, protocol and
 * {@link #isSecure()} throw {@link IllegalStateException}, because the front reuses their storage
 * for the connection's next request. The method, the URI and its parts, the server name and port,
 * and the attributes stay readable. Copy anything needed later while the request is live.
 */
@ProviderType
public interface Request {

    /** The method: {@code GET}, {@code POST}, ... */
    String method();

    /** The request target as sent, path and query, still percent-encoded. */
    String uri();

    /** The decoded, normalised path, without the query. */
    String path();

    /** The path prefix the application is mounted at, without a trailing slash; "" at the root. */
    String contextPath();

    /** The path inside the application's mount: {@link #path()} without {@link #contextPath()}; starts with "/" or is "". */
    String pathInfo();

    /** The query string without the '?', still percent-encoded; "" when there is none. */
    String queryString();

    /** The first value of query parameter {@code name}, percent-decoded (UTF-8), or {@code null}. */
    String queryParameter(String name);

    /** Every value of query parameter {@code name}, in order; empty if none. */
    List<String> queryParameters(String name);

    /** All query parameters, in order of first appearance; parsed once, on first use. */
    Map<String, List<String>> queryParameterMap();

    /** The request headers. */
    Headers headers();

    /** Shorthand for {@code headers().get(name)}. */
    String header(String name);

    /** The {@code Content-Type}, or {@code null}. */
    String contentType();

    /** The {@code Content-Length}, or -1 when the length is not known. */
    long contentLength();

    /** A CGI variable by its exact name ({@code SCRIPT_FILENAME}, {@code HTTPS}, ...), or {@code null}. */
    String variable(String name);

    /** The names of every CGI variable the web server passed. */
    Set<String> variableNames();

    /** The client's IP address as the web server saw it. */
    String remoteAddress();

    /** The client's port, or 0 when not known. */
    int remotePort();

    /** The address the web server accepted the request on. */
    String serverAddress();

    /** The port the web server accepted the request on, or 0 when not known. */
    int serverPort();

    /** The host name the request was for: the {@code Host} header without its port, else the server name. */
    String serverName();

    /** The protocol, such as {@code HTTP/1.1}. */
    String protocol();

    /** Whether the client's connection to the web server used TLS. */
    boolean isSecure();

    /**
     * The body, streamed as it arrives: reading may start before the client has sent it all. Reads
     * block until bytes come; a body shorter or longer than {@link #contentLength()} ends in a
     * {@link RequestBodyException}; an aborted request in a {@link RequestAbortedException}.
     */
    InputStream body();

    /** An attribute set on this request, or {@code null}. */
    Object attribute(String name);

    /** Sets an attribute for the rest of this request's handling; {@code null} removes it. */
    void setAttribute(String name, Object value);

    /**
     * The session of this request's client with this app. With {@code create} false, returns
     * {@code null} rather than creating one; with {@code true}, creates one if needed (and the
     * response sets its cookie). Throws {@link UnsupportedOperationException} where no sessions are
     * kept (outside a pool).
     */
    Session session(boolean create);

    /**
     * Gives this request's session a new id and returns it: the session keeps its attributes, the
     * response sets the new cookie, and the old id is no longer accepted. Apps call it when a user
     * logs in, so that an id planted before the login (session fixation) is worth nothing after it.
     * Throws {@link IllegalStateException} when the request has no session, and
     * {@link UnsupportedOperationException} where no sessions are kept (outside a pool).
     */
    default String changeSessionId() {
        throw new UnsupportedOperationException("no sessions outside a pool");
    }

    /**
     * Lets go of the worker thread: when the handler returns, the response is not finished, and the
     * worker serves other requests; the app finishes the response later, from any thread, through the
     * returned {@link Detached} (long polling, responses that wait for another system). Calling it
     * again returns the same {@code Detached}. Throws {@link UnsupportedOperationException} outside a
     * pool.
     *
     * @throws IllegalStateException if called after the request ended
     * @since 1.2
     */
    default Detached detach() {
        throw new UnsupportedOperationException("only requests a pool runs can be detached");
    }
}
