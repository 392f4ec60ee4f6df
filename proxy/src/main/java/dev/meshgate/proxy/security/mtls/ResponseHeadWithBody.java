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
 * authentication tag and a socket write), and the peer proxy decrypts two records. Here the head's write completes
 * as soon as it is queued, and a flush of the head alone waits for the end of the event loop's turn, so the body's
 * first chunk, written in the same turn, is flushed with it into one record. A head whose body comes later (a stream)
 * still leaves in that turn. A head that then fails to reach the socket closes the connection, which fails the
 * body's write and the response.
 */
final class ResponseHeadWithBody extends ChannelOutboundHandlerAdapter {

    /** A response head was written and nothing after it yet. */
    private boolean headAlone;
    private boolean flushScheduled;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse && !(msg instanceof HttpContent) && !promise.isVoid()) {
            headAlone = true;
            ctx.write(msg, ctx.newPromise().addListener(ChannelFutureListener.CLOSE_ON_FAILURE));
            promise.trySuccess();
            return;
        }
        headAlone = false;
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (!headAlone) {
            ctx.flush();
            return;
        }
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(() -> {
                flushScheduled = false;
                headAlone = false;
                ctx.flush();
            });
        }
    }
}
