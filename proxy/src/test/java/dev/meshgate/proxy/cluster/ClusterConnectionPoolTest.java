package dev.meshgate.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import reactor.core.Disposable;
import reactor.core.publisher.SignalType;

import dev.meshgate.core.view.ConnectionPoolSpec;

class ClusterConnectionPoolTest {

    private ClusterConnectionPool pool;

    @AfterEach
    void dispose() {
        if (pool != null) {
            pool.dispose();
        }
    }

    private static ConnectionPoolSpec spec(int maxConnections, int maxPending, int maxRequests, int maxRetries) {
        return new ConnectionPoolSpec(maxConnections, 10_000, maxPending, maxRequests, 0, maxRetries, 3_600_000);
    }

    /** Subscribes to one admission and records how it ended ("admitted", or the error). */
    private AtomicReference<Object> admit() {
        AtomicReference<Object> outcome = new AtomicReference<>();
        pool.admit().subscribe(null, outcome::set, () -> outcome.set("admitted"));
        return outcome;
    }

    @Test
    void oneConnectionAndOnePendingRequestLetTheThirdOverflowAtOnce() {
        pool = new ClusterConnectionPool("c", spec(1, 1, Integer.MAX_VALUE, Integer.MAX_VALUE));
        AtomicReference<Object> first = admit();
        AtomicReference<Object> second = admit();
        AtomicReference<Object> third = admit();

        assertThat(first.get()).isEqualTo("admitted");
        assertThat(second.get()).as("waits for the connection").isNull();
        assertThat(third.get()).isInstanceOf(ClusterConnectionPool.Overflow.class);
        assertThat(pool.active()).isEqualTo(1);
        assertThat(pool.pending()).isEqualTo(1);

        pool.release();
        assertThat(second.get()).isEqualTo("admitted");
        assertThat(pool.active()).isEqualTo(1);
        pool.release();
        assertThat(pool.active()).isZero();
    }

    @Test
    void http2MaxRequestsOverflowsWithoutWaiting() {
        pool = new ClusterConnectionPool("c", spec(Integer.MAX_VALUE, Integer.MAX_VALUE, 2, Integer.MAX_VALUE));
        assertThat(admit().get()).isEqualTo("admitted");
        assertThat(admit().get()).isEqualTo("admitted");
        assertThat(admit().get()).isInstanceOf(ClusterConnectionPool.Overflow.class);
        pool.release();
        assertThat(admit().get()).isEqualTo("admitted");
    }

    @Test
    void aWaiterThatIsCancelledLeavesTheQueueAndKeepsNoPermit() {
        pool = new ClusterConnectionPool("c", spec(1, 1, Integer.MAX_VALUE, Integer.MAX_VALUE));
        admit();
        AtomicReference<SignalType> end = new AtomicReference<>();
        Disposable waiting = pool.admit().doFinally(end::set).subscribe();
        assertThat(pool.pending()).isEqualTo(1);

        waiting.dispose();
        assertThat(end.get()).isEqualTo(SignalType.CANCEL);
        assertThat(pool.pending()).isZero();
        pool.release();
        assertThat(pool.active()).isZero();
    }

    @Test
    void aWaiterCutByATimeoutLeavesTheQueue() {
        pool = new ClusterConnectionPool("c", spec(1, 5, Integer.MAX_VALUE, Integer.MAX_VALUE));
        admit();
        AtomicReference<Object> outcome = new AtomicReference<>();
        pool.admit().timeout(Duration.ofMillis(50)).subscribe(null, outcome::set);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> outcome.get() != null);
        assertThat(outcome.get()).isInstanceOf(TimeoutException.class);
        assertThat(pool.pending()).isZero();
    }

    @Test
    void istiosUnlimitedDefaultAdmitsEverythingWithoutCounting() {
        pool = new ClusterConnectionPool("c", ConnectionPoolSpec.DEFAULT);
        for (int i = 0; i < 1000; i++) {
            assertThat(admit().get()).isEqualTo("admitted");
        }
        assertThat(pool.active()).isZero();
    }

    @Test
    void maxRetriesBoundsRetriesInFlight() {
        pool = new ClusterConnectionPool("c", spec(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 2));
        assertThat(pool.tryStartRetry()).isTrue();
        assertThat(pool.tryStartRetry()).isTrue();
        assertThat(pool.tryStartRetry()).isFalse();
        pool.retryDone();
        assertThat(pool.tryStartRetry()).isTrue();
        assertThat(pool.retriesInFlight()).isEqualTo(2);
        assertThat(pool.retryOverflows()).as("upstream_rq_retry_overflow").isEqualTo(1);
        pool.retryDone();
        pool.retryDone();
        assertThat(pool.retriesInFlight()).isZero();
    }

    @Test
    void maxRetriesZeroRefusesEveryRetry() {
        pool = new ClusterConnectionPool("c", spec(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 0));
        for (int i = 0; i < 3; i++) {
            assertThat(pool.tryStartRetry()).isFalse();
        }
        assertThat(pool.retryOverflows()).isEqualTo(3);
    }

    @Test
    void theRetryBudgetIsSharedByConcurrentRetriesOnManyThreads() throws Exception {
        pool = new ClusterConnectionPool("c", spec(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 3));
        AtomicInteger granted = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 5_000; i++) {
                    if (pool.tryStartRetry()) {
                        granted.incrementAndGet();
                        maxSeen.accumulateAndGet(pool.retriesInFlight(), Math::max);
                        pool.retryDone();
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(maxSeen.get()).isBetween(1, 3);
        assertThat(granted.get() + pool.retryOverflows()).isEqualTo(8 * 5_000L);
        assertThat(pool.retriesInFlight()).isZero();
    }

    @Test
    void anUnlimitedMaxRetriesNeverRefusesNorCounts() {
        pool = new ClusterConnectionPool("c", ConnectionPoolSpec.DEFAULT);
        for (int i = 0; i < 1000; i++) {
            assertThat(pool.tryStartRetry()).isTrue();
        }
        assertThat(pool.retriesInFlight()).isZero();
        assertThat(pool.retryOverflows()).isZero();
    }
}
