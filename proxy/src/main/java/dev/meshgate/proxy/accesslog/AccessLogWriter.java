package dev.meshgate.proxy.accesslog;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Counter;

/**
 * Appends access-log lines to one file from a thread of its own. {@link #offer} never blocks: it puts the line in
 * a bounded queue, and when the queue is full (the file is slower than the traffic) the line is dropped and
 * counted, so a slow disk costs log lines, never request latency or memory.
 */
public final class AccessLogWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccessLogWriter.class);

    /** Lines waiting by default: a few seconds of a busy proxy. */
    public static final int DEFAULT_CAPACITY = 8192;

    private final String file;
    private final BlockingQueue<String> queue;
    private final Counter dropped;
    private final Thread thread;
    private volatile boolean closed;

    /** A writer appending to {@code file} ({@code /dev/stdout}, {@code /dev/stderr} or a path). */
    public static AccessLogWriter open(String file, int capacity, Counter dropped) {
        return new AccessLogWriter(file, capacity, dropped, null);
    }

    /** A writer appending to {@code out}, for tests. */
    static AccessLogWriter to(OutputStream out, int capacity, Counter dropped) {
        return new AccessLogWriter("test", capacity, dropped, out);
    }

    private AccessLogWriter(String file, int capacity, Counter dropped, @Nullable OutputStream out) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        this.file = file;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.dropped = dropped;
        this.thread = new Thread(() -> run(out), "meshgate-access-log");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues one line (without its separator); drops and counts it when the queue is full. */
    public void offer(String line) {
        if (closed || !queue.offer(line)) {
            dropped.increment();
        }
    }

    public String file() {
        return file;
    }

    private void run(@Nullable OutputStream given) {
        OutputStream out;
        try {
            out = given != null ? given : switch (file) {
                case "/dev/stdout" -> System.out;
                case "/dev/stderr" -> System.err;
                default -> new FileOutputStream(file, true);
            };
        } catch (IOException e) {
            log.warn("Cannot open access log {}: {}; its lines are dropped", file, e.toString());
            closed = true;
            queue.clear();
            return;
        }
        List<String> batch = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        boolean warned = false;
        while (!closed || !queue.isEmpty()) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                if (closed) {
                    queue.drainTo(batch);
                } else {
                    continue;
                }
            }
            queue.drainTo(batch);
            for (String line : batch) {
                text.append(line).append('\n');
            }
            batch.clear();
            try {
                out.write(text.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                if (!warned) {
                    log.warn("Cannot write access log {}: {}", file, e.toString());
                    warned = true;
                }
            }
            text.setLength(0);
        }
    }

    /** Stops the thread once what is queued is written (lines offered later are dropped). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
