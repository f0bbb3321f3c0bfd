package io.fastpool.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessCacheTest {

    @TempDir
    Path run;

    @Test
    void eachProcessGetsItsOwnEmptyCacheAndTheCachesOfDeadProcessesGo() throws Exception {
        Path caches = run.resolve("cache");
        Files.createDirectories(caches.resolve("100/bundle1"));
        Files.writeString(caches.resolve("100/bundle1/bundle.info"), "a running server's");
        Files.createDirectories(caches.resolve("200/bundle1"));
        Files.writeString(caches.resolve("300"), "named like the cache of a dead process: removed too");
        Files.createDirectories(caches.resolve("42/old"));

        Path own = ProcessCache.prepare(caches, 42, Set.of(100L, 42L)::contains);

        assertThat(own).isEqualTo(caches.resolve("42")).isEmptyDirectory();
        assertThat(caches.resolve("100/bundle1/bundle.info")).exists();
        assertThat(caches.resolve("200")).doesNotExist();
        assertThat(caches.resolve("300")).doesNotExist();
    }

    @Test
    void removeDeletesTheCacheAndIgnoresOneThatIsGone() throws Exception {
        Path own = ProcessCache.prepare(run.resolve("cache"), 7, pid -> true);
        Files.createDirectories(own.resolve("bundle0/data"));
        Files.writeString(own.resolve("bundle0/data/file"), "x");

        ProcessCache.remove(own);
        ProcessCache.remove(own);

        assertThat(own).doesNotExist();
        assertThat(run.resolve("cache")).isEmptyDirectory();
    }
}
