package dev.meshgate.proxy.tcp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Makes a peer's FIN visible to the relay: with {@code ALLOW_HALF_CLOSURE} Netty reports it as an event, which
 * Reactor Netty drops, so this handler (placed before Reactor Netty's bridge) turns it into an {@link #EOF} message
 * in the inbound stream, after every byte read before it. Also closes the connection on an idle event (the TCP
 * idle timeout).
 */
final class HalfClose extends ChannelInboundHandlerAdapter {

    /** Marks the end of a half-closed peer's bytes in a connection's inbound messages. */
    static final Object EOF = new Object() {
        @Override
        public String toString() {
            return "EOF";
        }
    };

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.fireChannelRead(EOF);
            return;
        }
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
