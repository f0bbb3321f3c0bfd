package io.fastpool.shell.internal;

import io.fastpool.config.ConfigurationReport;
import io.fastpool.config.ConfigurationReports;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code fastpool:config}: what every configuration runs with. Without an argument, one line per
 * PID with its state and files; with a PID or a pool's name, every setting's effective value and
 * where it came from (the default, an app's manifest header, a {@code .cfg} file), and a refused
 * file's problems until it is fixed.
 */
@Component(service = ConfigCommands.class, property = {"osgi.command.scope=fastpool", "osgi.command.function=config"})
public final class ConfigCommands {

    /** Every component that takes configuration publishes its reports (transport, listener, pools, status, ...). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<ConfigurationReports> reporters = List.of();

    public ConfigCommands() {
    }

    ConfigCommands(List<ConfigurationReports> reporters) {
        this.reporters = reporters;
    }

    @Descriptor("list every configuration: whether its file runs or is refused, and where its values come from")
    public String config() {
        Table table = new Table("PID", "STATE", "FROM", "NOTES");
        for (ConfigurationReport report : reports()) {
            Set<String> origins = new LinkedHashSet<>();
            report.settings().forEach(entry -> origins.add(entry.origin()));
            String notes = report.isRefused() ? report.refused().size() + " refused in " + report.refusedSource()
                    : report.warnings().isEmpty() ? "" : report.warnings().size() + " unknown key(s)";
            table.row(report.pid(), report.isRefused() ? "REFUSED" : "ok", String.join(", ", origins), notes);
        }
        return table.size() == 0 ? "no configurable component is running\n"
                : table + "(fastpool:config PID or POOL for every setting and its origin)\n";
    }

    @Descriptor("show one configuration: every setting's effective value and origin, and a refused file's problems")
    public String config(@Descriptor("a PID such as io.fastpool.transport, or a pool's name") String name) {
        ConfigurationReport report = find(name);
        StringBuilder out = new StringBuilder(report.pid()).append(report.isRefused() ? ": REFUSED file, running the last good"
                + " configuration\n" : "\n");
        Table table = new Table("KEY", "VALUE", "FROM");
        report.settings().forEach(entry -> table.row(entry.name(), entry.value().isEmpty() ? "\"\"" : entry.value(), entry.origin()));
        out.append(table);
        appendProblems(report, out);
        return out.toString();
    }

    /** Any other number of arguments: the usage instead of Gogo's "Cannot coerce". */
    @Descriptor(Usage.WRONG_CALL)
    public String config(@Descriptor("what was given") String... wrong) {
        throw Usage.wrongCall("fastpool:config [PID|POOL]", wrong);
    }

    /** The lines saying a configuration is refused and why, and its unknown keys; nothing when all is well. */
    static void appendProblems(ConfigurationReport report, StringBuilder out) {
        if (report.isRefused()) {
            out.append("refused: ").append(report.refusedSource()).append(" (fix it; until then the values above run)\n");
            report.refused().forEach(problem -> out.append("  ").append(problem).append('\n'));
        }
        report.warnings().forEach(warning -> out.append("warning: ").append(warning).append('\n'));
    }

    /** The report of a PID, or of a pool by its name; null when there is none. */
    static ConfigurationReport lookUp(List<ConfigurationReports> reporters, String name) {
        if (reporters == null) {
            return null;
        }
        for (ConfigurationReports reporter : reporters) {
            for (ConfigurationReport report : reporter.configurationReports()) {
                if (report.pid().equals(name) || report.pid().equals("io.fastpool.pool~" + name)) {
                    return report;
                }
            }
        }
        return null;
    }

    private ConfigurationReport find(String name) {
        ConfigurationReport report = lookUp(reporters, name);
        if (report == null) {
            throw new IllegalArgumentException("no configuration named " + name + "; known: "
                    + reports().stream().map(ConfigurationReport::pid).toList());
        }
        return report;
    }

    private List<ConfigurationReport> reports() {
        List<ConfigurationReport> all = new ArrayList<>();
        List<ConfigurationReports> current = reporters;
        if (current != null) {
            current.forEach(reporter -> all.addAll(reporter.configurationReports()));
        }
        all.sort(Comparator.comparing(ConfigurationReport::pid));
        return all;
    }
}
