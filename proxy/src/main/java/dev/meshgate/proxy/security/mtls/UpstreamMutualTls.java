package dev.meshgate.proxy.security.mtls;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;
import dev.meshgate.core.view.ClientTlsSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;
import dev.meshgate.proxy.security.WorkloadCertificateHolder;
import dev.meshgate.proxy.upstream.UpstreamTransport;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.jspecify.annotations.Nullable;

import reactor.netty.http.client.HttpClient;

/**
 * Originates ISTIO_MUTUAL towards the endpoints that need it: every endpoint of a cluster whose DestinationRule sets
 * {@code tls.mode: ISTIO_MUTUAL}, and under auto mutual TLS (no {@code tls}) the endpoints labelled
 * {@code security.istio.io/tlsMode: istio}; DISABLE and unlabelled endpoints get plaintext. The client presents the
 * workload certificate and checks the server's SPIFFE identity ({@link ServerIdentityCheck}) instead of a host name,
 * as Istio does. Each cluster's TLS client shares the cluster's connection pool and is built once per cluster
 * runtime; its key and trust managers read the holder's current material, so a rotation needs no rebuild.
 */
public final class UpstreamMutualTls implements UpstreamTransport {

    private final @Nullable WorkloadCertificateHolder certificates;

    /** @param certificates the workload certificate; null for a proxy without credentials (plaintext only) */
    public UpstreamMutualTls(@Nullable WorkloadCertificateHolder certificates) {
        this.certificates = certificates;
    }

    @Override
    public @Nullable HttpClient tlsClient(ClusterRuntime cluster, LbEndpoint endpoint) {
        if (certificates == null) {
            return null;
        }
        ClientTlsSpec tls = cluster.spec().trafficPolicy().tls();
        boolean mutual = tls == null ? ClientTlsSpec.meshEnabled(endpoint.spec().labels())
                : tls.mode() == TlsMode.ISTIO_MUTUAL;
        return mutual ? cluster.tlsClient(this::secure) : null;
    }

    private HttpClient secure(ClusterRuntime cluster) {
        ClientTlsSpec tls = cluster.spec().trafficPolicy().tls();
        Map<String, String> serviceAccounts = new HashMap<>();
        for (EndpointSpec endpoint : cluster.spec().endpoints()) {
            if (endpoint.serviceAccount() != null) {
                serviceAccounts.put(endpoint.address() + ":" + endpoint.port(), endpoint.serviceAccount());
            }
        }
        Set<String> subjectAltNames = tls == null ? Set.of() : Set.copyOf(tls.subjectAltNames());
        SslContext context;
        try {
            context = SslContextBuilder.forClient().keyManager(certificates.keyManager())
                    .trustManager(new ServerIdentityCheck(certificates.trustManager(), subjectAltNames,
                            serviceAccounts))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("building the TLS client of cluster " + cluster.name() + " failed", e);
        }
        String sni = tls == null ? null : tls.sni();
        return cluster.pool().client().secure(spec -> spec.sslContext(context).handlerConfigurator(handler -> {
            SSLEngine engine = handler.engine();
            SSLParameters parameters = engine.getSSLParameters();
            // The server is identified by its SPIFFE id (ServerIdentityCheck), not by a host name.
            if (sni != null) {
                parameters.setServerNames(List.of(new SNIHostName(sni)));
            }
            engine.setSSLParameters(parameters);
        }));
    }
}
