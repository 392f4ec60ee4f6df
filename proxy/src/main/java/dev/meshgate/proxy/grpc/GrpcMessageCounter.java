package dev.meshgate.proxy.grpc;

import io.netty.buffer.ByteBuf;

/**
 * Counts the gRPC messages of one direction of a stream as its bytes go by, for Istio's
 * {@code istio_request_messages_total} and {@code istio_response_messages_total}. A message is a 5-byte prefix
 * (compressed flag, 4-byte big-endian length) and that many bytes; buffers may cut it anywhere. A message counts when
 * its prefix starts, as Envoy's gRPC frame inspector counts, so a stream cut short inside a message still counts it.
 *
 * <p>Reads the buffer's bytes in place (no copy, indices untouched); a few ints of state per direction.
 */
public final class GrpcMessageCounter {

    private static final int PREFIX = 5;

    /** Bytes of the current prefix seen so far (0: at a message boundary). */
    private int prefixSeen;
    /** The length being assembled from the prefix. */
    private long length;
    /** Bytes of the current message's payload still to skip. */
    private long remaining;
    private long messages;

    /** Looks at {@code buffer}'s readable bytes and returns how many messages started in them. */
    public int accept(ByteBuf buffer) {
        int started = 0;
        int index = buffer.readerIndex();
        int end = buffer.writerIndex();
        while (index < end) {
            if (remaining > 0) {
                int skip = (int) Math.min(remaining, end - index);
                remaining -= skip;
                index += skip;
                continue;
            }
            int b = buffer.getUnsignedByte(index++);
            if (prefixSeen == 0) {
                started++;
                length = 0;
            } else {
                length = (length << 8) | b;
            }
            if (++prefixSeen == PREFIX) {
                prefixSeen = 0;
                remaining = length;
            }
        }
        messages += started;
        return started;
    }

    /** The messages started so far. */
    public long messages() {
        return messages;
    }
}
