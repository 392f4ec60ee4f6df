package dev.meshgate.proxy.testapp;

import java.lang.management.ManagementFactory;

/** Bytes the calling thread allocates per run of a piece of code, for tests that pin a per-request cost. */
public final class Allocation {

    private Allocation() {
    }

    /** The bytes one run of {@code run} allocates on this thread, after 20,000 runs to let the JIT settle. */
    public static long bytesPerRun(Runnable run) {
        for (int i = 0; i < 20_000; i++) {
            run.run();
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int n = 50_000;
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < n; i++) {
            run.run();
        }
        return (threads.getThreadAllocatedBytes(thread) - before) / n;
    }
}
