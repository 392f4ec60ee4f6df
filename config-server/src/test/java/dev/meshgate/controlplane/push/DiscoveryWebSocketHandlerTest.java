package dev.meshgate.controlplane.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.web.reactive.socket.WebSocketMessage;

class DiscoveryWebSocketHandlerTest {

    private final NettyDataBufferFactory buffers = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

    @Test
    void everyConnectionWritesTheFramesOwnMemoryWithItsOwnReferenceCount() {
        byte[] text = "{\"type\":\"push\",\"view\":{}}".getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocateDirect(text.length).put(text).flip().asReadOnlyBuffer();

        WebSocketMessage first = DiscoveryWebSocketHandler.textMessage(buffers, frame);
        WebSocketMessage second = DiscoveryWebSocketHandler.textMessage(buffers, frame);

        ByteBuf one = ((NettyDataBuffer) first.getPayload()).getNativeBuffer();
        ByteBuf two = ((NettyDataBuffer) second.getPayload()).getNativeBuffer();
        assertThat(first.getType()).isEqualTo(WebSocketMessage.Type.TEXT);
        // Direct and the same memory: Netty writes it to the socket as is, no copy or encoding per connection.
        assertThat(one.isDirect()).isTrue();
        assertThat(one.memoryAddress()).isEqualTo(two.memoryAddress());
        assertThat(first.getPayloadAsText()).isEqualTo(new String(text, StandardCharsets.UTF_8));
        // Netty releases each written frame: one connection's release must leave the others' bytes readable.
        one.release();
        assertThat(two.refCnt()).isEqualTo(1);
        assertThat(second.getPayloadAsText()).isEqualTo(new String(text, StandardCharsets.UTF_8));
        assertThat(frame.remaining()).isEqualTo(text.length);
    }
}
