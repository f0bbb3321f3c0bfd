package io.fastpool.status.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuSamplerTest {

    @TempDir
    Path root;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final AtomicLong processCpu = new AtomicLong(0);

    private CpuSampler sampler(int processors) {
        return new CpuSampler(root, processCpu::get, clock::get, processors);
    }

    private void write(String file, String text) throws IOException {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }

    /** /proc/stat's first line: user nice system idle iowait irq softirq steal. */
    private void procStat(long user, long system, long idle, long iowait) throws IOException {
        write("proc/stat", "cpu  " + user + " 0 " + system + " " + idle + " " + iowait + " 0 0 0 0 0\ncpu0 1 2 3 4\n");
    }

    @Test
    void theMachineFigureIsTheBusyShareOfProcStatOverTheWindow() throws IOException {
        write("proc/self/cgroup", "0::/\n");
        procStat(1000, 500, 8000, 500);
        CpuSampler sampler = sampler(2);
        assertThat(sampler.latest().cpuBusy()).as("unknown until a window has closed").isNegative();

        procStat(1000 + 850, 500 + 50, 8000 + 80, 500 + 20); // 900 busy of 1,000 ticks
        clock.addAndGet(5_000_000_000L);
        processCpu.addAndGet(6_000_000_000L); // 6 s of CPU in 5 s on 2 processors: 60%
        SystemFigures figures = sampler.sample();

        assertThat(figures.cpuBusy()).isCloseTo(0.9, within(1e-9));
        assertThat(figures.processCpuLoad()).isCloseTo(0.6, within(1e-9));
        assertThat(figures.window()).isEqualTo(Duration.ofSeconds(5));
        assertThat(figures.cpuBusySource()).isEqualTo("/proc/stat over 5.0 s");
    }

    @Test
    void readersBetweenSamplesAllSeeTheLastWholeWindow() throws IOException {
        procStat(0, 0, 1000, 0);
        CpuSampler sampler = sampler(2);
        procStat(950, 0, 1050, 0); // 95% busy
        clock.addAndGet(5_000_000_000L);
        sampler.sample();

        // The JDK's getCpuLoad() measured since its previous call by anyone: a second reader a moment
        // later saw a window of milliseconds. Here readers only read.
        procStat(950, 0, 1100, 0); // idle since
        clock.addAndGet(1_000_000L);
        assertThat(sampler.latest().cpuBusy()).isCloseTo(0.95, within(1e-9));
        assertThat(sampler.latest().cpuBusy()).isCloseTo(0.95, within(1e-9));
        assertThat(sampler.latest().window()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void underACgroupV2QuotaTheContainersShareReplacesTheMachines() throws IOException {
        write("proc/self/cgroup", "0::/fastpool.service\n");
        write("sys/fs/cgroup/fastpool.service/cpu.max", "50000 100000\n"); // half a CPU
        write("sys/fs/cgroup/fastpool.service/cpu.stat", "usage_usec 1000000\nuser_usec 900000\n");
        procStat(0, 0, 1000, 0);
        CpuSampler sampler = sampler(4);

        write("sys/fs/cgroup/fastpool.service/cpu.stat", "usage_usec 3000000\nuser_usec 2900000\n"); // 2 s of CPU
        procStat(100, 0, 1900, 0); // the machine: 10% busy
        clock.addAndGet(5_000_000_000L);
        SystemFigures figures = sampler.sample();

        assertThat(figures.cpuBusy()).as("2 s of CPU in 5 s on half a CPU: the limit is exhausted").isEqualTo(0.8);
        assertThat(figures.source()).isEqualTo(CpuSampler.Source.CONTAINER);
        assertThat(figures.cpuBusySource()).isEqualTo("the cgroup's CPU quota over 5.0 s");
    }

    @Test
    void underACgroupV1QuotaTheAccountingControllerGivesTheUsage() throws IOException {
        write("proc/self/cgroup", "4:cpuacct:/app\n3:cpu:/app\n0::/\n");
        write("sys/fs/cgroup/cpu/app/cpu.cfs_quota_us", "200000\n"); // two CPUs
        write("sys/fs/cgroup/cpu/app/cpu.cfs_period_us", "100000\n");
        write("sys/fs/cgroup/cpuacct/app/cpuacct.usage", "0\n");
        CpuSampler sampler = sampler(8);

        write("sys/fs/cgroup/cpuacct/app/cpuacct.usage", "5000000000\n"); // 5 s of CPU
        clock.addAndGet(5_000_000_000L);

        assertThat(sampler.sample().cpuBusy()).isCloseTo(0.5, within(1e-9));
        assertThat(sampler.latest().source()).isEqualTo(CpuSampler.Source.CONTAINER);
    }

    @Test
    void aCgroupWithoutAQuotaLeavesTheMachineFigure() throws IOException {
        write("proc/self/cgroup", "0::/\n");
        write("sys/fs/cgroup/cpu.max", "max 100000\n");
        write("sys/fs/cgroup/cpu.stat", "usage_usec 0\n");
        procStat(0, 0, 1000, 0);
        CpuSampler sampler = sampler(2);
        procStat(500, 0, 1500, 0);
        clock.addAndGet(5_000_000_000L);

        assertThat(sampler.sample().source()).isEqualTo(CpuSampler.Source.MACHINE);
        assertThat(sampler.latest().cpuBusy()).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void withoutProcTheFiguresAreUnknownAndSaySo() {
        processCpu.set(-1);
        CpuSampler sampler = sampler(2);
        clock.addAndGet(5_000_000_000L);
        SystemFigures figures = sampler.sample();

        assertThat(figures.cpuBusy()).isNegative();
        assertThat(figures.processCpuLoad()).isNegative();
        assertThat(figures.cpuBusySource()).isEqualTo("unknown");
    }
}
