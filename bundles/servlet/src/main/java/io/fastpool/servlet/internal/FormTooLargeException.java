package io.fastpool.servlet.internal;

/** A form body larger than {@link ServletLimits#maxFormContentSize()}: 413. The body stays readable from the input stream. */
public final class FormTooLargeException extends BadRequestException {

    private static final long serialVersionUID = 1L;

    FormTooLargeException(String message) {
        super(message, null);
    }

    @Override
    public int status() {
        return 413;
    }
}
