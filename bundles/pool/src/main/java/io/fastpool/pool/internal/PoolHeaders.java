package io.fastpool.pool.internal;

import io.fastpool.config.Verdict;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Bundle;

/**
 * The {@code Fastpool-Pool} manifest header an app's author writes
 * ({@code Fastpool-Pool: queueLength=100, maxThreads=4}): parsed, each key checked like a file's,
 * and logged once per bundle revision. A header with a refused value is ignored whole: the app's
 * author must fix it, and the pool runs on its defaults and its {@code .cfg} file meanwhile.
 */
final class PoolHeaders {

    /** The manifest header's name. */
    static final String POOL_HEADER = "Fastpool-Pool";
    /** Logged as the pool manager, whose logger operators know for configuration verdicts. */
    private static final System.Logger LOG = System.getLogger(PoolManagerComponent.class.getName());

    /** Each app bundle's checked header, by bundle id and last-modified time: checked and logged once. */
    private final Map<String, Map<String, Object>> checked = new ConcurrentHashMap<>();

    /** The settings {@code bundle}'s header writes, as configuration values; empty without a (good) header. */
    Map<String, Object> settings(Bundle bundle) {
        if (bundle == null) {
            return Map.of();
        }
        String header = bundle.getHeaders().get(POOL_HEADER);
        if (header == null || header.isBlank()) {
            return Map.of();
        }
        return checked.computeIfAbsent(bundle.getBundleId() + "@" + bundle.getLastModified(), revision -> {
            String source = source(bundle);
            Map<String, String> written;
            try {
                written = parse(header);
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.ERROR, source + ": " + e.getMessage() + "; the header is ignored");
                return Map.of();
            }
            Verdict verdict = PoolConfiguration.SCHEMA.check(written, source);
            if (verdict.log(LOG, "the header is ignored whole; the pool uses its defaults and its .cfg file")) {
                return Map.of();
            }
            return PoolConfiguration.written(verdict);
        });
    }

    /** Where a header's settings come from, as reports and logs name it. */
    static String source(Bundle bundle) {
        return "the " + POOL_HEADER + " header of " + bundle.getSymbolicName() + " " + bundle.getVersion();
    }

    /**
     * {@code name=value} entries separated by commas; a comma not followed by {@code name=} belongs
     * to the value (an {@code accessFormat} may hold commas).
     */
    static Map<String, String> parse(String header) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String entry : header.split(",(?=\\s*[A-Za-z][A-Za-z0-9_.]*\\s*=)")) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                values.put(entry.substring(0, equals).trim(), entry.substring(equals + 1).trim());
            } else if (!entry.isBlank()) {
                throw new IllegalArgumentException(POOL_HEADER + " entry '" + entry.trim() + "' is not name=value");
            }
        }
        return values;
    }
}
