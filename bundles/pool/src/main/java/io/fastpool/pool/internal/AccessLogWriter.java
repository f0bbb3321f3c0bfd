package io.fastpool.pool.internal;

import java.io.IOException;
import java.io.Writer;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes every pool's access log lines off the request path: a request only offers its line to a
 * bounded queue and goes on; one writer thread appends the lines to their files. When the writer
 * cannot keep up the queue fills and lines are dropped, counted per log, never waited for. The
 * thread starts with the first line and ends after {@link #IDLE_MILLIS} without one.
 */
final class AccessLogWriter {

    private static final System.Logger LOG = System.getLogger(AccessLogWriter.class.getName());
    static final int DEFAULT_CAPACITY = 16_384;
    static final long IDLE_MILLIS = 30_000;

    /** One pool's access log: where its lines go, and how many were dropped. */
    final class Log {
        private final Path file;
        private final AccessLogFormat format;
        private final LongAdder dropped = new LongAdder();

        private Log(Path file, AccessLogFormat format) {
            this.file = file;
            this.format = format;
        }

        /** Formats {@code entry} on the calling thread and queues it; drops it when the queue is full. */
        void log(AccessLogFormat.Entry entry) {
            queue(format(entry));
        }

        /** {@code entry}'s line, made on the calling thread while its request can still be read. */
        String format(AccessLogFormat.Entry entry) {
            return format.format(entry);
        }

        /** Queues a line {@link #format} made; drops it when the queue is full. */
        void queue(String line) {
            if (!offer(new Line(this, line))) {
                dropped.increment();
            }
        }

        long dropped() {
            return dropped.sum();
        }

        Path file() {
            return file;
        }

        AccessLogFormat format() {
            return format;
        }
    }

    private record Line(Log log, String text) {
    }

    /** Wakes the writer at close; written nowhere. */
    private static final Line WAKE = new Line(null, null);

    private final BlockingQueue<Line> queue;
    private final long idleMillis;
    private final Object lock = new Object();
    private Thread writer;
    private volatile boolean closed;

    AccessLogWriter() {
        this(DEFAULT_CAPACITY, IDLE_MILLIS);
    }

    AccessLogWriter(int capacity, long idleMillis) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.idleMillis = idleMillis;
    }

    /** Whether the writer thread is running now. */
    boolean writing() {
        synchronized (lock) {
            return writer != null;
        }
    }

    /** An access log writing {@code format} lines to {@code file}. */
    Log open(Path file, AccessLogFormat format) {
        return new Log(file, format);
    }

    private boolean offer(Line line) {
        if (closed || !queue.offer(line)) {
            return false;
        }
        synchronized (lock) {
            if (writer == null && !closed) {
                writer = new Thread(this::write, "fastpool-access-log");
                writer.setDaemon(true);
                writer.start();
            }
        }
        return true;
    }

    /** Lines queued and not yet written. */
    int pending() {
        return queue.size();
    }

    /** Writes what is queued, then stops the thread; later lines are dropped. */
    void close() throws InterruptedException {
        Thread running;
        synchronized (lock) {
            closed = true;
            running = writer;
        }
        queue.offer(WAKE); // if the queue is full the writer is busy, and sees the close once it is empty
        if (running != null) {
            running.join(5_000);
        }
    }

    private void write() {
        Map<Path, Writer> files = new HashMap<>();
        long nextRotationCheck = System.nanoTime();
        try {
            while (true) {
                Line line = queue.poll(closed ? 0 : idleMillis, TimeUnit.MILLISECONDS);
                if (line == null) {
                    synchronized (lock) {
                        if (queue.isEmpty()) {
                            writer = null;
                            return;
                        }
                    }
                    continue;
                }
                if (line != WAKE) {
                    append(files, line);
                }
                if (queue.isEmpty()) {
                    flush(files);
                    if (System.nanoTime() - nextRotationCheck > 0) {
                        nextRotationCheck = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                        closeMoved(files);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            flush(files);
            for (Writer file : files.values()) {
                try {
                    file.close();
                } catch (IOException e) {
                    // closing after a flush: nothing left to lose
                }
            }
        }
    }

    private static void append(Map<Path, Writer> files, Line line) {
        Path path = line.log().file;
        try {
            Writer out = files.get(path);
            if (out == null) {
                Path parent = path.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                files.put(path, out);
            }
            out.write(line.text());
            out.write('\n');
        } catch (IOException e) {
            line.log().dropped.increment();
            LOG.log(Level.WARNING, () -> "access log " + path + ": " + e.getMessage() + "; the line is dropped");
            Writer broken = files.remove(path);
            if (broken != null) {
                try {
                    broken.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }
    }

    /** A log file moved away (rotated) is closed; the next line opens a new file at the path. */
    private static void closeMoved(Map<Path, Writer> files) {
        files.entrySet().removeIf(file -> {
            if (Files.exists(file.getKey())) {
                return false;
            }
            try {
                file.getValue().close();
            } catch (IOException e) {
                // it was flushed just before
            }
            return true;
        });
    }

    private static void flush(Map<Path, Writer> files) {
        for (Map.Entry<Path, Writer> file : files.entrySet()) {
            try {
                file.getValue().flush();
            } catch (IOException e) {
                LOG.log(Level.WARNING, () -> "access log " + file.getKey() + ": " + e.getMessage());
            }
        }
    }
}
