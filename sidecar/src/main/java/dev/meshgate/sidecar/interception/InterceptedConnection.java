package dev.meshgate.sidecar.interception;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import java.util.function.Function;

import dev.meshgate.proxy.listener.PassthroughTarget;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * First handler of a connection accepted by an intercepting listener. It reads the original destination, asks the
 * {@link Dispatch} what to do, and either leaves the connection to the HTTP server behind it (removing itself),
 * relays it as TCP ({@link TcpRelay}), or closes it. When the dispatch needs the protocol, it holds the first bytes
 * back until {@link ProtocolSniffer} can tell (or the detection timeout passes: a server-first protocol is TCP);
 * a TLS ClientHello is held whole, so that its server name can choose the route.
 */
final class InterceptedConnection extends ChannelInboundHandlerAdapter {

    static final String NAME = "meshgate.interception";

    /** What happens to a connection. */
    sealed interface Decision {
        /**
         * Served by the HTTP server behind this handler; its requests go to {@code passthrough} when not null
         * ({@link PassthroughTarget}).
         */
        record Http(@Nullable InetSocketAddress passthrough) implements Decision { }
        /** Relayed untouched to {@code target}. */
        record Relay(InetSocketAddress target) implements Decision { }
        /** Closed (REGISTRY_ONLY). */
        record Close(String reason) implements Decision { }
        /** The protocol must be sniffed first; then {@link Dispatch#afterSniff} decides. */
        record Sniff() implements Decision { }

        Decision HTTP = new Http(null);
        Decision SNIFF = new Sniff();
    }

    /** The listener's policy. */
    interface Dispatch {
        /** @param original the original destination, null when the connection was not redirected */
        Decision onConnect(@Nullable InetSocketAddress original);

        /**
         * After sniffing: {@code protocol} is HTTP, TLS or TCP (also a client silent until the detection timeout);
         * {@code serverName} is a TLS ClientHello's, or null.
         */
        Decision afterSniff(InetSocketAddress original, ProtocolSniffer.Protocol protocol,
                @Nullable String serverName);
    }

    private final Dispatch dispatch;
    private final Duration detectionTimeout;
    private final Function<Channel, @Nullable InetSocketAddress> originals;
    private @Nullable InetSocketAddress original;
    private @Nullable ByteBuf first;
    private @Nullable ScheduledFuture<?> timeout;
    private boolean decided;

    InterceptedConnection(Dispatch dispatch, Duration detectionTimeout,
            Function<Channel, @Nullable InetSocketAddress> originals) {
        this.dispatch = dispatch;
        this.originals = originals;
        this.detectionTimeout = detectionTimeout;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        InetSocketAddress found = originals.apply(ctx.channel());
        original = found == null || found.equals(local) ? null : found;
        Decision decision = dispatch.onConnect(original);
        if (decision instanceof Decision.Sniff) {
            // Zero, Istio's default, waits for the client's first bytes however long it takes.
            if (!detectionTimeout.isZero()) {
                timeout = ctx.executor().schedule(() -> sniffed(ctx, ProtocolSniffer.Protocol.TCP, null),
                        detectionTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            ctx.read();
            return;
        }
        decide(ctx, decision);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        first = first == null ? bytes : Unpooled.wrappedBuffer(first, bytes);
        ProtocolSniffer.Protocol protocol = ProtocolSniffer.detect(first);
        switch (protocol) {
            case HTTP, TCP -> sniffed(ctx, protocol, null);
            case TLS -> sniffed(ctx, protocol, ProtocolSniffer.serverName(first));
            case NEED_MORE -> ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!decided) {
            decided = true;
            cancelTimeout();
            releaseFirst();
            return;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimeout();
    }

    private void sniffed(ChannelHandlerContext ctx, ProtocolSniffer.Protocol protocol, @Nullable String serverName) {
        if (decided || original == null) {
            return;
        }
        cancelTimeout();
        decide(ctx, dispatch.afterSniff(original, protocol, serverName));
    }

    private void decide(ChannelHandlerContext ctx, Decision decision) {
        decided = true;
        ByteBuf held = first;
        first = null;
        if (decision instanceof Decision.Relay relay) {
            TcpRelay.start(ctx.channel(), relay.target(), held);
        } else if (decision instanceof Decision.Close) {
            if (held != null) {
                held.release();
            }
            ctx.close();
        } else {
            if (decision instanceof Decision.Http http && http.passthrough() != null) {
                PassthroughTarget.set(ctx.channel(), http.passthrough());
            }
            ctx.pipeline().remove(this);
            ctx.fireChannelActive();
            if (held != null) {
                ctx.fireChannelRead(held);
            }
        }
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }

    private void releaseFirst() {
        if (first != null) {
            first.release();
            first = null;
        }
    }
}
