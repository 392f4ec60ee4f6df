package dev.meshgate.sidecar.interception;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Queue;

import dev.meshgate.proxy.cluster.SocketTransport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays an intercepted connection's bytes, untouched, to another address (the original destination, the app's
 * port, or one of the proxy's own TCP listeners), both ways, reading one side only when the other has taken the
 * last write (backpressure). Runs on the downstream connection's event loop; the proxy's own connections are not
 * redirected again because the proxy runs as the UID the rules exclude.
 */
final class TcpRelay extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TcpRelay.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private @Nullable Channel peer;
    private final Queue<Object> pending = new ArrayDeque<>();

    private TcpRelay(@Nullable Channel peer) {
        this.peer = peer;
    }

    /**
     * Replaces the downstream channel's pipeline with a relay to {@code target}; {@code first} (bytes already read,
     * may be null) is sent first.
     */
    static void start(Channel downstream, InetSocketAddress target, @Nullable Object first) {
        downstream.config().setAutoRead(false);
        var pipeline = downstream.pipeline();
        for (String name : pipeline.toMap().keySet()) {
            pipeline.remove(name);
        }
        TcpRelay down = new TcpRelay(null);
        if (first != null) {
            down.pending.add(first);
        }
        pipeline.addLast("meshgate.relay", down);
        new Bootstrap().group(downstream.eventLoop())
                .channel(SocketTransport.of(downstream).socketChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new TcpRelay(downstream))
                .connect(target)
                .addListener((ChannelFutureListener) connected -> {
                    if (!connected.isSuccess()) {
                        log.debug("relay of {} to {} failed: {}", downstream.remoteAddress(), target,
                                connected.cause().toString());
                        down.pending.forEach(ReferenceCountUtil::release);
                        down.pending.clear();
                        downstream.close();
                        return;
                    }
                    Channel upstream = connected.channel();
                    down.peer = upstream;
                    Object message;
                    while ((message = down.pending.poll()) != null) {
                        upstream.write(message);
                    }
                    upstream.flush();
                    upstream.read();
                    downstream.read();
                    if (!downstream.isActive()) {
                        upstream.close();
                    }
                });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel to = peer;
        if (to == null) {
            pending.add(msg);
            return;
        }
        to.writeAndFlush(msg).addListener((ChannelFutureListener) written -> {
            if (written.isSuccess()) {
                ctx.channel().read();
            } else {
                written.channel().close();
                ctx.channel().close();
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Channel to = peer;
        if (to != null && to.isActive()) {
            to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("relay connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
