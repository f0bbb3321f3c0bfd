package io.fastpool.config;

import java.lang.System.Logger.Level;
import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One component's configuration as files change: each update is checked against the schema, every
 * problem is logged on a line of its own, and a refused file leaves the last good configuration
 * running (at the first update, the defaults). A removed file, or one emptied, returns every setting
 * to its default and says so.
 *
 * <p>Fed the component properties Declarative Services passes to {@code @Activate} and
 * {@code @Modified} (or a Configuration Admin dictionary as a map): the framework's own keys
 * ({@code service.pid}, {@code component.name}, FileInstall's file name, ...) are set apart, and
 * FileInstall's {@code felix.fileinstall.filename} names the file in every message.
 *
 * @param <A> the component's {@code @ObjectClassDefinition} type
 */
public final class CheckedConfiguration<A extends Annotation> {

    /** The property in which FileInstall records the file a configuration came from. */
    public static final String FILE_PROPERTY = "felix.fileinstall.filename";

    private final ConfigSchema schema;
    private final Class<A> type;
    private final System.Logger log;
    private Verdict running;
    private String runningSource;
    private Verdict refused;

    public CheckedConfiguration(ConfigSchema schema, Class<A> type, System.Logger log) {
        this.schema = schema;
        this.type = type;
        this.log = log;
        this.running = schema.check(Map.of(), ConfigurationReport.DEFAULT);
    }

    /**
     * Checks a new configuration ({@code properties} may be null: no configuration) and answers the
     * one to run with: the new one when it passes, else the last good one.
     */
    public synchronized A update(Map<String, ?> properties) {
        Map<String, Object> written = new LinkedHashMap<>();
        String source = properties == null ? null : sourceOf(properties.get(FILE_PROPERTY));
        if (properties != null) {
            properties.forEach((key, value) -> {
                if (!isFrameworkKey(key)) {
                    written.put(key, value);
                }
            });
        }
        if (written.isEmpty()) {
            if (source != null) {
                log.log(Level.WARNING, source + " is empty: treated as removed; " + schema.pid() + " runs on its defaults");
            } else if (runningSource != null || refused != null) {
                String gone = runningSource != null ? runningSource : refused.source();
                log.log(Level.INFO, gone + " removed: " + schema.pid() + " returns to its defaults");
            }
            accept(schema.check(Map.of(), ConfigurationReport.DEFAULT), null);
            return current();
        }
        String name = source != null ? source : schema.pid();
        Verdict verdict = schema.check(written, name);
        if (verdict.log(log, schema.pid() + " keeps running on " + (runningSource == null ? "its defaults" : "the last good "
                + runningSource))) {
            refused = verdict;
            return current();
        }
        accept(verdict, name);
        return current();
    }

    private void accept(Verdict verdict, String source) {
        running = verdict;
        runningSource = source;
        refused = null;
    }

    /** The configuration running now. */
    public synchronized A current() {
        return running.as(type);
    }

    /** The last good verdict: the values running now. */
    public synchronized Verdict running() {
        return running;
    }

    /** What runs, where each value came from, and the refused file if any. */
    public synchronized ConfigurationReport report() {
        List<ConfigurationReport.Entry> entries = new ArrayList<>();
        running.values().forEach((key, value) -> entries.add(new ConfigurationReport.Entry(key, ConfigSchema.text(value),
                running.written().contains(key) ? runningSource : ConfigurationReport.DEFAULT)));
        List<String> refusedProblems = new ArrayList<>();
        if (refused != null) {
            refused.errors().forEach(problem -> refusedProblems.add(problem.describe(refused.source())));
        }
        List<String> warnings = new ArrayList<>();
        running.warnings().forEach(problem -> warnings.add(problem.describe(runningSource)));
        return new ConfigurationReport(schema.pid(), entries, refusedProblems, refused == null ? null : refused.source(), warnings);
    }

    /**
     * Keys the framework, DS, Configuration Admin or FileInstall add, or that DS reads itself (a
     * reference's {@code NAME.target} filter and {@code NAME.cardinality.minimum}): not settings, never
     * checked.
     */
    public static boolean isFrameworkKey(String key) {
        return key.startsWith("service.") || key.startsWith("component.") || key.startsWith("felix.fileinstall.")
                || key.startsWith("osgi.ds.") || key.equals("objectClass") || key.endsWith(".target")
                || key.endsWith(".cardinality.minimum");
    }

    /**
     * The file FileInstall read, relative to the server's folder ({@code fastpool.home}) when inside
     * it: {@code conf/io.fastpool.transport.cfg}.
     */
    public static String sourceOf(Object fileName) {
        if (fileName == null) {
            return null;
        }
        String text = fileName.toString();
        Path file;
        try {
            file = text.startsWith("file:") ? Path.of(java.net.URI.create(text)) : Path.of(text);
        } catch (IllegalArgumentException e) {
            return text;
        }
        String home = System.getProperty("fastpool.home");
        if (home != null) {
            Path base = Path.of(home).toAbsolutePath().normalize();
            Path absolute = file.toAbsolutePath().normalize();
            if (absolute.startsWith(base)) {
                return base.relativize(absolute).toString();
            }
        }
        return file.toString();
    }
}
