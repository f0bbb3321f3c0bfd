package io.fastpool.servlet.internal;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.util.Locale;

/**
 * The response as an included servlet sees it (Servlet 6.0, 9.3): it writes into the including
 * servlet's body, and may flush it, but what would change the status or the headers (status,
 * headers and cookies, content type, length, charset and locale, {@code sendError},
 * {@code sendRedirect}, {@code reset}) is ignored, as the specification says.
 */
final class IncludedResponse extends HttpServletResponseWrapper {

    IncludedResponse(HttpServletResponse response) {
        super(response);
    }

    @Override public void setStatus(int status) { }
    @Override public void sendError(int status, String message) { }
    @Override public void sendError(int status) { }
    @Override public void sendRedirect(String location) { }
    @Override public void setHeader(String name, String value) { }
    @Override public void addHeader(String name, String value) { }
    @Override public void setDateHeader(String name, long date) { }
    @Override public void addDateHeader(String name, long date) { }
    @Override public void setIntHeader(String name, int value) { }
    @Override public void addIntHeader(String name, int value) { }
    @Override public void addCookie(Cookie cookie) { }
    @Override public void setContentType(String type) { }
    @Override public void setContentLength(int length) { }
    @Override public void setContentLengthLong(long length) { }
    @Override public void setCharacterEncoding(String charset) { }
    @Override public void setLocale(Locale locale) { }
    @Override public void setBufferSize(int size) { }
    @Override public void reset() { }
}
