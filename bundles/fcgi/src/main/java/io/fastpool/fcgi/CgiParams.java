package io.fastpool.fcgi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The PARAMS of one request as a web server in front of a FastCGI app sends them: nginx's stock
 * {@code fastcgi_params} in its order, then {@code SCRIPT_FILENAME} as its {@code fastcgi.conf}
 * writes it, then the request headers as {@code HTTP_*}. The server never builds these; its
 * clients do ({@code bin/fastpool request}, {@code fcgi-load}, the footprint probe, tests), and
 * with one builder they send the same variables with the same defaults.
 *
 * <p>{@link #set} replaces a parameter where it stands (or appends a new one), so a caller changes
 * a default without sending the name twice; {@link #header} maps a header name as nginx does.
 */
public final class CgiParams {

    /** {@code DOCUMENT_ROOT} unless set: nginx's usual root on Debian. */
    public static final String DEFAULT_DOCUMENT_ROOT = "/var/www/html";

    private final Map<String, String> params = new LinkedHashMap<>();

    private CgiParams() {
    }

    /**
     * nginx's parameters for {@code method} and {@code uri} (a path with an optional
     * {@code ?query}), from 127.0.0.1:40000 to localhost:80 over HTTP/1.1, with a {@code Host:
     * localhost} header and no body.
     */
    public static CgiParams request(String method, String uri) {
        int query = uri.indexOf('?');
        String scriptName = query < 0 ? uri : uri.substring(0, query);
        return new CgiParams()
                .set("QUERY_STRING", query < 0 ? "" : uri.substring(query + 1))
                .set("REQUEST_METHOD", method)
                .set("CONTENT_TYPE", "")
                .set("CONTENT_LENGTH", "")
                .set("SCRIPT_NAME", scriptName)
                .set("REQUEST_URI", uri)
                .set("DOCUMENT_URI", scriptName)
                .set("DOCUMENT_ROOT", DEFAULT_DOCUMENT_ROOT)
                .set("SERVER_PROTOCOL", "HTTP/1.1")
                .set("REQUEST_SCHEME", "http")
                .set("GATEWAY_INTERFACE", "CGI/1.1")
                .set("SERVER_SOFTWARE", "fastpool-client")
                .set("REMOTE_ADDR", "127.0.0.1")
                .set("REMOTE_PORT", "40000")
                .set("SERVER_ADDR", "127.0.0.1")
                .set("SERVER_PORT", "80")
                .set("SERVER_NAME", "localhost")
                .set("REDIRECT_STATUS", "200")
                .set("SCRIPT_FILENAME", DEFAULT_DOCUMENT_ROOT + scriptName)
                .header("Host", "localhost");
    }

    /** Sets {@code name} to {@code value}: in its place if it is there, else last. */
    public CgiParams set(String name, String value) {
        params.put(name, value);
        return this;
    }

    /**
     * Adds a request header as nginx passes it: {@code HTTP_} and the name in upper case with
     * {@code -} as {@code _}; {@code Content-Type} and {@code Content-Length} also set
     * {@code CONTENT_TYPE} and {@code CONTENT_LENGTH}. A header given again replaces the first.
     */
    public CgiParams header(String name, String value) {
        String upper = name.toUpperCase(Locale.ROOT).replace('-', '_');
        if (upper.equals("CONTENT_TYPE") || upper.equals("CONTENT_LENGTH")) {
            set(upper, value);
        }
        return set("HTTP_" + upper, value);
    }

    /** The parameters in order, for {@link FcgiEncoder#writeParams}. */
    public List<Map.Entry<String, String>> list() {
        List<Map.Entry<String, String>> list = new ArrayList<>(params.size());
        params.forEach((name, value) -> list.add(Map.entry(name, value)));
        return list;
    }
}
