package io.fastpool.servlet.internal;

import io.fastpool.api.Request;

/**
 * Where the client sent the request, from the CGI variables the web server passed: scheme
 * ({@code REQUEST_SCHEME}, else {@code HTTPS}), host and port (the {@code Host} header, else
 * {@code SERVER_NAME} and {@code SERVER_PORT}) and the request URI as sent. These make
 * {@code getRequestURL} and absolute redirect locations point where the client will go, not at the
 * FastCGI socket.
 */
final class RequestOrigin {

    private final String scheme;
    private final String serverName;
    private final int serverPort;
    private final String requestUri;

    RequestOrigin(Request request) {
        String declared = request.variable("REQUEST_SCHEME");
        this.scheme = "https".equalsIgnoreCase(declared) || declared == null && request.isSecure() ? "https" : "http";
        this.serverName = request.serverName();
        this.serverPort = port(request.header("Host"), request.serverPort(), defaultPort());
        this.requestUri = pathOf(request.uri());
    }

    String scheme() {
        return scheme;
    }

    String serverName() {
        return serverName;
    }

    int serverPort() {
        return serverPort;
    }

    /** The path of the request target as sent, still percent-encoded, without the query. */
    String requestUri() {
        return requestUri;
    }

    /** {@code scheme://host[:port]}, the port left out when it is the scheme's default. */
    String root() {
        StringBuilder root = new StringBuilder(scheme).append("://").append(serverName);
        if (serverPort != defaultPort()) {
            root.append(':').append(serverPort);
        }
        return root.toString();
    }

    private int defaultPort() {
        return scheme.equals("https") ? 443 : 80;
    }

    /** The Host header's port; without a port in it, the scheme's; without the header, the server's. */
    private static int port(String host, int serverPort, int defaultPort) {
        if (host == null || host.isEmpty()) {
            return serverPort > 0 ? serverPort : defaultPort;
        }
        int colon = host.lastIndexOf(':');
        if (colon < 0 || host.indexOf(']', colon) > 0) {
            return defaultPort;
        }
        try {
            int port = Integer.parseInt(host.substring(colon + 1));
            return port > 0 && port <= 65535 ? port : defaultPort;
        } catch (NumberFormatException e) {
            return defaultPort;
        }
    }

    private static String pathOf(String uri) {
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        if (path.startsWith("http://") || path.startsWith("https://")) {
            int slash = path.indexOf('/', path.indexOf("//") + 2);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        return path;
    }
}
