package dev.meshgate.controlplane.source;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces bursts of change signals into one action, as istiod debounces pushes: the action runs once the
 * signals have been quiet for {@code after}, but no later than {@code max} after the first signal of the
 * burst, so that a never-quiet stream of changes still gets pushed. The action runs on the given executor;
 * signals that arrive while it runs start a new burst.
 */
public final class Debouncer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Debouncer.class);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final long afterNanos;
    private final long maxNanos;
    private final ScheduledExecutorService executor;
    private final Runnable action;
    private final LongConsumer onDebounced;
    private final boolean ownsExecutor;

    private long burstStart;
    private long lastSignal;
    private int signals;
    private @Nullable ScheduledFuture<?> pending;

    public Debouncer(Duration after, Duration max, ScheduledExecutorService executor, Runnable action) {
        this(after, max, executor, action, nanos -> { });
    }

    /**
     * @param onDebounced told, before each run of the action, how long its burst waited since its first signal
     *     (istiod's {@code pilot_debounce_time})
     */
    public Debouncer(Duration after, Duration max, ScheduledExecutorService executor, Runnable action,
            LongConsumer onDebounced) {
        this(after, max, executor, action, onDebounced, false);
    }

    private Debouncer(Duration after, Duration max, ScheduledExecutorService executor, Runnable action,
            LongConsumer onDebounced, boolean ownsExecutor) {
        this.ownsExecutor = ownsExecutor;
        this.onDebounced = onDebounced;
        this.afterNanos = after.toNanos();
        this.maxNanos = Math.max(max.toNanos(), afterNanos);
        this.executor = executor;
        this.action = action;
    }

    /**
     * A debouncer that runs its action on a daemon thread of its own, named {@code thread}; {@link #close()}
     * stops it. The config sources reload this way, one thread each.
     */
    public static Debouncer onOwnThread(String thread, Duration after, Duration max, Runnable action,
            LongConsumer onDebounced) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, thread);
            t.setDaemon(true);
            return t;
        });
        return new Debouncer(after, max, executor, action, onDebounced, true);
    }

    /** Notes a change: the action will run after the quiet period, or at the burst's maximum delay. */
    public synchronized void signal() {
        long now = System.nanoTime();
        if (signals == 0) {
            burstStart = now;
        }
        signals++;
        lastSignal = now;
        if (pending == null) {
            pending = executor.schedule(this::check, afterNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Drops a pending run. */
    public synchronized void cancel() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
        signals = 0;
    }

    /** Drops a pending run and, for {@link #onOwnThread}, stops the thread (a running action may finish, 5 s). */
    @Override
    public void close() {
        cancel();
        if (!ownsExecutor) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void check() {
        int coalesced;
        long waited;
        synchronized (this) {
            if (pending == null) {
                return;
            }
            long now = System.nanoTime();
            long quietUntil = lastSignal + afterNanos;
            long deadline = burstStart + maxNanos;
            if (now - quietUntil < 0 && now - deadline < 0) {
                pending = executor.schedule(this::check, Math.min(quietUntil, deadline) - now, TimeUnit.NANOSECONDS);
                return;
            }
            coalesced = signals;
            waited = now - burstStart;
            signals = 0;
            pending = null;
        }
        long start = System.nanoTime();
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        try {
            onDebounced.accept(waited);
            action.run();
        } catch (RuntimeException e) {
            log.error("config reload failed", e);
        }
        // The reload's share of a change's way to the proxies (reading the source, rebuilding, publishing).
        log.info("reloaded after {} change(s) debounced {} ms, in {} ms (cpu {} ms)", coalesced,
                TimeUnit.NANOSECONDS.toMillis(waited), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                TimeUnit.NANOSECONDS.toMillis(THREADS.getCurrentThreadCpuTime() - cpuStart));
    }
}
