package io.fastpool.servlet.internal;

/** A {@code Content-Length} that is not a non-negative decimal number: 400. */
public final class InvalidContentLengthException extends BadRequestException {

    private static final long serialVersionUID = 1L;

    InvalidContentLengthException(String message) {
        super(message, null);
    }

    @Override
    public int status() {
        return 400;
    }
}
