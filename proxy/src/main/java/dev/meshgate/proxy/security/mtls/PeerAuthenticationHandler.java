package dev.meshgate.proxy.security.mtls;

import java.util.List;
import java.util.function.Supplier;

import dev.meshgate.core.security.PeerAuthentication.Mode;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of an inbound connection: looks at the first bytes (a TLS record header, as Envoy's TLS inspector
 * does) and applies the PeerAuthentication mode of the port. A TLS connection under STRICT or PERMISSIVE gets an
 * {@link SslHandler} requiring a client certificate from the mesh (Istio's mutual TLS filter chain requires one in
 * both modes); plaintext passes under PERMISSIVE and DISABLE and is closed under STRICT; under DISABLE the bytes of
 * a TLS client go to the HTTP codec as they are. The mode is read when the connection's first bytes arrive, so a
 * pushed change applies to new connections.
 */
public final class PeerAuthenticationHandler extends ByteToMessageDecoder {

    /** The name of the {@link SslHandler} this handler installs, which {@link MutualTlsPeers} looks for. */
    public static final String SSL_HANDLER = "meshgate.mtls";

    private static final Logger log = LoggerFactory.getLogger(PeerAuthenticationHandler.class);
    /** A TLS record header: content type, version (2 bytes), length (2 bytes). */
    private static final int RECORD_HEADER = 5;

    private final Supplier<Mode> mode;
    private final @Nullable SslContext serverContext;

    /**
     * @param mode the port's mode (never UNSET), read once per connection
     * @param serverContext requiring client certificates; null when the proxy has no workload certificate, and then
     *     a TLS client is refused
     */
    public PeerAuthenticationHandler(Supplier<Mode> mode, @Nullable SslContext serverContext) {
        this.mode = mode;
        this.serverContext = serverContext;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < RECORD_HEADER) {
            return;
        }
        boolean tls = SslHandler.isEncrypted(in, false);
        Mode current = mode.get();
        if (tls && current != Mode.DISABLE) {
            if (serverContext == null) {
                log.debug("TLS client on {} refused: this proxy has no workload certificate", ctx.channel());
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            // Replacing this decoder hands the bytes read so far to the SslHandler.
            ctx.pipeline().replace(this, SSL_HANDLER, serverContext.newHandler(ctx.alloc()));
        } else if (!tls && current == Mode.STRICT) {
            log.debug("plaintext client on {} refused: STRICT mutual TLS", ctx.channel());
            in.skipBytes(in.readableBytes());
            ctx.close();
        } else {
            ctx.pipeline().remove(this);
        }
    }
}
