package dev.meshgate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.meshgate.bench.process.FreePorts;
import dev.meshgate.bench.tools.GrpcBackend;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/** The gRPC generator against real grpc-java servers on loopback. */
class GrpcGeneratorTest {

    private Server server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdownNow();
        }
    }

    /**
     * A server that blocks its transport thread once for 600 ms (the one connection's every call waits): calls keep
     * being started at the fixed rate, and every one due during the stall is late, not only the one that hit it.
     */
    @Test
    void aStallShowsInEveryCallScheduledDuringIt() throws Exception {
        AtomicBoolean stalled = new AtomicBoolean();
        AtomicLong stallAfter = new AtomicLong(Long.MAX_VALUE);
        byte[] reply = new byte[GrpcBackend.replyBytes()];
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
                .addService(ServerServiceDefinition.builder(GrpcBackend.SERVICE)
                        .addMethod(GrpcBackend.GET, ServerCalls.asyncUnaryCall((byte[] request,
                                StreamObserver<byte[]> out) -> {
                            if (System.nanoTime() > stallAfter.get() && stalled.compareAndSet(false, true)) {
                                sleep(600);
                            }
                            out.onNext(reply);
                            out.onCompleted();
                        }))
                        .build())
                .build().start();

        try (GrpcGenerator generator = new GrpcGenerator(server.getPort(), "backend", 8)) {
            generator.run(100, Duration.ofSeconds(2)); // warm-up: connection, class loading, JIT; no stall
            stallAfter.set(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500));
            OpenLoopGenerator.Result result = generator.run(100, Duration.ofSeconds(3));

            assertThat(stalled).isTrue();
            assertThat(result.due()).isEqualTo(300);
            assertThat(result.completed()).isEqualTo(300);
            assertThat(result.errors()).isZero();
            long late = result.histogram().getCountBetweenValues(TimeUnit.MILLISECONDS.toNanos(300),
                    Long.MAX_VALUE / 2);
            assertThat(late).isGreaterThanOrEqualTo(20);
        }
    }

    /**
     * A backend on loopback answering at once: every call of 1,000 per second completes (its reply can arrive
     * before the generator's start of it returns; the bookkeeping must not lose it, or the calls in flight stay
     * taken and the rest wait unanswered).
     */
    @Test
    void everyCallToAFastBackendIsAnsweredAtTheRate() throws Exception {
        server = GrpcBackend.serve(0);
        try (GrpcGenerator generator = new GrpcGenerator(server.getPort(), "backend", 32)) {
            for (int run = 0; run < 2; run++) {
                OpenLoopGenerator.Result result = generator.run(1000, Duration.ofSeconds(3));
                assertThat(result.completed()).as("run %d", run).isEqualTo(3000);
                assertThat(result.errors()).as("run %d", run).isZero();
            }
        }
    }

    /** A path slower than the rate gets at most the calls in flight at once; the others wait, timed all the same. */
    @Test
    void atTheFixedRateNoMoreCallsAreInFlightThanGiven() throws Exception {
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        byte[] reply = new byte[GrpcBackend.replyBytes()];
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerServiceDefinition.builder(GrpcBackend.SERVICE)
                        .addMethod(GrpcBackend.GET, ServerCalls.asyncUnaryCall((byte[] request,
                                StreamObserver<byte[]> out) -> {
                            most.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                            timer.schedule(() -> {
                                concurrent.decrementAndGet();
                                out.onNext(reply);
                                out.onCompleted();
                            }, 20, TimeUnit.MILLISECONDS);
                        }))
                        .build())
                .build().start();
        try (GrpcGenerator generator = new GrpcGenerator(server.getPort(), "backend", 4)) {
            OpenLoopGenerator.Result result = generator.run(300, Duration.ofSeconds(1));

            assertThat(result.completed()).isEqualTo(300);
            assertThat(most.get()).isEqualTo(4);
            // 300 calls, 4 at a time for 20 ms each, take 1.5 s: the last ones waited about 0.5 s past their due time.
            assertThat(result.histogram().getMaxValue()).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(200));
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void theClosedLoopKeepsItsCallsInFlightAndCountsThem() throws Exception {
        server = GrpcBackend.serve(0);
        try (GrpcGenerator generator = new GrpcGenerator(server.getPort(), "backend", 16)) {
            Saturation saturation = generator.saturate(Duration.ofSeconds(2));

            assertThat(saturation.requests()).isPositive();
            assertThat(saturation.errors()).isZero();
            assertThat(saturation.requestsPerSecond()).isPositive();
            assertThat(saturation.cpuSeconds()).isPositive();
        }
    }

    @Test
    void callsToNothingListeningAreErrors() throws Exception {
        try (GrpcGenerator generator = new GrpcGenerator(FreePorts.next(), "backend", 2)) {
            OpenLoopGenerator.Result open = generator.run(20, Duration.ofSeconds(1));
            assertThat(open.completed()).isZero();
            assertThat(open.errors()).isEqualTo(20);

            Saturation closed = generator.saturate(Duration.ofSeconds(1));
            assertThat(closed.requests()).isZero();
            assertThat(closed.errors()).isPositive();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
