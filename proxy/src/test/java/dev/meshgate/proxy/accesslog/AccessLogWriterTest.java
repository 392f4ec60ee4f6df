package dev.meshgate.proxy.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class AccessLogWriterTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Counter dropped = Counter.builder("meshgate.access.log.dropped").register(registry);

    @Test
    void aFullQueueDropsAndCountsLinesInsteadOfBlocking() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        OutputStream stuck = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                written.write(b, off, len);
            }
        };
        try (AccessLogWriter writer = AccessLogWriter.to(stuck, 4, dropped)) {
            writer.offer("first");
            // The writer thread holds "first" in a write that does not return: the queue fills behind it.
            assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                writer.offer("line-" + i);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(dropped.count()).isEqualTo(6);
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> written.toString(StandardCharsets.UTF_8)
                    .equals("first\nline-0\nline-1\nline-2\nline-3\n"));
        }
        assertThat(registry.get("meshgate.access.log.dropped").counter().count()).isEqualTo(6);
    }

    @Test
    void linesAreAppendedToAFileInOrder(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path file = dir.resolve("a.log");
        try (AccessLogWriter writer = AccessLogWriter.open(file.toString(), 16, dropped)) {
            for (int i = 0; i < 100; i++) {
                writer.offer("l" + i);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files.exists(file)
                    && java.nio.file.Files.readAllLines(file).size() + (long) dropped.count() == 100);
            assertThat(java.nio.file.Files.readAllLines(file)).isNotEmpty().allMatch(l -> l.matches("l\\d+"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
