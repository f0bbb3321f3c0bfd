package io.fastpool.fcgi;

/**
 * A record whose body does not have the form its type requires: a BEGIN_REQUEST, END_REQUEST or
 * UNKNOWN_TYPE body that is not 8 bytes, or an END_REQUEST with an undefined protocol status.
 */
public final class InvalidRecordBodyException extends FcgiProtocolException {

    private static final long serialVersionUID = 1L;

    public InvalidRecordBodyException(int requestId, String message) {
        super(requestId, message);
    }

    static InvalidRecordBodyException wrongLength(FcgiRecordType type, int requestId, int contentLength) {
        return new InvalidRecordBodyException(requestId, type + " body must be " + Fcgi.FIXED_BODY_LENGTH
                + " bytes, was " + contentLength + " (request id " + requestId + ")");
    }
}
