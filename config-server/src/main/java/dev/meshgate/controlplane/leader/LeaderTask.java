package dev.meshgate.controlplane.leader;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Work that only the leading replica does (writing status, publishing the root certificate), on a thread of its
 * own, one run at a time: requests made while a run is pending are coalesced into it. What the work remembers of
 * its earlier writes is forgotten whenever leadership changes hands, since another replica may have written
 * meanwhile; a replica that starts leading runs at once.
 */
public final class LeaderTask implements AutoCloseable {

    private final BooleanSupplier leader;
    private final Runnable run;
    private final Runnable forget;
    private final AtomicBoolean pending = new AtomicBoolean();
    /** Leadership changed since the last run: the next run forgets first (and only then). */
    private final AtomicBoolean forgetPending = new AtomicBoolean();
    private final ExecutorService thread;
    private volatile boolean closed;

    /**
     * @param threadName the name of the task's thread
     * @param leader whether this replica leads now
     * @param run one run of the work (on the task's thread)
     * @param forget drops what the work remembers of its writes (on the task's thread)
     */
    public LeaderTask(String threadName, BooleanSupplier leader, Runnable run, Runnable forget) {
        this.leader = leader;
        this.run = run;
        this.forget = forget;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Asks for a run on the task's thread; returns at once. */
    public void runSoon() {
        if (!closed && pending.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    pending.set(false);
                    if (forgetPending.getAndSet(false)) {
                        forget.run();
                    }
                    if (active()) {
                        run.run();
                    }
                });
            } catch (RejectedExecutionException e) {
                pending.set(false); // closing
            }
        }
    }

    /** This replica started ({@code true}) or stopped leading. */
    public void leadershipChanged(boolean leading) {
        if (closed) {
            return;
        }
        // Forgotten by the next run, before it writes: a forget queued on its own could land after a run that
        // already wrote for this term, and make the following run write the same again.
        forgetPending.set(true);
        if (leading) {
            runSoon();
        }
    }

    /** Whether the work may write now: not closed, and this replica leads (checked again between writes). */
    public boolean active() {
        return !closed && leader.getAsBoolean();
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
