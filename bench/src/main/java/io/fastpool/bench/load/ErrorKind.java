package io.fastpool.bench.load;

import io.fastpool.fcgi.FcgiProtocolStatus;

/** Why a request (or, for {@link #CONNECT}, a connection attempt) failed; each kind is counted apart. */
public enum ErrorKind {
    /** A connection could not be opened; with {@code --keep-conn off} that request is lost too. */
    CONNECT("connect"),
    /** The connection closed, or broke, while the request was in flight. */
    CLOSED("closed"),
    /** No END_REQUEST within {@code --timeout}; the connection is closed and opened again. */
    TIMEOUT("timeout"),
    /** The server broke the FastCGI framing or sent a record a client cannot take; connection closed. */
    DECODE("decode"),
    /** END_REQUEST with protocol status CANT_MPX_CONN: the server does not multiplex (lower --multiplex). */
    CANT_MPX_CONN("cant-mpx-conn"),
    /** END_REQUEST with protocol status OVERLOADED. */
    OVERLOADED("overloaded"),
    /** END_REQUEST with protocol status UNKNOWN_ROLE. */
    UNKNOWN_ROLE("unknown-role"),
    /** A response whose CGI {@code Status:} header is 4xx: usually a wrong --path or --script-filename. */
    HTTP_4XX("http-4xx"),
    /** A response whose CGI {@code Status:} header is 5xx. */
    HTTP_5XX("http-5xx");

    private final String label;

    ErrorKind(String label) {
        this.label = label;
    }

    /** The short name used in output and CSV columns. */
    public String label() {
        return label;
    }

    /**
     * The error a complete response stands for, or {@code null} for a good one: a protocol status
     * other than REQUEST_COMPLETE, else an HTTP status of 400 or more.
     */
    static ErrorKind ofResponse(FcgiProtocolStatus protocolStatus, int httpStatus) {
        switch (protocolStatus) {
            case CANT_MPX_CONN:
                return CANT_MPX_CONN;
            case OVERLOADED:
                return OVERLOADED;
            case UNKNOWN_ROLE:
                return UNKNOWN_ROLE;
            case REQUEST_COMPLETE:
            default:
                if (httpStatus >= 500) {
                    return HTTP_5XX;
                }
                return httpStatus >= 400 ? HTTP_4XX : null;
        }
    }
}
