package io.fastpool.api;

import java.io.InterruptedIOException;

/** The client or the web server gave up on the request while it was being handled. */
public class RequestAbortedException extends InterruptedIOException {

    private static final long serialVersionUID = 1L;

    public RequestAbortedException(String message) {
        super(message);
    }
}
