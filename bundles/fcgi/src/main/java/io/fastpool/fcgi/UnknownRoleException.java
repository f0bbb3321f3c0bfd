package io.fastpool.fcgi;

/**
 * A BEGIN_REQUEST asking for a role the specification does not define. Confined to its request:
 * the application answers END_REQUEST with {@link FcgiProtocolStatus#UNKNOWN_ROLE}.
 */
public final class UnknownRoleException extends FcgiProtocolException {

    private static final long serialVersionUID = 1L;

    private final int role;

    public UnknownRoleException(int requestId, int role) {
        super(requestId, "BEGIN_REQUEST for request id " + requestId + " asks for role " + role
                + ", which is not RESPONDER (1), AUTHORIZER (2) or FILTER (3)");
        this.role = role;
    }

    /** The role code received. */
    public int role() {
        return role;
    }
}
