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
 */
public record Problem(String key, String value, String allowed, boolean unknownKey) {

    /** A value that is refused, and why (e.g. {@code allowed is a whole number from 1}). */
    public static Problem refused(String key, Object value, String reason) {
        return new Problem(key, ConfigSchema.text(value), reason, false);
    }

    /** A key that no setting has; {@code closest} is the known key it most resembles, or null. */
    public static Problem unknown(String key, Object value, String closest) {
        return new Problem(key, ConfigSchema.text(value), closest, true);
    }

    /** The sentence for the log, the shell and the status page, naming where the key was written. */
    public String describe(String source) {
        if (unknownKey) {
            return source + ": unknown key '" + key + "' is ignored" + (allowed == null ? "" : "; did you mean '" + allowed + "'?");
        }
        return source + ": " + key + " = '" + value + "' is refused: " + allowed;
    }
}
