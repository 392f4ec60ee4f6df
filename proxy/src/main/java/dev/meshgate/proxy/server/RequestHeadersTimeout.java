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
 */
final class RequestHeadersTimeout {

    private final long timeoutNanos;
    private @Nullable ScheduledFuture<?> timer;
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
                if (awaitingHeaders && !upgraded && timer == null && msg instanceof ByteBuf buf && buf.isReadable()) {
                    timer = ctx.executor().schedule(() -> {
                        if (ctx.channel().isActive()) {
                            ctx.close();
                        }
                    }, timeoutNanos, TimeUnit.NANOSECONDS);
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
                    cancel();
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
                    cancel();
                }
                super.write(ctx, msg, promise);
            }
        };
    }

    private void cancel() {
        ScheduledFuture<?> running = timer;
        if (running != null) {
            running.cancel(false);
            timer = null;
        }
    }
}
