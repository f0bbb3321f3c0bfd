package io.fastpool.status.internal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The status bundle's one {@link CpuSampler}, sampled every {@link #WINDOW_SECONDS} seconds by a
 * thread of its own; the status page and {@code fastpool:advise} both read its last window, so no
 * reader shortens another's.
 */
@Component(service = CpuSampling.class)
public final class CpuSampling {

    /** The window every CPU figure is measured over. */
    static final int WINDOW_SECONDS = 5;

    private final CpuSampler sampler = new CpuSampler();
    private ScheduledExecutorService timer;

    @Activate
    void activate() {
        timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "fastpool-status-cpu");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleAtFixedRate(sampler::sample, WINDOW_SECONDS, WINDOW_SECONDS, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }

    /** The last whole window's figures; unknown during the first window after the start. */
    SystemFigures latest() {
        return sampler.latest();
    }
}
