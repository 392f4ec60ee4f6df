package dev.meshgate.controlplane.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DebouncerTest {

    final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    final List<Long> runs = new CopyOnWriteArrayList<>();

    @AfterEach
    void shutdown() {
        executor.shutdownNow();
    }

    @Test
    void signalsWithinTheQuietPeriodRunTheActionOnceAfterTheLast() throws Exception {
        Debouncer debouncer = new Debouncer(Duration.ofMillis(500), Duration.ofSeconds(10), executor,
                () -> runs.add(System.nanoTime()));
        long start = System.nanoTime();
        long lastSignal = 0;
        for (int i = 0; i < 5; i++) {
            debouncer.signal();
            lastSignal = System.nanoTime();
            Thread.sleep(30);
        }
        await().until(() -> runs.size() == 1);
        assertThat(runs.get(0) - lastSignal).isGreaterThanOrEqualTo(Duration.ofMillis(480).toNanos());
        assertThat(runs.get(0) - start).isGreaterThanOrEqualTo(Duration.ofMillis(500).toNanos());
    }

    @Test
    void continuousSignalsRunTheActionAtTheMaximumDelay() throws Exception {
        Debouncer debouncer = new Debouncer(Duration.ofMillis(200), Duration.ofMillis(500), executor,
                () -> runs.add(System.nanoTime()));
        long start = System.nanoTime();
        List<Long> signals = new ArrayList<>();
        while (System.nanoTime() - start < Duration.ofMillis(1800).toNanos()) {
            debouncer.signal();
            signals.add(System.nanoTime());
            Thread.sleep(20);
        }
        // Never 200 ms quiet, yet run about every 500 ms.
        assertThat(runs).hasSizeGreaterThanOrEqualTo(2);
        long first = runs.get(0);
        assertThat(first - start).isLessThan(Duration.ofMillis(1200).toNanos());
        // Earlier than the maximum delay only if this thread really was quiet for 200 ms before it (a loaded
        // machine can hold a 20 ms sleep for longer: a run at 298 ms was right then).
        long lastSignalBefore = signals.stream().filter(t -> t < first).max(Long::compare).orElse(start);
        assertThat(first - start >= Duration.ofMillis(450).toNanos()
                || first - lastSignalBefore >= Duration.ofMillis(190).toNanos())
                .as("first run %d ms after the start, %d ms after the signal before it",
                        (first - start) / 1_000_000, (first - lastSignalBefore) / 1_000_000)
                .isTrue();
    }

    @Test
    void cancelDropsAPendingRun() throws Exception {
        Debouncer debouncer = new Debouncer(Duration.ofMillis(100), Duration.ofMillis(100), executor,
                () -> runs.add(System.nanoTime()));
        debouncer.signal();
        debouncer.cancel();
        debouncer.signal();
        await().until(() -> runs.size() == 1);
        // Nothing else is pending: a second run would show up within the 100 ms delay.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> runs.size() == 1);
    }

    @Test
    void aDebouncerOnItsOwnThreadRunsThereAndCloseEndsTheThread() {
        List<String> threads = new CopyOnWriteArrayList<>();
        Debouncer debouncer = Debouncer.onOwnThread("debouncer-test-reload", Duration.ofMillis(20),
                Duration.ofMillis(20), () -> threads.add(Thread.currentThread().getName()), waited -> { });
        debouncer.signal();
        await().until(() -> threads.size() == 1);
        assertThat(threads).containsExactly("debouncer-test-reload");
        assertThat(Thread.getAllStackTraces().keySet()).anyMatch(t -> t.getName().equals("debouncer-test-reload"));
        debouncer.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("debouncer-test-reload") && t.isAlive()));
    }
}
