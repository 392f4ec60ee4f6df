package dev.meshgate.proxy.upstream;

import java.util.Arrays;

import org.jspecify.annotations.Nullable;

import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;

/**
 * A copy of a streamed request body kept while it streams to its first try, so that a retry can replay it: Envoy's
 * router buffers a request it may retry up to its buffer limit and gives up retrying past it. Used for gRPC
 * requests, whose bodies have no length up front. A body can be replayed once it has been read to its end within
 * the limit; a body not read at all (the first try never sent it) can still be streamed to a retry.
 *
 * <p>Written on the downstream connection's event loop, read by the try that decides; {@link #complete} is
 * volatile and written last.
 */
final class ReplayBuffer {

    private final long limit;
    private byte[] bytes = new byte[256];
    private int size;
    private volatile boolean started;
    private volatile boolean overflowed;
    private volatile boolean complete;

    ReplayBuffer(long limit) {
        this.limit = limit;
    }

    /** The body as it streams, copied on its way while it fits. */
    Flux<ByteBuf> keep(Flux<ByteBuf> body) {
        return body.doOnSubscribe(s -> started = true)
                .doOnNext(this::copy)
                .doOnComplete(() -> complete = true);
    }

    private void copy(ByteBuf buf) {
        if (overflowed) {
            return;
        }
        int n = buf.readableBytes();
        if (size + (long) n > limit) {
            overflowed = true;
            bytes = new byte[0];
            return;
        }
        if (size + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(size + n, 2L * bytes.length)));
        }
        buf.getBytes(buf.readerIndex(), bytes, size, n);
        size += n;
    }

    /** Whether the body has begun to stream to a try (it cannot be streamed again). */
    boolean started() {
        return started;
    }

    /** The whole body when it was read to its end within the limit; null while it streams or past the limit. */
    byte @Nullable [] body() {
        if (!complete || overflowed) {
            return null;
        }
        return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }
}
