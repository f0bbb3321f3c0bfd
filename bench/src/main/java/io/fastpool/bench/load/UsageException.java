package io.fastpool.bench.load;

/** A command line that cannot be run; the message names the option or argument that is wrong. */
public final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message, null, false, false);
    }
}
