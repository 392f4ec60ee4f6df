package dev.meshgate.proxy.security.mtls;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * On an inbound mutual TLS connection, lets a response's head leave in the same TLS record as the body that follows
 * it. Reactor Netty writes and flushes a streamed response's head, and writes the body only once the head's write has
 * completed, i.e. once the head has reached the socket: over TLS that is a record of its own (a cipher set-up, an
 * authentication tag and a socket write), and the peer proxy decrypts two records and may wake twice. Here the head's
 * write completes as soon as it is queued, so the body's first chunk is written in the same event-loop turn and the
 * body's flush wraps both into one record. The head's own flush still follows, so a head whose body comes later (a
 * stream) is not held back. A head that then fails to reach the socket closes the connection, which fails the
 * body's write and the response.
 */
final class ResponseHeadWithBody extends ChannelOutboundHandlerAdapter {

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse && !(msg instanceof HttpContent) && !promise.isVoid()) {
            ctx.write(msg, ctx.newPromise().addListener(ChannelFutureListener.CLOSE_ON_FAILURE));
            promise.trySuccess();
            return;
        }
        ctx.write(msg, promise);
    }
}
