package io.fastpool.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareChartTest {

    private static final String RESULTS = """
            # bench/compare results, 2026-11-30T13:00:00Z
            # machine: 2 cores, Linux
            # software: Java 17, nginx 1.22
            # settings: not shown
            # note: nginx's own return 200 is the ceiling, not a peer.
            scenario,scenario_label,peer,peer_label,connections,requests_per_s,p50_ms,p99_ms,errors,note
            unix-8,"unix socket, 8 conns",fastpool,Fastpool,8,61234.5,0.11,0.42,0,
            unix-8,"unix socket, 8 conns",php,"PHP-FPM ""static""\",5,20111.9,0.24,-,0,fewer

            nginx-64,"nginx + wrk, 64 conns",jetty,Jetty 12,64,30001.0,2.0,12.5,3,
            """;

    @TempDir
    Path folder;

    @Test
    void readsQuotedFieldsCommentsAndMissingValues() throws Exception {
        CompareChart.Results results = CompareChart.read(write(RESULTS));

        assertThat(results.rows()).containsExactly(
                new CompareChart.Row("unix socket, 8 conns", "fastpool", "Fastpool", 8, 61234.5, 0.42, 0),
                new CompareChart.Row("unix socket, 8 conns", "php", "PHP-FPM \"static\"", 5, 20111.9, Double.NaN, 0),
                new CompareChart.Row("nginx + wrk, 64 conns", "jetty", "Jetty 12", 64, 30001.0, 12.5, 3));
        assertThat(results.machine()).containsExactly("2 cores, Linux", "Java 17, nginx 1.22");
        assertThat(results.notes()).containsExactly("nginx's own return 200 is the ceiling, not a peer.");
    }

    @Test
    void aHeaderWithoutARequiredColumnIsNamed() throws Exception {
        Path csv = write("scenario_label,peer,peer_label,connections,requests_per_s,errors\nx,y,z,1,2,0\n");

        assertThatThrownBy(() -> CompareChart.read(csv)).hasMessage("the header line has no column 'p99_ms'");
    }

    @Test
    void fewerConnectionsAndErrorsAreListedUnderTheChart() throws Exception {
        CompareChart.Results results = CompareChart.read(write(RESULTS));

        assertThat(CompareChart.marks(results.rows(), Map.of("fastpool", "Fastpool", "php", "PHP-FPM", "jetty", "Jetty 12")))
                .containsExactly("PHP-FPM ran 5 connections in unix socket, 8 conns.", "Jetty 12 had 3 errors in nginx + wrk, 64 conns.");
    }

    @Test
    void drawsBothPanelsWithAMissingLatency() throws Exception {
        BufferedImage image = CompareChart.draw(CompareChart.read(write(RESULTS)));

        assertThat(image.getWidth()).isEqualTo(1400);
        assertThat(image.getHeight()).isGreaterThan(2 * 420);
    }

    private Path write(String text) throws Exception {
        return Files.writeString(folder.resolve("results.csv"), text);
    }
}
