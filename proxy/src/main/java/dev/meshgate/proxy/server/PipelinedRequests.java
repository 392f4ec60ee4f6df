package dev.meshgate.proxy.server;

import java.util.ArrayDeque;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Serves HTTP/1.1 requests pipelined on one connection one at a time, in order: a request that arrives while the
 * one before it is still being answered waits here (and the connection stops reading) until that response is
 * written in full. Reactor Netty 1.3.8 queues pipelined requests itself, but when the first response is not
 * immediate (as a proxy's never is) it answers that one with {@code connection: close} and drops the others.
 * Envoy answers pipelined requests in order too. At most {@link #MAX_QUEUED} decoded parts are held; a client
 * that pipelines more is disconnected.
 */
final class PipelinedRequests extends ChannelDuplexHandler {

    static final int MAX_QUEUED = 1024;

    private final ArrayDeque<Object> queued = new ArrayDeque<>();
    /** A request was passed on and its response is not written in full yet. */
    private boolean answering;
    /** The request being answered has been read in full (its last content passed on). */
    private boolean requestRead;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof HttpObject)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!queued.isEmpty() || (answering && requestRead)) {
            if (queued.size() >= MAX_QUEUED) {
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            queued.add(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        pass(ctx, msg);
    }

    private void pass(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            answering = true;
            requestRead = false;
        }
        if (msg instanceof LastHttpContent) {
            requestRead = true;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        boolean informational = msg instanceof HttpResponse response
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        ctx.write(msg, promise);
        if (msg instanceof LastHttpContent && !informational && answering) {
            answering = false;
            if (!queued.isEmpty()) {
                ctx.executor().execute(() -> drain(ctx));
            }
        }
    }

    private void drain(ChannelHandlerContext ctx) {
        while (!queued.isEmpty() && !(answering && requestRead)) {
            pass(ctx, queued.poll());
        }
        if (queued.isEmpty() && ctx.channel().isActive()) {
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        release();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        for (Object msg; (msg = queued.poll()) != null;) {
            ReferenceCountUtil.release(msg);
        }
    }
}
