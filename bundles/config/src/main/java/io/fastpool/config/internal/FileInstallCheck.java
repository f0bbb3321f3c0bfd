package io.fastpool.config.internal;

import io.fastpool.config.CheckedConfiguration;
import io.fastpool.config.ConfigSchema;
import io.fastpool.config.ConfigurationReport;
import io.fastpool.config.ConfigurationReports;
import io.fastpool.config.Verdict;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationPlugin;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Checks FileInstall's watcher configurations ({@code conf/org.apache.felix.fileinstall-NAME.cfg},
 * such as the one watching {@code deploy/}) like Fastpool's own: every key, one log line per
 * problem, unknown keys named with the closest known one. A Configuration Admin plugin sees each
 * configuration before FileInstall does, so a refused file is replaced by the last good one (at the
 * first start, by the defaults below, which are what Fastpool ships): a typo never silently stops
 * the deploy folder from being watched.
 */
final class FileInstallCheck implements ConfigurationPlugin, ConfigurationReports {

    /** FileInstall's ManagedServiceFactory: each watcher is a configuration {@code org.apache.felix.fileinstall~NAME}. */
    static final String FACTORY_PID = "org.apache.felix.fileinstall";

    /** A watcher's keys (FileInstall 3.7), with the values Fastpool ships as defaults. */
    @ObjectClassDefinition(name = "FileInstall watcher", factoryPid = FACTORY_PID,
            description = "A folder FileInstall watches for bundles, such as deploy/.")
    @interface WatcherConfig {
        @AttributeDefinition(description = "The folder watched, relative to the server's folder.")
        String felix_fileinstall_dir() default "deploy";

        @AttributeDefinition(description = "A regular expression the file names must match.")
        String felix_fileinstall_filter() default ".*\\.jar";

        @AttributeDefinition(description = "Milliseconds between scans of the folder.", min = "1")
        long felix_fileinstall_poll() default 500;

        @AttributeDefinition(description = "Scan at once rather than after the first poll interval.")
        boolean felix_fileinstall_noInitialDelay() default true;

        @AttributeDefinition(description = "Start the bundles found.")
        boolean felix_fileinstall_bundles_new_start() default true;

        @AttributeDefinition(description = "Start bundles transiently (not persisted in the framework's cache).")
        boolean felix_fileinstall_bundles_startTransient() default false;

        @AttributeDefinition(description = "Start bundles with their declared activation policy.")
        boolean felix_fileinstall_bundles_startActivationPolicy() default true;

        @AttributeDefinition(description = "Update a bundle whose jar is replaced in place, with listeners.")
        boolean felix_fileinstall_bundles_updateWithListeners() default false;

        @AttributeDefinition(description = "0 none, 1 errors, 2 warnings, 3 information, 4 debug.", min = "0", max = "4")
        int felix_fileinstall_log_level() default 3;

        @AttributeDefinition(description = "Where FileInstall logs without a log service: jul or stdout.")
        String felix_fileinstall_log_default() default "jul";

        @AttributeDefinition(description = "Folder for FileInstall's temporary files (empty: the JVM's).", required = false)
        String felix_fileinstall_tmpdir() default "";

        @AttributeDefinition(description = "Start level given to installed bundles (0: the framework's default).", min = "0")
        int felix_fileinstall_start_level() default 0;

        @AttributeDefinition(description = "Framework start level below which the watcher pauses (0: never).", min = "0")
        int felix_fileinstall_active_level() default 0;

        @AttributeDefinition(description = "Which bundles to refresh for optional imports: none, managed or all (FileInstall 3.7.4 "
                + "refreshes all when unset; the shipped deploy watcher sets managed, so a jar exporting a package the platform "
                + "imports optionally does not restart the platform's bundles).")
        String felix_fileinstall_optionalImportRefreshScope() default "all";

        @AttributeDefinition(description = "Which hosts to refresh for fragments: none, managed or all.")
        String felix_fileinstall_fragmentRefreshScope() default "managed";

        @AttributeDefinition(description = "Poll the folder instead of the file system's change events.")
        boolean felix_fileinstall_disableNio2() default false;

        @AttributeDefinition(description = "Sub-folders: jar (an exploded bundle), skip, or recurse.")
        String felix_fileinstall_subdir_mode() default "jar";

        @AttributeDefinition(description = "Must stay false: the server never writes into conf/.")
        boolean felix_fileinstall_enableConfigSave() default false;
    }

    static final ConfigSchema SCHEMA = ConfigSchema.of(FACTORY_PID, WatcherConfig.class)
            .withCheck("felix.fileinstall.dir", "an existing folder", FileInstallCheck::folderProblem)
            .withCheck("felix.fileinstall.filter", "a regular expression", value -> {
                try {
                    Pattern.compile(value);
                    return null;
                } catch (PatternSyntaxException e) {
                    return "not a regular expression: " + e.getDescription() + " at index " + e.getIndex();
                }
            })
            .withCheck("felix.fileinstall.log.default", "`jul` or `stdout`", value -> oneOf(value, "jul", "stdout"))
            .withCheck("felix.fileinstall.optionalImportRefreshScope", "`none`, `managed` or `all`",
                    value -> oneOf(value, "none", "managed", "all"))
            .withCheck("felix.fileinstall.fragmentRefreshScope", "`none`, `managed` or `all`", value -> oneOf(value, "none", "managed", "all"))
            .withCheck("felix.fileinstall.subdir.mode", "`jar`, `skip` or `recurse`", value -> oneOf(value, "jar", "skip", "recurse"))
            .withCheck("felix.fileinstall.enableConfigSave", "`false`", value -> value.equalsIgnoreCase("false") ? null
                    : "allowed is false only: the server never writes into conf/");

    private final System.Logger log;
    private final Map<String, Map<String, Object>> lastGood = Collections.synchronizedMap(new TreeMap<>());
    private final Map<String, String> sources = Collections.synchronizedMap(new TreeMap<>());
    private final Map<String, Verdict> refused = Collections.synchronizedMap(new TreeMap<>());
    private final Map<String, Verdict> running = Collections.synchronizedMap(new TreeMap<>());

    FileInstallCheck(System.Logger log) {
        this.log = log;
    }

    @Override
    public void modifyConfiguration(ServiceReference<?> reference, Dictionary<String, Object> properties) {
        Object pidValue = properties.get("service.pid");
        String pid = pidValue == null ? FACTORY_PID : pidValue.toString();
        Map<String, Object> written = new LinkedHashMap<>();
        for (String key : Collections.list(properties.keys())) {
            if (!key.startsWith("service.") && !key.equals(CheckedConfiguration.FILE_PROPERTY)) {
                written.put(key, properties.get(key));
            }
        }
        Object file = properties.get(CheckedConfiguration.FILE_PROPERTY);
        String source = file == null ? pid : CheckedConfiguration.sourceOf(file);
        sources.put(pid, source);
        if (written.isEmpty()) {
            log.log(Level.WARNING, source + " is empty: treated as removed; the watcher runs on the defaults (" + defaults() + ")");
            replace(properties, defaults());
            running.put(pid, SCHEMA.check(Map.of(), ConfigurationReport.DEFAULT));
            refused.remove(pid);
            return;
        }
        Verdict verdict = SCHEMA.check(written, source);
        Map<String, Object> good = lastGood.get(pid);
        if (verdict.log(log, "the watcher keeps running on " + (good == null ? "the defaults (" + defaults() + ")"
                : "the last good " + source))) {
            replace(properties, good == null ? defaults() : good);
            refused.put(pid, verdict);
            return;
        }
        lastGood.put(pid, written);
        running.put(pid, verdict);
        refused.remove(pid);
    }

    @Override
    public List<ConfigurationReport> configurationReports() {
        List<ConfigurationReport> reports = new ArrayList<>();
        synchronized (sources) {
            for (String pid : sources.keySet()) {
                Verdict verdict = running.getOrDefault(pid, SCHEMA.check(Map.of(), ConfigurationReport.DEFAULT));
                String source = lastGood.containsKey(pid) ? sources.get(pid) : ConfigurationReport.DEFAULT;
                List<ConfigurationReport.Entry> entries = new ArrayList<>();
                verdict.values().forEach((key, value) -> entries.add(new ConfigurationReport.Entry(key, text(value),
                        verdict.written().contains(key) ? source : ConfigurationReport.DEFAULT)));
                Verdict refusal = refused.get(pid);
                List<String> problems = new ArrayList<>();
                if (refusal != null) {
                    refusal.errors().forEach(problem -> problems.add(problem.describe(refusal.source())));
                }
                List<String> warnings = new ArrayList<>();
                verdict.warnings().forEach(problem -> warnings.add(problem.describe(source)));
                reports.add(new ConfigurationReport(pid, entries, problems, refusal == null ? null : refusal.source(), warnings));
            }
        }
        return reports;
    }

    private static String text(Object value) {
        return value instanceof String[] array ? String.join(", ", array) : String.valueOf(value);
    }

    /** The defaults as FileInstall reads them: text values. */
    static Map<String, Object> defaults() {
        Map<String, Object> values = new LinkedHashMap<>();
        SCHEMA.defaults().forEach((key, value) -> {
            if (!(value instanceof String text && text.isEmpty())) {
                values.put(key, String.valueOf(value));
            }
        });
        return values;
    }

    private static void replace(Dictionary<String, Object> properties, Map<String, Object> values) {
        for (String key : Collections.list(properties.keys())) {
            if (!key.startsWith("service.") && !key.equals(CheckedConfiguration.FILE_PROPERTY)) {
                properties.remove(key);
            }
        }
        values.forEach(properties::put);
    }

    private static String folderProblem(String value) {
        Path folder;
        try {
            Path given = Path.of(value);
            String home = System.getProperty("fastpool.home");
            folder = given.isAbsolute() || home == null ? given.toAbsolutePath() : Path.of(home).resolve(given);
        } catch (InvalidPathException e) {
            return "not a path: " + e.getMessage();
        }
        return Files.isDirectory(folder) ? null : "no such folder: " + folder.normalize() + " (create it, or fix the path)";
    }

    private static String oneOf(String value, String... allowed) {
        for (String option : allowed) {
            if (option.equals(value)) {
                return null;
            }
        }
        return "allowed is one of " + String.join(", ", allowed);
    }
}
