package io.fastpool.status.internal;

import io.fastpool.config.ConfigurationReport;
import io.fastpool.config.ConfigurationReports;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Gathers the configuration reports of every component, sorted by PID. */
final class ConfigurationReportsOf {

    private ConfigurationReportsOf() {
    }

    /** Every reporter's reports, plus {@code own} when not null. */
    static List<ConfigurationReport> all(List<ConfigurationReports> reporters, ConfigurationReport own) {
        List<ConfigurationReport> all = new ArrayList<>();
        if (reporters != null) {
            reporters.forEach(reporter -> all.addAll(reporter.configurationReports()));
        }
        if (own != null && all.stream().noneMatch(report -> report.pid().equals(own.pid()))) {
            all.add(own);
        }
        all.sort(Comparator.comparing(ConfigurationReport::pid));
        return all;
    }
}
