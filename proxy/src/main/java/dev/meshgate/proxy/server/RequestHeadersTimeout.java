package dev.meshgate.proxy.server;

import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Envoy's {@code request_headers_timeout} on one connection: the clock starts at the first byte of a request and
 * stops when the HTTP decoder has read the request's headers; if it runs out, the connection is closed. An idle
 * keep-alive connection between requests is not timed (that is the idle timeout's job), nor a connection switched
 * to another protocol (101, a WebSocket). Two handlers share this
 * state: {@link #bytes()} sits before the HTTP codec and sees the first byte, {@link #requests()} after it and sees
 * the decoded request.
 *
 * <p>One timer per connection, not one per request: when a request's headers arrive the timer is left to run, and
 * when it fires it closes the connection only if a request is still awaiting its headers past its deadline, or
 * waits out what that request has left (a keep-alive connection's next request starts its own clock). Scheduling
 * and cancelling a task per request cost every request a task, a lambda and the timer queue's work.
 */
final class RequestHeadersTimeout {

    private final long timeoutNanos;
    /** Runs when the timer fires; one per connection. */
    private final Runnable expiry = this::expire;
    private @Nullable ScheduledFuture<?> timer;
    private @Nullable ChannelHandlerContext context;
    /** A request has sent its first byte and not yet its whole headers. */
    private boolean started;
    /** When that request's first byte came, by the event loop's clock. */
    private long startNanos;
    private boolean awaitingHeaders = true;
    /** Switched to another protocol (a WebSocket): its bytes are no request headers. */
    private boolean upgraded;

    RequestHeadersTimeout(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /** The handler that goes before the HTTP codec. */
    ChannelInboundHandlerAdapter bytes() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                if (awaitingHeaders && !upgraded && !started && msg instanceof ByteBuf buf && buf.isReadable()) {
                    started = true;
                    startNanos = ctx.executor().ticker().nanoTime();
                    if (timer == null) {
                        context = ctx;
                        timer = ctx.executor().schedule(expiry, timeoutNanos, TimeUnit.NANOSECONDS);
                    }
                }
                super.channelRead(ctx, msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                cancel();
                super.channelInactive(ctx);
            }
        };
    }

    /** The handler that goes after the HTTP codec. */
    ChannelDuplexHandler requests() {
        return new ChannelDuplexHandler() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                if (msg instanceof HttpRequest) {
                    awaitingHeaders = false;
                    started = false;
                }
                if (msg instanceof LastHttpContent) {
                    awaitingHeaders = true;
                }
                super.channelRead(ctx, msg);
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
                if (msg instanceof HttpResponse response
                        && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                    upgraded = true;
                    started = false;
                    cancel();
                }
                super.write(ctx, msg, promise);
            }
        };
    }

    /** The timer fired: close the connection if the request awaiting its headers is past its deadline. */
    private void expire() {
        timer = null;
        ChannelHandlerContext ctx = context;
        if (!started || ctx == null) {
            return;
        }
        long left = timeoutNanos - (ctx.executor().ticker().nanoTime() - startNanos);
        if (left > 0) {
            timer = ctx.executor().schedule(expiry, left, TimeUnit.NANOSECONDS);
        } else if (ctx.channel().isActive()) {
            ctx.close();
        }
    }

    private void cancel() {
        ScheduledFuture<?> running = timer;
        if (running != null) {
            running.cancel(false);
            timer = null;
        }
    }
}
