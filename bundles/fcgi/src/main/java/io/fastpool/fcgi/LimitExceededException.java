package io.fastpool.fcgi;

/** Input that goes beyond one of the {@link FcgiLimits}; names the limit, its value and what came. */
public final class LimitExceededException extends FcgiProtocolException {

    private static final long serialVersionUID = 1L;

    private final String limitName;
    private final long limit;
    private final long actual;

    public LimitExceededException(int requestId, String limitName, long limit, long actual, String what) {
        super(requestId, what + " (" + actual + ") exceeds " + limitName + " = " + limit
                + (requestId != 0 ? " (request id " + requestId + ")" : ""));
        this.limitName = limitName;
        this.limit = limit;
        this.actual = actual;
    }

    /** The name of the limit, as in {@link FcgiLimits}. */
    public String limitName() {
        return limitName;
    }

    /** The limit's value. */
    public long limit() {
        return limit;
    }

    /** What the peer sent or claimed. */
    public long actual() {
        return actual;
    }
}
