package io.fastpool.servlet.internal;

/** A {@code multipart/form-data} body Commons FileUpload could not read (no boundary, a broken part): 400. */
public final class MalformedMultipartException extends BadRequestException {

    private static final long serialVersionUID = 1L;

    MalformedMultipartException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int status() {
        return 400;
    }
}
