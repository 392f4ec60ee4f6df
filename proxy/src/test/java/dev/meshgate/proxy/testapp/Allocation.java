package dev.meshgate.proxy.testapp;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/** Bytes the calling thread allocates per run of pieces of code, for tests that pin a per-request cost. */
public final class Allocation {

    private static final int RUNS = 20_000;
    private static final int MIN_ROUNDS = 5;
    private static final int MAX_ROUNDS = 20;
    /** A round that lowers a figure by less than one object's alignment does not call for another. */
    private static final long SETTLED = 8;

    private Allocation() {
    }

    /**
     * The bytes one run of each of {@code runs} allocates on this thread, measured in turn so that all are measured
     * with the same compiled code: 20,000 runs of each, alternating, to let the JIT settle, then rounds of 20,000
     * runs of each in turn; for each, the least of its rounds. In turn, because the JIT's state moves while a suite
     * runs, later on a loaded machine: measured one after the other, one chain came out at 528 bytes a run and the
     * same chain with more filters, measured after a compile had landed, at 304. The least, because what disturbs a
     * round (a method compiled or deoptimized in it, a class loaded) only ever adds bytes. At least five rounds, and
     * more (up to twenty) while a round still lowers a figure, as a compile that lands in it does.
     */
    public static long[] bytesPerRun(Runnable... runs) {
        for (int i = 0; i < RUNS; i++) {
            for (Runnable run : runs) {
                run.run();
            }
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long[] least = new long[runs.length];
        Arrays.fill(least, Long.MAX_VALUE);
        boolean lowered = true;
        for (int round = 0; round < MAX_ROUNDS && (round < MIN_ROUNDS || lowered); round++) {
            lowered = false;
            for (int k = 0; k < runs.length; k++) {
                long before = threads.getThreadAllocatedBytes(thread);
                for (int i = 0; i < RUNS; i++) {
                    runs[k].run();
                }
                long bytes = (threads.getThreadAllocatedBytes(thread) - before) / RUNS;
                lowered |= bytes <= least[k] - SETTLED;
                least[k] = Math.min(least[k], bytes);
            }
        }
        return least;
    }
}
