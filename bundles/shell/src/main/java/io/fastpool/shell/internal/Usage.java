package io.fastpool.shell.internal;

/**
 * What a {@code fastpool:} command answers when it is called with the wrong number of arguments.
 * Gogo picks a command's method by the number of arguments; with none that fits it says "Cannot
 * coerce pool() to any of [(String)]", which tells an operator nothing. So each command also has an
 * overload taking {@code String...}, chosen only when no exact one fits, that throws this.
 */
final class Usage {

    /** What {@code help} shows for the overload that catches wrong calls. */
    static final String WRONG_CALL = "called with other arguments: says how to call it";

    private Usage() {
    }

    /**
     * The error for a wrong call: {@code usage: fastpool:pool NAME (got no argument); help
     * fastpool:pool says more}.
     *
     * @param usage the command and what it takes, e.g. {@code fastpool:pool NAME}
     */
    static IllegalArgumentException wrongCall(String usage, String[] got) {
        String command = usage.split(" ", 2)[0];
        String received = got.length == 0 ? "no argument"
                : (got.length == 1 ? "1 argument: " : got.length + " arguments: ") + String.join(" ", got);
        return new IllegalArgumentException("usage: " + usage + " (got " + received + "); help " + command + " says more");
    }
}
