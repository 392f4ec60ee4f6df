package dev.meshgate.proxy.security.mtls;

import java.net.SocketAddress;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import org.jspecify.annotations.Nullable;

import reactor.netty.ConnectionObserver;
import reactor.netty.NettyPipeline;

/**
 * Sits just before a mesh connection's {@link SslHandler} and moves the bytes Netty read from the socket (into
 * direct buffers) into a heap buffer. The JDK decrypts a TLS record in place, and on a direct buffer its AES-GCM
 * first copies the whole record into a new array (and its GHASH into more); on a heap buffer it works on the array
 * itself. One copy into a pooled buffer is cheaper than the JDK's fresh arrays (docs/performance.md, "What mutual
 * TLS adds to a sidecar's CPU per request").
 */
final class ReceivedRecordsOnHeap extends ChannelInboundHandlerAdapter {

    /** The name of the handler in the channel pipeline. */
    static final String HANDLER = "meshgate.recordsOnHeap";

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf direct && direct.isDirect()) {
            ByteBuf heap = ctx.alloc().heapBuffer(direct.readableBytes());
            heap.writeBytes(direct);
            direct.release();
            ctx.fireChannelRead(heap);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /** For a client's {@code doOnChannelInit}: puts the handler before the SslHandler Reactor Netty added. */
    static void beforeClientTls(ConnectionObserver observer, Channel channel, @Nullable SocketAddress remote) {
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(NettyPipeline.SslHandler) != null && pipeline.get(HANDLER) == null) {
            pipeline.addBefore(NettyPipeline.SslHandler, HANDLER, new ReceivedRecordsOnHeap());
        }
    }
}
