package io.fastpool.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.LongPredicate;

/**
 * The Felix cache of one server process: {@code run/cache/<pid>}. During a restart two servers run
 * from one home at once (the next one starts while the last one drains), and a shared cache
 * directory would be cleaned under the running one. Each process removes its own at a clean exit;
 * one left by a process that died (its pid is no longer alive) is removed by the next start.
 */
final class ProcessCache {

    private ProcessCache() {
    }

    /**
     * The cache directory of process {@code pid} under {@code caches}, empty and ready; stale ones
     * beside it are removed first.
     *
     * @param alive whether a process id is alive ({@code ProcessHandle.of(pid).isPresent()}; tests give their own)
     */
    static Path prepare(Path caches, long pid, LongPredicate alive) throws IOException {
        Files.createDirectories(caches);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(caches)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.matches("[0-9]{1,18}") && Long.parseLong(name) != pid && !alive.test(Long.parseLong(name))) {
                    remove(entry);
                }
            }
        }
        Path own = caches.resolve(Long.toString(pid));
        remove(own); // left by an earlier process that had this pid
        return Files.createDirectories(own);
    }

    /** Deletes {@code directory} and everything in it; a file that cannot be deleted is skipped, and said so. */
    static void remove(Path directory) {
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // nothing there
        } catch (IOException e) {
            System.err.println("fastpool: could not remove " + directory + ": " + e.getMessage());
        }
    }
}
