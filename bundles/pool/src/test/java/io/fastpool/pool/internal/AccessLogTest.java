package io.fastpool.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.pool.PoolSettings;
import io.fastpool.testkit.FakeRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log: its format tokens, and the bounded writer that drops rather than waits. */
class AccessLogTest {

    @TempDir
    Path folder;

    private static AccessLogFormat.Entry entry(String uri, int status) {
        return new AccessLogFormat.Entry(new FakeRequest("GET", uri).variable("HTTP_USER_AGENT", "curl/8"), status, 12_345_678, 2_500_000, 5 * 1024 + 7, "shop",
                "shop/app", Instant.parse("2026-11-22T10:00:00Z").toEpochMilli());
    }

    @Test
    void everyTokenPrintsItsFigure() {
        AccessLogFormat format = AccessLogFormat.compile(
                "%R|%m|%r|%q|%Q|%s|%n|%a|%d|%{micro}d|%{seconds}d|%C|%M|%{kilo}M|%{mega}M|%{yyyy-MM-dd}t|%{HTTP_USER_AGENT}e|%{NOPE}e|100%%");
        assertThat(format.format(entry("/shop/cart?id=7", 200))).isEqualTo(
                "127.0.0.1|GET|/shop/cart?id=7|id=7|?|200|shop|shop/app|12.345|12345|0.012|2.500|5127|5|0|2026-11-22|curl/8|-|100%");
        assertThat(AccessLogFormat.compile("%q%Q").format(entry("/shop", 404))).isEqualTo("-");
    }

    @Test
    void theDefaultFormatReadsLikeACommonLogLine() {
        String line = AccessLogFormat.compile(PoolSettings.DEFAULT_ACCESS_FORMAT).format(entry("/shop?x=1", 503));
        assertThat(line).matches("127\\.0\\.0\\.1 \\[22/Nov/2026:\\d\\d:00:00 [+-]\\d{4}\\] \"GET /shop\\?x=1\" 503 12\\.345 5 2\\.500 shop");
    }

    @Test
    void aBadFormatIsRefusedWithTheReason() {
        assertThatThrownBy(() -> AccessLogFormat.compile("%R %x")).hasMessageContaining("unknown token %x");
        assertThatThrownBy(() -> AccessLogFormat.compile("%R %")).hasMessageContaining("lone '%'");
        assertThatThrownBy(() -> AccessLogFormat.compile("%{HTTP_HOST")).hasMessageContaining("unclosed '%{'");
        assertThatThrownBy(() -> AccessLogFormat.compile("%{hours}d")).hasMessageContaining("milli, micro or seconds");
        assertThatThrownBy(() -> AccessLogFormat.compile("%{x}s")).hasMessageContaining("%s takes no {argument}");
        assertThatThrownBy(() -> AccessLogFormat.compile("%e")).hasMessageContaining("needs a variable name");
        assertThatThrownBy(() -> PoolSettingsParser.apply(PoolSettings.DEFAULTS, java.util.Map.of("accessFormat", "%Z")))
                .hasMessageContaining("unknown token %Z");
    }

    @Test
    void linesAreAppendedToTheirFilesAndTheThreadEndsWhenIdle() throws Exception {
        AccessLogWriter writer = new AccessLogWriter(100, 200);
        AccessLogWriter.Log shop = writer.open(folder.resolve("logs/shop.log"), AccessLogFormat.compile("%n %r %s"));
        AccessLogWriter.Log blog = writer.open(folder.resolve("blog.log"), AccessLogFormat.compile("%r"));
        shop.log(entry("/a", 200));
        blog.log(entry("/b", 200));
        shop.log(entry("/c", 500));
        await(() -> Files.exists(folder.resolve("blog.log")) && lines(folder.resolve("logs/shop.log")).size() == 2);
        assertThat(lines(folder.resolve("logs/shop.log"))).containsExactly("shop /a 200", "shop /c 500");
        assertThat(lines(folder.resolve("blog.log"))).containsExactly("/b");
        await(() -> !writer.writing());
        shop.log(entry("/d", 200));
        await(() -> lines(folder.resolve("logs/shop.log")).size() == 3);
        assertThat(shop.dropped()).isZero();
        writer.close();
    }

    @Test
    void whenTheWriterCannotKeepUpLinesAreDroppedAndCountedNeverWaitedFor() throws Exception {
        // A FIFO nobody reads: the writer thread blocks opening it, as it would on a stuck disk.
        Path stuck = folder.resolve("stuck.log");
        assertThat(new ProcessBuilder("mkfifo", stuck.toString()).start().waitFor()).isZero();
        AccessLogWriter writer = new AccessLogWriter(4, 5_000);
        AccessLogWriter.Log log = writer.open(stuck, AccessLogFormat.compile("%r"));
        for (int i = 0; i < 10_000; i++) {
            log.log(entry("/" + i, 200));
        }
        long dropped = log.dropped();
        assertThat(dropped).as("the queue holds 4, the blocked writer at most 1 more").isBetween(9_995L, 9_996L);

        try (java.io.BufferedReader reader = Files.newBufferedReader(stuck)) {
            for (long i = 0; i < 10_000 - dropped; i++) {
                assertThat(reader.readLine()).as("line " + i).startsWith("/");
            }
        }
        writer.close();
    }

    @Test
    void aFileThatCannotBeWrittenCountsItsLinesAsDropped() throws Exception {
        Path directory = Files.createDirectories(folder.resolve("a-directory.log"));
        AccessLogWriter writer = new AccessLogWriter(100, 5_000);
        AccessLogWriter.Log broken = writer.open(directory, AccessLogFormat.compile("%r"));
        broken.log(entry("/x", 200));
        broken.log(entry("/y", 200));
        await(() -> broken.dropped() == 2);
        writer.close();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        org.awaitility.Awaitility.await().pollInSameThread().atMost(java.time.Duration.ofSeconds(10)).pollDelay(java.time.Duration.ZERO)
                .pollInterval(java.time.Duration.ofMillis(10)).until(condition::getAsBoolean);
    }
}
