package io.fastpool.servlet.internal;

/** A query string or form body whose percent-encoding is broken, or with more parameters than allowed: 400. */
public final class MalformedParameterException extends BadRequestException {

    private static final long serialVersionUID = 1L;

    MalformedParameterException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int status() {
        return 400;
    }
}
