package io.fastpool.fcgi;

/** A record header whose version byte is not 1. */
public final class UnsupportedVersionException extends FcgiProtocolException {

    private static final long serialVersionUID = 1L;

    private final int version;

    public UnsupportedVersionException(int version) {
        super(0, "FastCGI record version " + version + " is not supported: only version " + Fcgi.VERSION_1 + " exists");
        this.version = version;
    }

    /** The version byte received. */
    public int version() {
        return version;
    }
}
