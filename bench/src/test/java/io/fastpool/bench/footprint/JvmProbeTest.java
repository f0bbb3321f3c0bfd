package io.fastpool.bench.footprint;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JvmProbeTest {

    @Test
    void heapInfoOfG1GivesTheHeapAndMetaspaceUsed() {
        long[] used = JvmProbe.parseHeapInfo("""
                32142:
                 garbage-first heap   total 65536K, used 9810K [0x00000000fc000000, 0x0000000100000000)
                  region size 1024K, 7 young (7168K), 1 survivors (1024K)
                 Metaspace       used 9334K, committed 9536K, reserved 1114112K
                  class space    used 1124K, committed 1216K, reserved 1048576K
                """);
        assertThat(used).containsExactly(9810, 9334);
    }

    @Test
    void heapInfoOfAGenerationalCollectorSumsItsGenerations() {
        long[] used = JvmProbe.parseHeapInfo("""
                 def new generation   total 9792K, used 1024K [0x0, 0x0, 0x0)
                  eden space 8704K,  11% used [0x0, 0x0, 0x0)
                 tenured generation   total 21888K, used 5000K [0x0, 0x0, 0x0)
                 Metaspace       used 800K, committed 1000K, reserved 1056768K
                """);
        assertThat(used).containsExactly(6024, 800);
    }

    @Test
    void poolWorkersAreThreadsNamedAfterTheirPoolButNotTheManagersOwn() {
        JvmProbe.Threads threads = JvmProbe.parseThreads("""
                "main" #1 prio=5 os_prio=0 cpu=439.17ms elapsed=4.59s tid=0x1 nid=0x7d90 waiting on condition
                "fastpool-pool-fastpool.footprint.app1-1" #40 daemon prio=5 os_prio=0 tid=0x2 nid=0x2 waiting on condition
                "fastpool-pool-manager-1" #41 daemon prio=5 os_prio=0 tid=0x3 nid=0x3 waiting on condition
                "fastpool-pool-watchdog" #42 daemon prio=5 os_prio=0 tid=0x4 nid=0x4 waiting on condition
                   java.lang.Thread.State: TIMED_WAITING (parking)
                "GC Thread#0" os_prio=0 cpu=7.32ms elapsed=4.59s tid=0x5 nid=0x7d91 runnable
                """);
        assertThat(threads.total()).isEqualTo(4);
        assertThat(threads.workerNames()).containsExactly("fastpool-pool-fastpool.footprint.app1-1");
    }

    @Test
    void statusFieldsAreReadAsNumbers() {
        String status = "Name:\tjava\nVmRSS:\t   75440 kB\nThreads:\t23\n";
        assertThat(JvmProbe.statusField(status, "VmRSS")).isEqualTo(75440);
        assertThat(JvmProbe.statusField(status, "Threads")).isEqualTo(23);
    }
}
