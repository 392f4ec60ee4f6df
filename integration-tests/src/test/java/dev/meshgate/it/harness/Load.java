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
}
