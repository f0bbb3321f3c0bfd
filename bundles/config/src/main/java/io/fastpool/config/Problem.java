package io.fastpool.config;

/**
 * One thing wrong with a configuration: a value that is refused, or a key no setting has.
 *
 * @param key the key as written
 * @param value the value as written (for an unknown key too)
 * @param allowed for a refused value, why (what would be allowed); for an unknown key, the closest
 *        known key or null when none is close
 * @param unknownKey whether the key is unknown (a warning: the key is ignored) rather than its value
 *        refused (an error: the whole file is refused)
 * @param movedTo for an unknown key that another configuration now takes, that configuration's PID;
 *        else null
 */
public record Problem(String key, String value, String allowed, boolean unknownKey, String movedTo) {

    /** A problem with a key that did not move. */
    public Problem(String key, String value, String allowed, boolean unknownKey) {
        this(key, value, allowed, unknownKey, null);
    }

    /** A value that is refused, and why (e.g. {@code allowed is a whole number from 1}). */
    public static Problem refused(String key, Object value, String reason) {
        return new Problem(key, ConfigSchema.text(value), reason, false);
    }

    /** A key that no setting has; {@code closest} is the known key it most resembles, or null. */
    public static Problem unknown(String key, Object value, String closest) {
        return new Problem(key, ConfigSchema.text(value), closest, true);
    }

    /**
     * A key this configuration took once and {@code pid} takes now: a warning (ignored here), naming
     * where to write it.
     */
    public static Problem moved(String key, Object value, String pid) {
        return new Problem(key, ConfigSchema.text(value), null, true, pid);
    }

    /** The sentence for the log, the shell and the status page, naming where the key was written. */
    public String describe(String source) {
        if (movedTo != null) {
            return source + ": '" + key + "' belongs to " + movedTo + " now and is ignored here; write it in conf/"
                    + movedTo + ".cfg";
        }
        if (unknownKey) {
            return source + ": unknown key '" + key + "' is ignored" + (allowed == null ? "" : "; did you mean '" + allowed + "'?");
        }
        return source + ": " + key + " = '" + value + "' is refused: " + allowed;
    }
}
