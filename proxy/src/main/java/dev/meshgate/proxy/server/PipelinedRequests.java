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
import reactor.netty.channel.ChannelOperations;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Serves HTTP/1.1 requests pipelined on one connection one at a time, in order: a request that arrives while the
 * one before it is still being answered waits here (and the connection stops reading) until that response is
 * written in full. Reactor Netty 1.3.8 queues pipelined requests itself, but when the first response is not
 * immediate (as a proxy's never is) it answers that one with {@code connection: close} and drops the others.
 * Envoy answers pipelined requests in order too. At most {@link #MAX_QUEUED} decoded parts are held; a client
 * that pipelines more is disconnected.
 *
 * <p>A request is handed on only once Reactor Netty's operations of the one before have ended, not merely once
 * that response's last part was written (pipelined, or sent as soon as the client read that response): a response
 * written whole ({@code send(Mono)}) ends its operations in a listener of its write, which runs later when the
 * write came from another thread (the upstream connection's event loop). A request handed on before that end is
 * queued by Reactor Netty itself, and one that asks to close the connection is then never taken up (its
 * {@code HttpTrafficHandler} resumes only a persistent connection). The end fires a user event through the
 * pipeline, which drains what waits here.
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
        if (!queued.isEmpty() || (answering && requestRead) || (msg instanceof HttpRequest && exchangeOpen(ctx))) {
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

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        ctx.fireUserEventTriggered(evt);
        // Among them Reactor Netty's end of an exchange's operations (its event type is not public).
        if (!answering && !queued.isEmpty()) {
            ctx.executor().execute(() -> drain(ctx));
        }
    }

    private void drain(ChannelHandlerContext ctx) {
        while (!queued.isEmpty() && !(answering && requestRead)) {
            if (queued.peek() instanceof HttpRequest && exchangeOpen(ctx)) {
                return; // their end's event drains
            }
            pass(ctx, queued.poll());
        }
        if (queued.isEmpty() && ctx.channel().isActive()) {
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        }
    }

    /** Reactor Netty's operations of the request before are still bound to the connection. */
    private static boolean exchangeOpen(ChannelHandlerContext ctx) {
        return ChannelOperations.get(ctx.channel()) instanceof HttpServerResponse;
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
