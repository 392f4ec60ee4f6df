package dev.meshgate.proxy.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import org.junit.jupiter.api.Test;

class GrpcMessageCounterTest {

    /** Three messages: 3 payload bytes, an empty one, 300 bytes (a length over one byte). */
    private static byte[] stream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int length : new int[] {3, 0, 300}) {
            out.write(0);
            out.write(length >>> 24);
            out.write(length >>> 16);
            out.write(length >>> 8);
            out.write(length);
            for (int i = 0; i < length; i++) {
                out.write(5); // payload bytes that look like prefixes, to catch a counter that does not skip them
            }
        }
        return out.toByteArray();
    }

    @Test
    void countsEveryMessageOfOneBuffer() {
        GrpcMessageCounter counter = new GrpcMessageCounter();
        ByteBuf buffer = Unpooled.wrappedBuffer(stream());
        assertThat(counter.accept(buffer)).isEqualTo(3);
        assertThat(buffer.readerIndex()).as("the bytes are left for the relay").isZero();
    }

    @Test
    void countsTheSameWhereverTheBuffersAreCut() {
        byte[] bytes = stream();
        for (int cut1 = 0; cut1 <= bytes.length; cut1++) {
            for (int cut2 = cut1; cut2 <= bytes.length; cut2 += 7) {
                GrpcMessageCounter counter = new GrpcMessageCounter();
                counter.accept(Unpooled.wrappedBuffer(bytes, 0, cut1));
                counter.accept(Unpooled.wrappedBuffer(bytes, cut1, cut2 - cut1));
                counter.accept(Unpooled.wrappedBuffer(bytes, cut2, bytes.length - cut2));
                assertThat(counter.messages()).as("cut at %d and %d", cut1, cut2).isEqualTo(3);
            }
        }
    }

    @Test
    void aMessageCountsWhenItsPrefixStarts() {
        GrpcMessageCounter counter = new GrpcMessageCounter();
        assertThat(counter.accept(Unpooled.wrappedBuffer(new byte[] {0, 0}))).isEqualTo(1);
        assertThat(counter.accept(Unpooled.wrappedBuffer(new byte[] {0, 0, 1, 9}))).isZero();
        assertThat(counter.accept(Unpooled.wrappedBuffer(new byte[] {0}))).isEqualTo(1);
    }
}
