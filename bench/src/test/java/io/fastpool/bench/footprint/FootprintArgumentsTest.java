package io.fastpool.bench.footprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FootprintArgumentsTest {

    private static final Path DIST = Path.of("/d/fastpool");
    private static final Path OUT = Path.of("/o");

    private static FootprintArguments parse(String... args) {
        return FootprintArguments.parse(args, DIST, OUT);
    }

    @Test
    void noArgumentsGiveTheProjectsCountsAndA512MbHeap() {
        FootprintArguments arguments = parse();
        assertThat(arguments.counts()).containsExactly(1, 100, 2000);
        assertThat(arguments.maxHeap()).isEqualTo("512m");
        assertThat(arguments.distribution()).isEqualTo(DIST);
        assertThat(arguments.out()).isEqualTo(OUT);
        assertThat(arguments.idleTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(arguments.keepSamples()).isFalse();
        assertThat(arguments.keepFiles()).isFalse();
        assertThat(arguments.poolHeader()).isEqualTo("idleTimeout=5000ms");
    }

    @Test
    void everyOptionIsRead() {
        FootprintArguments arguments = parse("--counts", "3, 7", "--distribution", "/x.tar.gz", "--out", "/csv", "--xmx", "2g",
                "--java-opts", " -XX:+UseSerialGC ", "--idle-timeout", "500ms", "--timeout", "2m", "--keep-samples", "--keep");
        assertThat(arguments.counts()).containsExactly(3, 7);
        assertThat(arguments.distribution()).isEqualTo(Path.of("/x.tar.gz"));
        assertThat(arguments.out()).isEqualTo(Path.of("/csv"));
        assertThat(arguments.maxHeap()).isEqualTo("2g");
        assertThat(arguments.javaOpts()).isEqualTo("-XX:+UseSerialGC");
        assertThat(arguments.idleTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(arguments.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(arguments.keepSamples()).isTrue();
        assertThat(arguments.keepFiles()).isTrue();
    }

    @Test
    void badArgumentsAreNamedInTheMessage() {
        assertThatThrownBy(() -> parse("--counts", "1,,2")).hasMessageContaining("--counts");
        assertThatThrownBy(() -> parse("--counts", "0")).hasMessageContaining("between 1 and");
        assertThatThrownBy(() -> parse("--counts")).hasMessage("Missing required parameter for option '--counts' (N,N,...)");
        assertThatThrownBy(() -> parse("--xmx", "lots")).hasMessageContaining("--xmx");
        assertThatThrownBy(() -> parse("--idle-timeout", "0")).hasMessageContaining("more than 0");
        assertThatThrownBy(() -> parse("--timeout", "soon")).hasMessageContaining("--timeout");
        assertThatThrownBy(() -> parse("2000")).hasMessage("Unmatched argument at index 0: '2000'");
    }

    @Test
    void helpIsFoundAnywhere() {
        assertThat(FootprintArguments.wantsHelp(new String[] {"--counts", "1", "-h"})).isTrue();
        assertThat(FootprintArguments.wantsHelp(new String[] {"--counts", "1"})).isFalse();
    }
}
