package io.fastpool.fcgi;

/**
 * Bad input from a FastCGI peer. Each broken rule has its own subtype, and the message names the
 * rule, the offending value and, where one applies, the limit.
 *
 * <p>The decoder throws the errors that break the connection's framing or its management records
 * (the connection must be closed), and hands those confined to one request to
 * {@link FcgiRecordListener#onRequestError} (the request is rejected, the connection lives on).
 */
public abstract class FcgiProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int requestId;

    protected FcgiProtocolException(int requestId, String message) {
        super(message, null, false, false);
        this.requestId = requestId;
    }

    /** The request the bad input belongs to, or 0 for the connection as a whole. */
    public int requestId() {
        return requestId;
    }
}
