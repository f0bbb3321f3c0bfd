package io.fastpool.fcgi;

/** An application record with request id 0, or a management record with a non-zero id. */
public final class InvalidRequestIdException extends FcgiProtocolException {

    private static final long serialVersionUID = 1L;

    public InvalidRequestIdException(FcgiRecordType type, int requestId) {
        super(requestId, type.isManagement()
                ? "management record " + type + " must have request id 0, had " + requestId
                : "application record " + type + " must have a non-zero request id, had 0");
    }
}
