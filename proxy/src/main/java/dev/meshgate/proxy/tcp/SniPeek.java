package dev.meshgate.proxy.tcp;

import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.Future;

/**
 * Reads the server name of a TLS ClientHello without terminating TLS: Netty's {@link AbstractSniHandler} buffers
 * the first record(s) until it has parsed the ClientHello, hands the name (null when the client sent none, or sent
 * no TLS at all) to {@link #serverName()}, then removes itself and passes every byte it buffered on unchanged, so
 * that the ClientHello reaches the upstream as the client sent it.
 */
final class SniPeek extends AbstractSniHandler<@Nullable String> {

    private final CompletableFuture<@Nullable String> serverName = new CompletableFuture<>();

    SniPeek(long timeoutMillis) {
        super(timeoutMillis);
    }

    /** Completes with the ClientHello's server name, or null; exceptionally when the connection ends first. */
    CompletableFuture<@Nullable String> serverName() {
        return serverName;
    }

    @Override
    protected Future<@Nullable String> lookup(ChannelHandlerContext ctx, @Nullable String hostname) {
        return ctx.executor().newSucceededFuture(hostname);
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, @Nullable String hostname,
            Future<@Nullable String> future) {
        serverName.complete(hostname);
        // Netty's SniHandler replaces itself by an SslHandler here; passing TLS through, this one just leaves, and
        // on leaving hands on the bytes it buffered, the ClientHello first.
        ctx.pipeline().remove(this);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        serverName.completeExceptionally(new IllegalStateException("connection closed before a ClientHello"));
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        serverName.completeExceptionally(cause);
        ctx.close();
    }
}
