package dev.meshgate.proxy.testapp;

import java.lang.management.ManagementFactory;

/** Bytes the calling thread allocates per run of a piece of code, for tests that pin a per-request cost. */
public final class Allocation {

    private Allocation() {
    }

    /**
     * The bytes one run of {@code run} allocates on this thread: the least of five rounds of 20,000 runs, after
     * 20,000 runs to let the JIT settle. The least, because what disturbs a round (a method compiled or
     * deoptimized in it, a class loaded) only ever adds bytes; one round's mean moved a figure by a byte or two.
     */
    public static long bytesPerRun(Runnable run) {
        for (int i = 0; i < 20_000; i++) {
            run.run();
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int n = 20_000;
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < n; i++) {
                run.run();
            }
            least = Math.min(least, (threads.getThreadAllocatedBytes(thread) - before) / n);
        }
        return least;
    }
}
