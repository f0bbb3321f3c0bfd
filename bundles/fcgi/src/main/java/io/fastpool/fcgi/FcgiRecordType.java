package io.fastpool.fcgi;

/** The eleven record types of FastCGI 1.0, with their wire codes. */
public enum FcgiRecordType {
    BEGIN_REQUEST(1, false),
    ABORT_REQUEST(2, false),
    END_REQUEST(3, false),
    PARAMS(4, false),
    STDIN(5, false),
    STDOUT(6, false),
    STDERR(7, false),
    DATA(8, false),
    GET_VALUES(9, true),
    GET_VALUES_RESULT(10, true),
    UNKNOWN_TYPE(11, true);

    private static final FcgiRecordType[] BY_CODE = new FcgiRecordType[12];

    static {
        for (FcgiRecordType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;
    private final boolean management;

    FcgiRecordType(int code, boolean management) {
        this.code = code;
        this.management = management;
    }

    /** The type byte on the wire. */
    public int code() {
        return code;
    }

    /** Management records carry request id 0; application records a non-zero id. */
    public boolean isManagement() {
        return management;
    }

    /** Whether records of this type form a stream ended by an empty record. */
    public boolean isStream() {
        return this == PARAMS || this == STDIN || this == STDOUT || this == STDERR || this == DATA;
    }

    /** The type with this code, or {@code null} for a code the specification does not define. */
    public static FcgiRecordType of(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
