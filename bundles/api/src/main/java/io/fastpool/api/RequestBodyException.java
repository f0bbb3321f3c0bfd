package io.fastpool.api;

import java.io.IOException;

/** The request body did not match its declared {@code Content-Length}, or broke off. */
public class RequestBodyException extends IOException {

    private static final long serialVersionUID = 1L;

    public RequestBodyException(String message) {
        super(message);
    }
}
