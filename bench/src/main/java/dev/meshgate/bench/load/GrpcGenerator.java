package dev.meshgate.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.meshgate.bench.process.ProcStat;
import dev.meshgate.bench.tools.GrpcBackend;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import org.HdrHistogram.Histogram;

/**
 * Load for the gRPC scenarios with grpc-java's own client: unary {@link GrpcBackend#GET} calls over a few channels
 * (one HTTP/2 connection each, calls multiplexed on it, as gRPC clients run), addressed to a host by its authority.
 *
 * <ul>
 *   <li>{@link #run}: open loop at a fixed rate, {@link OpenLoopGenerator}'s method. Call {@code i} starts at
 *       {@code start + i / rate} whatever happened to the others (a call never waits for a free connection: HTTP/2
 *       multiplexes), and its latency is measured from that due time to the reply's end (status OK);
 *   <li>{@link #saturate}: closed loop, a fixed number of calls in flight, each slot starting its next call when
 *       the previous one ends: the saturation throughput.
 * </ul>
 * Replies are delivered on the transport's threads ({@code directExecutor}): the generator does no work of its own
 * per call beyond recording it.
 */
public final class GrpcGenerator implements AutoCloseable {

    /** The longest latency the histogram records; anything slower is clamped to it. */
    private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);
    /**
     * How long to wait for the calls still outstanding after the last one is due or the run's time is up. Longer than
     * the HTTP generator's: its calls are not held back by a connection count, so a cold path (the smoke run's
     * sidecars, seconds after their start) may still be working through a backlog of them.
     */
    private static final Duration DRAIN = Duration.ofSeconds(10);
    private static final byte[] REQUEST = "bench".getBytes();
    /** Calls in flight per channel at saturation: 32 calls over 4 connections, 4 over 1 in the smoke run. */
    private static final int CALLS_PER_CHANNEL = 8;

    private final List<ManagedChannel> channels = new ArrayList<>();

    /** @param authority the {@code :authority} of every call (the host the proxy routes by) */
    public GrpcGenerator(int port, String authority, int channels) {
        for (int i = 0; i < channels; i++) {
            this.channels.add(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                    .overrideAuthority(authority).directExecutor().build());
        }
    }

    /** How many channels (connections) carry {@code callsInFlight} calls at saturation: a few, as gRPC clients open. */
    public static int channelsFor(int callsInFlight) {
        return Math.max(1, callsInFlight / CALLS_PER_CHANNEL);
    }

    /** Starts {@code rate} calls per second for {@code duration}, each timed from when it was due. */
    public OpenLoopGenerator.Result run(int rate, Duration duration) throws InterruptedException {
        long total = rate * duration.toSeconds();
        Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
        AtomicLong completed = new AtomicLong();
        CountDownLatch answered = new CountDownLatch(Math.toIntExact(total));
        double cpuBefore = ProcStat.thisJvmCpuSeconds();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            call(channels.get((int) (i % channels.size())), ok -> {
                if (ok) {
                    long latency = Math.min(HIGHEST_NANOS, System.nanoTime() - due);
                    synchronized (histogram) {
                        histogram.recordValue(latency);
                    }
                    completed.incrementAndGet();
                }
                answered.countDown();
            });
        }
        answered.await(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        long done = completed.get();
        Histogram copy;
        synchronized (histogram) {
            copy = histogram.copy();
        }
        // Failed calls and calls still unanswered both count as errors.
        return new OpenLoopGenerator.Result(copy, total, done, total - done, ProcStat.thisJvmCpuSeconds() - cpuBefore,
                done / elapsed);
    }

    /** Keeps {@code inFlight} calls going (spread over the channels) for {@code duration}. */
    public Saturation saturate(int inFlight, Duration duration) throws InterruptedException {
        AtomicLong completed = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        CountDownLatch slotsDone = new CountDownLatch(inFlight);
        double cpuBefore = ProcStat.thisJvmCpuSeconds();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        for (int slot = 0; slot < inFlight; slot++) {
            new Slot(channels.get(slot % channels.size()), end, completed, errors, slotsDone).next();
        }
        slotsDone.await(duration.plus(DRAIN).toMillis(), TimeUnit.MILLISECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        long unfinished = slotsDone.getCount();
        return new Saturation(completed.get() / elapsed, completed.get(), errors.get() + unfinished,
                ProcStat.thisJvmCpuSeconds() - cpuBefore);
    }

    /** One call slot of the closed loop: its next call starts when the previous one ends, until the end time. */
    private final class Slot {
        private final ManagedChannel channel;
        private final long end;
        private final AtomicLong completed;
        private final AtomicLong errors;
        private final CountDownLatch done;

        Slot(ManagedChannel channel, long end, AtomicLong completed, AtomicLong errors, CountDownLatch done) {
            this.channel = channel;
            this.end = end;
            this.completed = completed;
            this.errors = errors;
            this.done = done;
        }

        void next() {
            if (System.nanoTime() >= end) {
                done.countDown();
                return;
            }
            call(channel, ok -> {
                (ok ? completed : errors).incrementAndGet();
                next();
            });
        }
    }

    /** What to do when a call ends: whether it ended OK with the full reply. */
    private interface Outcome {
        void ended(boolean ok);
    }

    private static void call(ManagedChannel channel, Outcome outcome) {
        ClientCalls.asyncUnaryCall(channel.newCall(GrpcBackend.GET, CallOptions.DEFAULT), REQUEST,
                new StreamObserver<byte[]>() {
                    private boolean full;

                    @Override
                    public void onNext(byte[] reply) {
                        full = reply.length == GrpcBackend.replyBytes();
                    }

                    @Override
                    public void onError(Throwable failure) {
                        outcome.ended(false);
                    }

                    @Override
                    public void onCompleted() {
                        outcome.ended(full);
                    }
                });
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow();
        }
        for (ManagedChannel channel : channels) {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
