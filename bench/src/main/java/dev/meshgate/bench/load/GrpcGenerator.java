package dev.meshgate.bench.load;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.meshgate.bench.process.ProcStat;
import dev.meshgate.bench.tools.GrpcBackend;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
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
 *   <li>{@link #run}: open loop at a fixed rate, {@link OpenLoopGenerator}'s method. Call {@code i} is due at
 *       {@code start + i / rate} whatever happened to the others, starts then unless as many calls as the closed
 *       loop keeps are in flight (then it waits for one to end, as an HTTP request waits for a free connection),
 *       and its latency is measured from that due time to the reply's end (status OK);
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
    private final int callsInFlight;

    /**
     * @param authority the {@code :authority} of every call (the host the proxy routes by)
     * @param callsInFlight the calls in flight at saturation, and the most at once at the fixed rate; over
     *     {@link #channelsFor} channels
     */
    public GrpcGenerator(int port, String authority, int callsInFlight) {
        this.callsInFlight = callsInFlight;
        for (int i = 0; i < channelsFor(callsInFlight); i++) {
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
        OpenRun run = new OpenRun(total);
        double cpuBefore = ProcStat.thisJvmCpuSeconds();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        try {
            for (long i = 0; i < total; i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                run.loop.execute(() -> run.due(due));
            }
            run.answered.await(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
            double elapsed = (System.nanoTime() - start) / 1e9;
            return run.result(cpuBefore, elapsed);
        } finally {
            run.close();
        }
    }

    /**
     * One open-loop run. As in {@link OpenLoopGenerator}, one thread owns the queue of due calls, the count in
     * flight and the histogram; calls beyond {@code callsInFlight} wait in the queue (timed from their due time all
     * the same), so that a slow path is not flooded with more concurrent calls than the HTTP paths get connections.
     */
    private final class OpenRun {
        final ExecutorService loop = Executors.newSingleThreadExecutor(task -> new Thread(task, "grpc-open-loop"));
        final ArrayDeque<Long> queue = new ArrayDeque<>();
        final Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
        final Set<ClientCall<byte[], byte[]>> calls = ConcurrentHashMap.newKeySet();
        final CountDownLatch answered;
        final long total;
        int inFlight;
        long completed;
        long started;

        OpenRun(long total) {
            this.total = total;
            this.answered = new CountDownLatch(Math.toIntExact(total));
        }

        void due(long dueNanos) {
            queue.add(dueNanos);
            dispatch();
        }

        void dispatch() {
            while (!queue.isEmpty() && inFlight < callsInFlight) {
                long due = queue.poll();
                inFlight++;
                ManagedChannel channel = channels.get((int) (started++ % channels.size()));
                // Registered before it starts: on a fast path its reply can arrive before start returns.
                ClientCall<byte[], byte[]> call = newCall(channel);
                calls.add(call);
                start(call, ok -> {
                    long latency = Math.min(HIGHEST_NANOS, System.nanoTime() - due);
                    calls.remove(call);
                    loop.execute(() -> ended(ok, latency));
                });
            }
        }

        void ended(boolean ok, long latency) {
            if (ok) {
                histogram.recordValue(latency);
                completed++;
            }
            inFlight--;
            answered.countDown();
            dispatch();
        }

        OpenLoopGenerator.Result result(double cpuBefore, double elapsedSeconds) throws InterruptedException {
            try {
                return loop.submit(() -> new OpenLoopGenerator.Result(histogram.copy(), total, completed,
                        total - completed, ProcStat.thisJvmCpuSeconds() - cpuBefore, completed / elapsedSeconds))
                        .get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }

        /** Drops the calls not started and cancels those unanswered, so that none loads the path afterwards. */
        void close() throws InterruptedException {
            loop.execute(queue::clear);
            loop.shutdown();
            loop.awaitTermination(5, TimeUnit.SECONDS);
            calls.forEach(call -> call.cancel("the run is over", null));
        }
    }

    /** Keeps the calls in flight going (spread over the channels) for {@code duration}. */
    public Saturation saturate(Duration duration) throws InterruptedException {
        int inFlight = callsInFlight;
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
        /** {@link #STARTING} while {@link #next} starts a call; a call ending then marks it for the loop. */
        private final AtomicInteger starting = new AtomicInteger(IDLE);

        Slot(ManagedChannel channel, long end, AtomicLong completed, AtomicLong errors, CountDownLatch done) {
            this.channel = channel;
            this.end = end;
            this.completed = completed;
            this.errors = errors;
            this.done = done;
        }

        /**
         * Starts calls until one is left in flight. A call that ends inside {@code start} (a channel in transient
         * failure fails at once) is followed by a turn of this loop, not by a nested call: recursing would grow
         * the stack by one call per failed call until it overflows.
         */
        void next() {
            while (System.nanoTime() < end) {
                starting.set(STARTING);
                start(newCall(channel), ok -> {
                    (ok ? completed : errors).incrementAndGet();
                    if (!starting.compareAndSet(STARTING, ENDED_WHILE_STARTING)) {
                        next();
                    }
                });
                if (starting.compareAndSet(STARTING, IDLE)) {
                    return;
                }
            }
            done.countDown();
        }
    }

    private static final int IDLE = 0;
    private static final int STARTING = 1;
    private static final int ENDED_WHILE_STARTING = 2;

    /** What to do when a call ends: whether it ended OK with the full reply. */
    private interface Outcome {
        void ended(boolean ok);
    }

    private static ClientCall<byte[], byte[]> newCall(ManagedChannel channel) {
        return channel.newCall(GrpcBackend.GET, CallOptions.DEFAULT);
    }

    private static void start(ClientCall<byte[], byte[]> call, Outcome outcome) {
        ClientCalls.asyncUnaryCall(call, REQUEST,
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
