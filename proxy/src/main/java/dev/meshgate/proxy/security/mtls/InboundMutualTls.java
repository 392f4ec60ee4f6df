package dev.meshgate.proxy.security.mtls;

import java.util.function.Supplier;

import dev.meshgate.core.security.PeerAuthentication.Mode;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.security.pki.MeshCipherSuites;
import dev.meshgate.proxy.security.WorkloadCertificateHolder;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;

/**
 * Puts a {@link PeerAuthenticationHandler} in front of every connection of a sidecar's inbound listener, with the
 * mode the applied view's PeerAuthentication gives the app's port. The server context is built once on the
 * {@link WorkloadCertificateHolder}'s key and trust managers, so a rotated certificate serves new handshakes without
 * touching open connections.
 *
 * <p>The handshake negotiates ALPN {@code h2} or {@code http/1.1}, as Envoy's inbound listener does: a client
 * offering {@code h2} (an HTTP/2 cluster under mutual TLS, gRPC) then sends the HTTP/2 preface, which the
 * listener's codec recognises behind the TLS handler as it does in plaintext. Protocols the server does not
 * speak (Istio's clients also offer {@code istio-peer-exchange} and {@code istio}) are passed over; a client
 * offering none of ours gets no ALPN answer and speaks HTTP/1.1.
 */
public final class InboundMutualTls {

    /** The name of the handler in the channel pipeline. */
    public static final String HANDLER = "meshgate.peerAuthentication";

    private final Supplier<@Nullable ProxyView> views;
    private final @Nullable SslContext serverContext;

    /**
     * @param views the view applied now (null before the first)
     * @param certificates the proxy's workload certificate; null for a proxy started without credentials, which
     *     then serves plaintext only (a TLS client is refused, and STRICT refuses everyone)
     */
    public InboundMutualTls(Supplier<@Nullable ProxyView> views, @Nullable WorkloadCertificateHolder certificates) {
        this.views = views;
        this.serverContext = certificates == null ? null : serverContext(certificates);
    }

    /** The protocols the inbound listener offers by ALPN, in its order of preference. */
    static final ApplicationProtocolConfig ALPN = new ApplicationProtocolConfig(Protocol.ALPN,
            SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);

    private static SslContext serverContext(WorkloadCertificateHolder certificates) {
        try {
            return SslContextBuilder.forServer(certificates.keyManager()).trustManager(certificates.peerTrustManager())
                    .clientAuth(ClientAuth.REQUIRE).applicationProtocolConfig(ALPN)
                    .ciphers(MeshCipherSuites.ISTIO_INBOUND, SupportedCipherSuiteFilter.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException("building the inbound mutual TLS context failed", e);
        }
    }

    /** The mode for connections to the app's {@code appPort} under the current view (PERMISSIVE before one). */
    public Mode mode(int appPort) {
        ProxyView view = views.get();
        return view == null ? Mode.PERMISSIVE : view.auth().peerAuthenticationOrDefault().modeFor(appPort);
    }

    /** Whether this proxy can terminate mutual TLS (it has a workload certificate holder). */
    public boolean canTerminate() {
        return serverContext != null;
    }

    /** The customizer of the inbound listener forwarding to {@code appPort}. */
    public NettyServerCustomizer customizer(int appPort) {
        Supplier<Mode> mode = () -> mode(appPort);
        return server -> server.doOnChannelInit((observer, channel, remote) -> channel.pipeline()
                .addFirst(HANDLER, new PeerAuthenticationHandler(mode, serverContext)));
    }
}
