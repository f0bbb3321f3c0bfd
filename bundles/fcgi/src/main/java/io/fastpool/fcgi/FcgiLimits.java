package io.fastpool.fcgi;

/**
 * The limits a {@link FcgiDecoder} enforces on what a peer sends, in one immutable object.
 *
 * <p>The defaults admit every request nginx, Apache httpd, lighttpd, HAProxy or Caddy send with
 * their own default header limits (nginx's largest header buffers are 4 x 8 KiB) with room to
 * spare, while keeping the memory one connection can make the decoder hold to a few hundred KiB.
 * The decoder never allocates from a length the peer claims: it waits for the bytes, and it checks
 * every claimed length against these limits first.
 *
 * @param maxParamsBytes most bytes of PARAMS content one request may send (all its PARAMS records)
 * @param maxParamCount most name-value pairs one request may send in PARAMS
 * @param maxNameLength longest name of one pair, in bytes
 * @param maxValueLength longest value of one pair, in bytes
 * @param maxOpenParamsStreams most requests on one connection whose PARAMS stream has begun but
 *     not ended (multiplexing peers); bounds the decoder's state per connection
 */
public record FcgiLimits(
        int maxParamsBytes, int maxParamCount, int maxNameLength, int maxValueLength, int maxOpenParamsStreams) {

    /** Default {@code maxParamsBytes}: 128 KiB. */
    public static final int DEFAULT_MAX_PARAMS_BYTES = 128 * 1024;
    /** Default {@code maxParamCount}. */
    public static final int DEFAULT_MAX_PARAM_COUNT = 1000;
    /** Default {@code maxNameLength}: 8 KiB. */
    public static final int DEFAULT_MAX_NAME_LENGTH = 8 * 1024;
    /** Default {@code maxValueLength}: 64 KiB. */
    public static final int DEFAULT_MAX_VALUE_LENGTH = 64 * 1024;
    /** Default {@code maxOpenParamsStreams}. */
    public static final int DEFAULT_MAX_OPEN_PARAMS_STREAMS = 256;

    /** The defaults above. */
    public static final FcgiLimits DEFAULTS = new FcgiLimits(DEFAULT_MAX_PARAMS_BYTES, DEFAULT_MAX_PARAM_COUNT,
            DEFAULT_MAX_NAME_LENGTH, DEFAULT_MAX_VALUE_LENGTH, DEFAULT_MAX_OPEN_PARAMS_STREAMS);

    /** Largest {@code maxParamsBytes}: what one Java array can hold. */
    public static final int MAX_PARAMS_BYTES_CEILING = Integer.MAX_VALUE - 16;

    /** Checks that every limit is positive and within what the protocol and the JVM allow. */
    public FcgiLimits {
        requireRange("maxParamsBytes", maxParamsBytes, 1, MAX_PARAMS_BYTES_CEILING);
        requireRange("maxParamCount", maxParamCount, 1, Integer.MAX_VALUE);
        requireRange("maxNameLength", maxNameLength, 1, Fcgi.MAX_NAME_VALUE_LENGTH);
        requireRange("maxValueLength", maxValueLength, 0, Fcgi.MAX_NAME_VALUE_LENGTH);
        requireRange("maxOpenParamsStreams", maxOpenParamsStreams, 1, Fcgi.MAX_REQUEST_ID);
    }

    /** A copy with another {@code maxParamsBytes}. */
    public FcgiLimits withMaxParamsBytes(int value) {
        return new FcgiLimits(value, maxParamCount, maxNameLength, maxValueLength, maxOpenParamsStreams);
    }

    /** A copy with another {@code maxParamCount}. */
    public FcgiLimits withMaxParamCount(int value) {
        return new FcgiLimits(maxParamsBytes, value, maxNameLength, maxValueLength, maxOpenParamsStreams);
    }

    /** A copy with another {@code maxNameLength}. */
    public FcgiLimits withMaxNameLength(int value) {
        return new FcgiLimits(maxParamsBytes, maxParamCount, value, maxValueLength, maxOpenParamsStreams);
    }

    /** A copy with another {@code maxValueLength}. */
    public FcgiLimits withMaxValueLength(int value) {
        return new FcgiLimits(maxParamsBytes, maxParamCount, maxNameLength, value, maxOpenParamsStreams);
    }

    /** A copy with another {@code maxOpenParamsStreams}. */
    public FcgiLimits withMaxOpenParamsStreams(int value) {
        return new FcgiLimits(maxParamsBytes, maxParamCount, maxNameLength, maxValueLength, value);
    }

    private static void requireRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
        }
    }
}
