package io.fastpool.servlet.internal;

import io.fastpool.api.Response;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * {@link HttpServletResponse} over a Fastpool {@link Response}. Status and headers are kept here
 * ({@link ResponseHeaders}) and the body in a buffer (the {@link ResponseOutput} this class extends:
 * the response is its own output stream, one object per request rather than two) until the response
 * commits, since the Servlet API may change or {@code reset()} them until then; committing hands
 * them to Fastpool's response. The content type and its charset are kept apart, as the API's rules
 * for {@code setContentType}, {@code setCharacterEncoding}, {@code setLocale} and {@code getWriter}
 * require. {@code sendError} leaves the page to an {@link ErrorPageHandler} after the servlet returns;
 * {@code sendRedirect} makes the location absolute ({@link RedirectLocation}).
 *
 * <p>The caller ({@link ServletInvoker}) calls {@link #finish()} when the servlet returns; an
 * error page reopens the response first ({@link #reopenForErrorPage}), a forward closes it
 * ({@link #closeAfterForward}).
 *
 * <p>Longer than most classes here because {@code HttpServletResponse} has some forty methods, and
 * reopening and closing reset the very state they keep; each method is a line or a few.
 */
public final class ServletResponseAdapter extends ResponseOutput implements HttpServletResponse {

    private static final String DEFAULT_CHARSET = "ISO-8859-1";

    private final ServletRequestAdapter request;
    /** Its error pages and clock. */
    private final ServletInvoker invoker;
    /** Made on the first header other than the content type and length: most responses set none. */
    private ResponseHeaders headers;
    private int status = SC_OK;
    private String mediaType;
    private String charset;
    private BodyUse bodyUse = BodyUse.NONE;
    private boolean committed;
    private boolean sent;
    /** Made on first need; null while the response needs none of it, and again after a reset. */
    private Uncommon uncommon;

    /** Which of the body's views the servlet took: the Servlet API allows one of stream and writer. */
    private enum BodyUse { NONE, STREAM, WRITER }

    /**
     * What a response needs only when the servlet asks for it: a locale, the writer, an error.
     * Kept apart so that a response written as a stream makes a smaller adapter (80 bytes rather
     * than 96: it is made for every request). {@code reset()} and an error page drop it whole.
     */
    private static final class Uncommon {
        Locale locale;
        ResponseWriter writer;
        PrintWriter printWriter;
        /** Set by {@code sendError}: its message, "" without one. */
        String errorMessage;
    }

    /** {@code invoker} gives the error pages ({@code sendError}) and the clock (cookie expiry). */
    public ServletResponseAdapter(Response response, ServletRequestAdapter request, int bufferSize, ServletInvoker invoker) {
        super(response, bufferSize);
        this.request = request;
        this.invoker = invoker;
    }

    private Uncommon uncommon() {
        if (uncommon == null) {
            uncommon = new Uncommon();
        }
        return uncommon;
    }

    /** The message of a {@code sendError} ("" without one), or {@code null} when none is pending. */
    private String pendingError() {
        return uncommon == null ? null : uncommon.errorMessage;
    }

    // ---- status

    @Override
    public void setStatus(int status) {
        if (!committed) {
            this.status = status;
        }
    }

    @Override
    public int getStatus() {
        return status;
    }

    /** Answers with {@code status} through the error page hook once the servlet returns; the body written so far is dropped. */
    @Override
    public void sendError(int status, String message) {
        checkNotCommitted("sendError(" + status + ")");
        this.status = status;
        uncommon().errorMessage = message == null ? "" : message;
        discardFurtherWrites();
        committed = true;
    }

    @Override
    public void sendError(int status) {
        sendError(status, null);
    }

    /** A 302 to {@code location} made absolute against the request URL; the body written so far is dropped. */
    @Override
    public void sendRedirect(String location) throws IOException {
        checkNotCommitted("sendRedirect");
        if (location == null) {
            throw new IllegalArgumentException("sendRedirect needs a location");
        }
        discardFurtherWrites();
        status = SC_FOUND;
        headers().set("Location", RedirectLocation.absolute(location, request.getRequestURL().toString()));
        commit();
    }

    // ---- headers

    @Override
    public void setHeader(String name, String value) {
        if (committed || name == null) {
            return;
        }
        if (name.equalsIgnoreCase("Content-Type")) {
            setContentType(value);
        } else if (name.equalsIgnoreCase("Content-Length")) {
            setContentLengthLong(value == null ? -1 : Long.parseLong(value.trim()));
        } else if (value != null || headers != null) {
            headers().set(name, value);
        }
    }

    @Override
    public void addHeader(String name, String value) {
        if (name != null && (name.equalsIgnoreCase("Content-Type") || name.equalsIgnoreCase("Content-Length"))) {
            setHeader(name, value);
        } else if (!committed && name != null && value != null) {
            headers().add(name, value);
        }
    }

    @Override public void setDateHeader(String name, long date) { setHeader(name, HttpDates.format(date)); }
    @Override public void addDateHeader(String name, long date) { addHeader(name, HttpDates.format(date)); }
    @Override public void setIntHeader(String name, int value) { setHeader(name, Integer.toString(value)); }
    @Override public void addIntHeader(String name, int value) { addHeader(name, Integer.toString(value)); }

    @Override
    public boolean containsHeader(String name) {
        return getHeader(name) != null;
    }

    @Override
    public String getHeader(String name) {
        if (name.equalsIgnoreCase("Content-Type")) {
            return getContentType();
        }
        if (name.equalsIgnoreCase("Content-Length")) {
            return contentLength < 0 ? null : Long.toString(contentLength);
        }
        return headers == null ? null : headers.get(name);
    }

    @Override
    public Collection<String> getHeaders(String name) {
        String special = name.equalsIgnoreCase("Content-Type") || name.equalsIgnoreCase("Content-Length") ? getHeader(name) : null;
        return special != null ? List.of(special) : headers == null ? List.of() : headers.getAll(name);
    }

    @Override
    public Collection<String> getHeaderNames() {
        List<String> names = headers == null ? new ArrayList<>() : new ArrayList<>(headers.names());
        if (getContentType() != null) {
            names.add("Content-Type");
        }
        if (contentLength >= 0) {
            names.add("Content-Length");
        }
        return names;
    }

    @Override
    public void addCookie(Cookie cookie) {
        addHeader("Set-Cookie", Cookies.format(cookie, invoker.clock().millis()));
    }

    /** Sessions travel in cookies, never in URLs: URLs are returned unchanged. */
    @Override public String encodeURL(String url) { return url; }
    @Override public String encodeRedirectURL(String url) { return url; }

    // ---- content type, charset, locale, length

    @Override
    public void setContentType(String type) {
        if (committed) {
            return;
        }
        if (type == null) {
            mediaType = null;
            if (bodyUse != BodyUse.WRITER) {
                charset = null;
            }
            return;
        }
        if (type.indexOf(';') < 0) { // no parameters, the usual case: nothing to parse, no object made
            mediaType = type.trim();
            return;
        }
        ContentType parsed = ContentType.parse(type);
        mediaType = parsed.mediaType();
        if (parsed.charset() != null && bodyUse != BodyUse.WRITER) {
            charset = parsed.charset();
        }
    }

    @Override
    public String getContentType() {
        return mediaType == null ? null : ContentType.headerValue(mediaType, charset);
    }

    /** Ignored once the writer is taken or the response committed, as the API says; {@code null} forgets the charset. */
    @Override
    public void setCharacterEncoding(String encoding) {
        if (!committed && bodyUse != BodyUse.WRITER) {
            charset = encoding;
        }
    }

    /** The charset set, else ISO-8859-1, the Servlet API's default. */
    @Override
    public String getCharacterEncoding() {
        return charset == null ? DEFAULT_CHARSET : charset;
    }

    /** Sets Content-Language; the charset stays as set (no locale-to-charset mapping is configured). */
    @Override
    public void setLocale(Locale locale) {
        if (!committed && locale != null) {
            uncommon().locale = locale;
            headers().set("Content-Language", locale.toLanguageTag());
        }
    }

    @Override
    public Locale getLocale() {
        return uncommon == null || uncommon.locale == null ? Locale.getDefault() : uncommon.locale;
    }

    @Override
    public void setContentLength(int length) {
        setContentLengthLong(length);
    }

    @Override
    public void setContentLengthLong(long length) {
        if (!committed) {
            contentLength = length < 0 ? -1 : length;
        }
    }

    // ---- body

    @Override
    public ServletOutputStream getOutputStream() {
        if (bodyUse == BodyUse.WRITER) {
            throw new IllegalStateException("getWriter() was called on this response: the body can be written one way only");
        }
        bodyUse = BodyUse.STREAM;
        return this;
    }

    /** Encodes in {@link #getCharacterEncoding()}, which from now on also shows in the Content-Type. */
    @Override
    public PrintWriter getWriter() throws UnsupportedEncodingException {
        if (bodyUse == BodyUse.STREAM) {
            throw new IllegalStateException("getOutputStream() was called on this response: the body can be written one way only");
        }
        Uncommon state = uncommon();
        if (state.printWriter == null) {
            Charset encoding = charsetFor(getCharacterEncoding());
            charset = getCharacterEncoding();
            state.writer = new ResponseWriter(this, encoding);
            state.printWriter = new PrintWriter(state.writer);
            bodyUse = BodyUse.WRITER;
        }
        return state.printWriter;
    }

    private static Charset charsetFor(String name) throws UnsupportedEncodingException {
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new UnsupportedEncodingException("the response's charset '" + name + "' is not known to this Java runtime");
        }
    }

    @Override
    public void setBufferSize(int size) {
        if (committed || hasContent()) {
            throw new IllegalStateException("setBufferSize after content was written or the response committed");
        }
        resizeBuffer(Math.max(size, 0));
    }

    @Override
    public int getBufferSize() {
        return bufferSize();
    }

    @Override
    public void flushBuffer() throws IOException {
        if (uncommon != null && uncommon.printWriter != null) {
            uncommon.printWriter.flush();
        }
        flush();
    }

    @Override
    public void resetBuffer() {
        checkNotCommitted("resetBuffer");
        dropBuffered();
        if (uncommon != null && uncommon.writer != null) {
            uncommon.writer.reset();
        }
    }

    /** Clears status, headers, content type, buffer, and which of stream and writer was taken. */
    @Override
    public void reset() {
        checkNotCommitted("reset");
        resetBuffer();
        status = SC_OK;
        headers = null;
        mediaType = null;
        charset = null;
        setContentLengthLong(-1);
        bodyUse = BodyUse.NONE;
        uncommon = null; // locale, writer; no error is pending while the response is not committed
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    @Override
    ServletAsync asyncSupport() {
        return request.asyncSupport();
    }

    // ---- error pages and dispatches

    /** Whether {@code sendError} was called and its page is not sent yet. */
    boolean errorPending() {
        return pendingError() != null && !sent;
    }

    /** The message given to {@code sendError}, or {@code null} without one. */
    String errorMessage() {
        String message = pendingError();
        return message == null || message.isEmpty() ? null : message;
    }

    /**
     * Opens the response, not yet sent, to an error page answering with {@code status}: the error
     * is no longer pending, the body written so far and the content type are dropped, and the
     * headers set stay (cookies, for one).
     */
    void reopenForErrorPage(int status) {
        if (sent) {
            throw new IllegalStateException("the response is already sent: no error page can follow");
        }
        uncommon = null; // the error, locale and writer
        committed = false;
        reopen();
        this.status = status;
        mediaType = null;
        charset = null;
        setContentLengthLong(-1);
        bodyUse = BodyUse.NONE;
    }

    /**
     * What a forward does once its target returns: the body goes to Fastpool's response (committed)
     * and what the forwarding servlet writes afterwards is dropped. A pending error stays for its page.
     */
    void closeAfterForward() throws IOException {
        if (pendingError() != null) {
            return;
        }
        drain();
        discardFurtherWrites();
    }

    // ---- completion

    /** Ends the response once the servlet returned: the error page if one was asked for, else the buffered body. */
    public void finish() throws IOException {
        String errorMessage = pendingError();
        if (errorMessage != null) {
            if (!sent) {
                sent = true;
                copyHeadersTo(response);
                invoker.errorPages().sendErrorPage(status, errorMessage.isEmpty() ? null : errorMessage, response);
            }
            return;
        }
        // The PrintWriter wraps the ResponseWriter unbuffered, and that writes into the output: all is there.
        drain();
    }

    /** Hands status and headers to Fastpool's response, once; {@link ResponseOutput} calls it as the body commits. */
    @Override
    void commit() {
        committed = true;
        if (sent) {
            return;
        }
        sent = true;
        response.setStatus(status);
        String contentType = getContentType();
        if (contentType != null) {
            response.setContentType(contentType);
        }
        if (contentLength >= 0) {
            response.setHeader("Content-Length", Long.toString(contentLength));
        }
        copyHeadersTo(response);
    }

    private ResponseHeaders headers() {
        if (headers == null) {
            headers = new ResponseHeaders();
        }
        return headers;
    }

    private void copyHeadersTo(Response target) {
        if (headers != null) {
            headers.copyTo(target);
        }
    }

    private void checkNotCommitted(String action) {
        if (committed) {
            throw new IllegalStateException(action + ": the response is already committed");
        }
    }
}
