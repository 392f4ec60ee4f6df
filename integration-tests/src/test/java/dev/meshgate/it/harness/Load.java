package dev.meshgate.it.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/** Sends the same request many times from a few threads and collects every reply. */
public final class Load {

    /** Enough to keep two cores busy without queueing requests inside the proxies. */
    public static final int CONCURRENCY = 4;

    private Load() {
    }

    /** {@code count} replies of {@code request}, sent by {@link #CONCURRENCY} threads. */
    public static Replies send(int count, Supplier<Reply> request) {
        return send(count, CONCURRENCY, request);
    }

    /** {@code count} replies of {@code request}, sent by {@code concurrency} threads (slow requests: retries). */
    public static Replies send(int count, int concurrency, Supplier<Reply> request) {
        ExecutorService threads = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<Reply>> pending = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                pending.add(threads.submit(request::get));
            }
            List<Reply> replies = new ArrayList<>(count);
            for (Future<Reply> reply : pending) {
                replies.add(reply.get());
            }
            return new Replies(replies);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * {@code perSecond × duration} requests started at a steady rate (one every {@code 1/perSecond} s, whatever the
     * replies take), answered by up to {@code concurrency} threads; waits for every reply.
     */
    public static Replies atRate(int perSecond, java.time.Duration duration, int concurrency, Supplier<Reply> request) {
        int count = (int) (perSecond * duration.toMillis() / 1000);
        long period = 1_000_000_000L / perSecond;
        ExecutorService threads = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<Reply>> pending = new ArrayList<>(count);
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long wait = start + i * period - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                pending.add(threads.submit(request::get));
            }
            List<Reply> replies = new ArrayList<>(count);
            for (Future<Reply> reply : pending) {
                replies.add(reply.get());
            }
            return new Replies(replies);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            threads.shutdownNow();
        }
    }
}
