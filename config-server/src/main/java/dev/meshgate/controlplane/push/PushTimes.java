package dev.meshgate.controlplane.push;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;

/**
 * Where the push thread's time for one snapshot goes, by phase (translate, check, diff and encode, queue the
 * frames, record each proxy's state), then the ACKs it waits for; the push thread's CPU time beside the wall time,
 * since on a loaded machine only CPU time compares between runs. Logged by {@link DiscoveryServer}. Push thread
 * only.
 */
final class PushTimes {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    final String snapshot;
    /** {@link System#nanoTime()} of the snapshot's publication. */
    final long publishedAt;
    private final long loopCpu = cpu();
    private long translate;
    private long check;
    private long encode;
    private long send;
    private long record;
    private long loopCpuDone;
    int pushed;
    private int acks;
    private long ackNanos;

    PushTimes(String snapshot, long publishedAt) {
        this.snapshot = snapshot;
        this.publishedAt = publishedAt;
    }

    void translated(long start) {
        translate += System.nanoTime() - start;
    }

    void checked(long start) {
        check += System.nanoTime() - start;
    }

    void encoded(long start, long sendStart, long sent) {
        encode += sendStart - start;
        send += sent - sendStart;
    }

    void recorded(long start) {
        record += System.nanoTime() - start;
    }

    /** The loop is over: {@code count} proxies were sent a frame. */
    void pushed(int count) {
        pushed = count;
        loopCpuDone = cpu() - loopCpu;
    }

    /**
     * A proxy ACKed ({@code before} → {@code after}), handled from {@code start}: true once every proxy pushed in
     * this loop has ACKed the view it was sent.
     */
    boolean acked(ProxyState before, ProxyState after, long start) {
        ackNanos += System.nanoTime() - start;
        if (snapshot.equals(after.snapshotVersion()) && after.status() == ProxyState.Status.SYNCED
                && before.status() != ProxyState.Status.SYNCED) {
            acks++;
        }
        return acks >= pushed;
    }

    /** The loop's phases, wall ms each, and its CPU. */
    String loop() {
        return "translate " + ms(translate) + " ms, check " + ms(check) + " ms, diff/encode " + ms(encode)
                + " ms, queue " + ms(send) + " ms, record " + ms(record) + " ms, push thread cpu " + ms(loopCpuDone)
                + " ms";
    }

    @Override
    public String toString() {
        return loop() + "; " + acks + " acks handled in " + ms(ackNanos) + " ms";
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }
}
