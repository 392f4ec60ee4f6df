package dev.meshgate.proxy.security.mtls;

import java.util.List;
import java.util.Set;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;
import dev.meshgate.core.security.pki.MeshCipherSuites;
import dev.meshgate.core.view.ClientTlsSpec;
import dev.meshgate.proxy.cluster.ClusterConnectionPool;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;
import dev.meshgate.proxy.security.WorkloadCertificateHolder;
import dev.meshgate.proxy.security.origination.UpstreamTlsOrigination;
import dev.meshgate.proxy.upstream.UpstreamTransport;

import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import org.jspecify.annotations.Nullable;

import reactor.netty.http.client.HttpClient;

/**
 * Originates ISTIO_MUTUAL towards the endpoints that need it: every endpoint of a cluster whose DestinationRule sets
 * {@code tls.mode: ISTIO_MUTUAL}, and under auto mutual TLS (no {@code tls}) the endpoints labelled
 * {@code security.istio.io/tlsMode: istio}; DISABLE and unlabelled endpoints get plaintext. The client presents the
 * workload certificate and checks the server's SPIFFE identity ({@link ServerIdentityCheck}) instead of a host name,
 * as Istio does. Each cluster's TLS client shares the cluster's connection pool and is built once per cluster
 * runtime; its key and trust managers read the holder's current material, so a rotation needs no rebuild. A request
 * the cluster sends over HTTP/2 (an HTTP/2 or gRPC port, or {@code useClientProtocol} with an HTTP/2 client) goes
 * over h2 negotiated by ALPN, multiplexed on the cluster's HTTP/2 connections; the others over HTTP/1.1. A cluster
 * whose {@code tls} is SIMPLE or MUTUAL goes to {@link UpstreamTlsOrigination} instead.
 */
public final class UpstreamMutualTls implements UpstreamTransport {

    private final @Nullable WorkloadCertificateHolder certificates;
    private final @Nullable UpstreamTlsOrigination origination;

    /** @param certificates the workload certificate; null for a proxy without credentials (plaintext only) */
    public UpstreamMutualTls(@Nullable WorkloadCertificateHolder certificates) {
        this(certificates, null);
    }

    /**
     * @param certificates the workload certificate; null for a proxy without credentials (no ISTIO_MUTUAL)
     * @param origination SIMPLE and MUTUAL origination; null: such clusters get plaintext
     */
    public UpstreamMutualTls(@Nullable WorkloadCertificateHolder certificates,
            @Nullable UpstreamTlsOrigination origination) {
        this.certificates = certificates;
        this.origination = origination;
        if (certificates != null) {
            ClusterConnectionPool.prepareTls();
        }
    }

    @Override
    public @Nullable HttpClient tlsClient(ClusterRuntime cluster, LbEndpoint endpoint, boolean downstreamHttp2) {
        ClientTlsSpec tls = cluster.spec().trafficPolicy().tls();
        if (tls != null && tls.originates() && origination != null) {
            // SIMPLE, MUTUAL: TLS of the DestinationRule's own, to every endpoint, with or without a sidecar.
            return origination.tlsClient(cluster, cluster.pool().http2(downstreamHttp2));
        }
        if (certificates == null) {
            return null;
        }
        boolean mutual = tls == null ? ClientTlsSpec.meshEnabled(endpoint.spec().labels())
                : tls.mode() == TlsMode.ISTIO_MUTUAL;
        if (!mutual) {
            return null;
        }
        boolean http2 = cluster.pool().http2(downstreamHttp2);
        return cluster.tlsClient(http2 ? Alpn.H2 : Alpn.NONE, c -> secure(c, http2));
    }

    /** The key of a cluster's TLS client: HTTP/1.1 without ALPN, or HTTP/2 by ALPN {@code h2}. */
    private enum Alpn { NONE, H2 }

    private HttpClient secure(ClusterRuntime cluster, boolean http2) {
        ClientTlsSpec tls = cluster.spec().trafficPolicy().tls();
        Set<String> subjectAltNames = tls == null ? Set.of() : Set.copyOf(tls.subjectAltNames());
        SslContextBuilder context = SslContextBuilder.forClient().keyManager(certificates.keyManager())
                .trustManager(new ServerIdentityCheck(certificates.peerTrustManager(), subjectAltNames,
                        Set.copyOf(cluster.spec().serviceAccounts())))
                .ciphers(MeshCipherSuites.ENVOY_DEFAULT, SupportedCipherSuiteFilter.INSTANCE);
        String sni = tls == null ? null : tls.sni();
        try {
            return cluster.pool().tlsClient(http2, context, engine -> {
                SSLParameters parameters = engine.getSSLParameters();
                // The server is identified by its SPIFFE id (ServerIdentityCheck), not by a host name.
                if (sni != null) {
                    parameters.setServerNames(List.of(new SNIHostName(sni)));
                }
                engine.setSSLParameters(parameters);
            });
        } catch (SSLException e) {
            throw new IllegalStateException("building the TLS client of cluster " + cluster.name() + " failed", e);
        }
    }
}
