package dev.meshgate.proxy.testapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.StampedLock;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.netty.buffer.AdaptiveByteBufAllocator;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

class NettyAllocatorBlockHoundIntegrationTest {

    @BeforeAll
    static void installBlockHound() {
        BlockHound.install();
    }

    /** The case seen in CI: the magazine lock is contended, so {@code free} parks on a non-blocking thread. */
    @Test
    void nettyFreeingMagazinesUnderAContendedLockIsAccepted() throws Exception {
        Object group = field(field(new AdaptiveByteBufAllocator(true, false), "direct"), "largeBufferMagazineGroup");
        Method free = group.getClass().getDeclaredMethod("free");
        free.setAccessible(true);
        StampedLock lock = field(group, "magazineExpandLock");
        AtomicReference<Thread> worker = new AtomicReference<>();

        long stamp = lock.writeLock();
        CompletableFuture<Object> freed = Mono.fromCallable(() -> {
            worker.set(Thread.currentThread());
            return free.invoke(group);
        }).subscribeOn(Schedulers.parallel()).toFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> freed.isDone()
                || (worker.get() != null && worker.get().getState() == Thread.State.WAITING));
        lock.unlockWrite(stamp);

        assertThat(freed).succeedsWithin(Duration.ofSeconds(10));
    }

    @Test
    void ourOwnBlockingCallsAreStillReported() {
        assertThatThrownBy(() -> Mono.fromCallable(() -> {
            Thread.sleep(1);
            return "slept";
        }).subscribeOn(Schedulers.parallel()).block()).hasCauseInstanceOf(BlockingOperationError.class);
    }

    @SuppressWarnings("unchecked")
    private static <T> T field(Object owner, String name) throws ReflectiveOperationException {
        Field field = owner.getClass().getDeclaredField(name);
        field.setAccessible(true);
        return (T) field.get(owner);
    }
}
