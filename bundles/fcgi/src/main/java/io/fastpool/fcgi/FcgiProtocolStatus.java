package io.fastpool.fcgi;

/** How END_REQUEST says a request ended at the protocol level. */
public enum FcgiProtocolStatus {
    /** Normal end of request. */
    REQUEST_COMPLETE(0),
    /** Rejected: a second request on a connection that cannot multiplex. */
    CANT_MPX_CONN(1),
    /** Rejected: the application is out of some resource. */
    OVERLOADED(2),
    /** Rejected: the application does not play the requested role. */
    UNKNOWN_ROLE(3);

    private final int code;

    FcgiProtocolStatus(int code) {
        this.code = code;
    }

    /** The protocol status byte on the wire. */
    public int code() {
        return code;
    }

    /** The status with this code, or {@code null} for one the specification does not define. */
    public static FcgiProtocolStatus of(int code) {
        switch (code) {
            case 0:
                return REQUEST_COMPLETE;
            case 1:
                return CANT_MPX_CONN;
            case 2:
                return OVERLOADED;
            case 3:
                return UNKNOWN_ROLE;
            default:
                return null;
        }
    }
}
