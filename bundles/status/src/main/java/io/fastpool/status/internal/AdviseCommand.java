package io.fastpool.status.internal;

import io.fastpool.config.ConfigurationReports;
import io.fastpool.listener.ListenerStatus;
import io.fastpool.pool.PoolManager;
import io.fastpool.transport.TransportStatus;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code fastpool:advise}: the tuning advice of the status page ({@link Advisor}), for the Gogo
 * shell, each recommendation followed by the figures behind it.
 */
@Component(service = AdviseCommand.class, property = {"osgi.command.scope=fastpool", "osgi.command.function=advise"})
public final class AdviseCommand {

    /** The CPU figures' one sampler, shared with the other readers of this bundle. */
    @Reference
    CpuSampling cpu;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile PoolManager pools;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile TransportStatus transport;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ListenerStatus listener;

    /** Every component's configuration reports: a refused file is advice too. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile List<ConfigurationReports> configurationReporters = List.of();

    private StatusCollector collector;

    @Activate
    void activate() {
        Instant now = Instant.now();
        collector = new StatusCollector(() -> pools, () -> transport, () -> listener,
                () -> ConfigurationReportsOf.all(configurationReporters, null), new History(2, 1), () -> cpu.latest(),
                Clock.systemUTC(), Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()), now);
    }

    @Descriptor("tuning advice from the pools' and connections' figures, each with the numbers behind it")
    public String advise() {
        return format(collector.collect().advice());
    }

    /** Any arguments: the usage instead of Gogo's "Cannot coerce". */
    @Descriptor("called with arguments: says how to call it")
    public String advise(@Descriptor("what was given") String... wrong) {
        throw new IllegalArgumentException("usage: fastpool:advise (got " + wrong.length + " argument"
                + (wrong.length == 1 ? "" : "s") + ": " + String.join(" ", wrong) + "); help fastpool:advise says more");
    }

    /** The advice as text: one paragraph per recommendation. */
    static String format(List<Advice> advice) {
        if (advice.isEmpty()) {
            return "no advice: every figure is within its limits\n";
        }
        StringBuilder out = new StringBuilder();
        for (Advice item : advice) {
            out.append(item.severity() == Advice.Severity.WARNING ? "WARNING " : "INFO    ").append(item.message()).append('\n');
            StringBuilder figures = new StringBuilder();
            for (Map.Entry<String, Object> figure : item.figures().entrySet()) {
                figures.append(figures.length() == 0 ? "" : ", ").append(figure.getKey()).append(' ').append(figure.getValue());
            }
            out.append("        ").append(figures).append('\n');
        }
        return out.toString();
    }
}
