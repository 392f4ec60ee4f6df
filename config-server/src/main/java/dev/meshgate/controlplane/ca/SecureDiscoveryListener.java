package dev.meshgate.controlplane.ca;

import java.net.InetSocketAddress;
import java.time.Duration;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The control plane's TLS port (Istio's 15012): the same handlers as the plaintext port (the discovery stream, the
 * CA), served with the control plane's own certificate (issued by the mesh CA, so proxies verify it against
 * {@code root-cert.pem}) and renewed while it runs ({@link ServingCertificate}). Client certificates are asked for but
 * optional (a proxy's first CSR comes with a bootstrap token instead); one that does not chain to a root of the CA's
 * trust bundle fails the handshake.
 */
final class SecureDiscoveryListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SecureDiscoveryListener.class);

    private final MeshCa ca;
    private final HttpHandler handler;
    private final String host;
    private final int port;
    private final Duration certTtl;
    private volatile @Nullable DisposableServer server;
    private volatile @Nullable ServingCertificate certificate;

    /** @param certTtl how long the listener's certificate lasts (cut to the CA's expiry) */
    SecureDiscoveryListener(MeshCa ca, HttpHandler handler, String host, int port, Duration certTtl) {
        this.ca = ca;
        this.handler = handler;
        this.host = host;
        this.port = port;
        this.certTtl = certTtl;
    }

    @Override
    public void start() {
        ServingCertificate serving = new ServingCertificate("discovery", ca, () -> ca.servingCredentials(certTtl),
                ca.clock());
        certificate = serving;
        SslContext ssl = serving.serverContext(ClientAuth.OPTIONAL);
        DisposableServer bound = HttpServer.create().host(host).port(port)
                .secure(spec -> spec.sslContext(ssl))
                .handle(new ReactorHttpHandlerAdapter(handler))
                .bindNow();
        server = bound;
        log.info("Discovery over TLS on {}", address());
    }

    /** The {@code host:port} proxies dial for the TLS discovery stream. */
    String address() {
        DisposableServer bound = server;
        if (bound == null) {
            throw new IllegalStateException("the TLS listener is not started");
        }
        InetSocketAddress address = (InetSocketAddress) bound.address();
        String hostName = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        return (hostName.indexOf(':') >= 0 ? "[" + hostName + "]" : hostName) + ":" + address.getPort();
    }

    @Override
    public void stop() {
        DisposableServer bound = server;
        if (bound != null) {
            bound.disposeNow(Duration.ofSeconds(2));
            server = null;
        }
        ServingCertificate serving = certificate;
        if (serving != null) {
            serving.close();
            certificate = null;
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    @Override
    public int getPhase() {
        // With the web server (which starts at DEFAULT_PHASE - 1024): after the config source, and stopped after
        // the discovery streams were told to go away.
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }
}
