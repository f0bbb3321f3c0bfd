package io.fastpool.config;

import java.util.List;

/**
 * What one configuration runs with, for {@code fastpool:config} and the status page.
 *
 * @param pid the configuration's PID (for a pool, {@code io.fastpool.pool~NAME})
 * @param settings every setting's effective value and where it came from
 * @param refused the problems of the file that was refused and is not running (empty when none); it
 *        stays until the file is fixed or removed
 * @param refusedSource the refused file, or null
 * @param warnings unknown keys of the running configuration (ignored)
 */
public record ConfigurationReport(String pid, List<Entry> settings, List<String> refused, String refusedSource,
        List<String> warnings) {

    /** Where an effective value came from when it was not written anywhere. */
    public static final String DEFAULT = "default";

    public ConfigurationReport {
        settings = List.copyOf(settings);
        refused = List.copyOf(refused);
        warnings = List.copyOf(warnings);
    }

    /**
     * One setting.
     *
     * @param name the key
     * @param value the effective value, as text (a list joined by ", ")
     * @param origin {@link #DEFAULT}, a file relative to the server's folder, or e.g. an app's manifest
     */
    public record Entry(String name, String value, String origin) {
    }

    /** Whether a file for this PID is refused right now. */
    public boolean isRefused() {
        return !refused.isEmpty();
    }
}
