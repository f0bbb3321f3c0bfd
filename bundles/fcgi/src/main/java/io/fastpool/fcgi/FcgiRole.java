package io.fastpool.fcgi;

/** The role a BEGIN_REQUEST asks the application to play. */
public enum FcgiRole {
    /** Receives the request's parameters and body, answers with a response. */
    RESPONDER(1),
    /** Decides whether a request may proceed; answers a response and possibly variables. */
    AUTHORIZER(2),
    /** Like a responder, with an additional data file in the DATA stream to filter. */
    FILTER(3);

    private final int code;

    FcgiRole(int code) {
        this.code = code;
    }

    /** The role field on the wire. */
    public int code() {
        return code;
    }

    /** The role with this code, or {@code null} for one the specification does not define. */
    public static FcgiRole of(int code) {
        switch (code) {
            case 1:
                return RESPONDER;
            case 2:
                return AUTHORIZER;
            case 3:
                return FILTER;
            default:
                return null;
        }
    }
}
