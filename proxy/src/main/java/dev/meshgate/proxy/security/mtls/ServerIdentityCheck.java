package dev.meshgate.proxy.security.mtls;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Set;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateChains;
import dev.meshgate.core.security.pki.ForwardingTrustManager;

import org.jspecify.annotations.Nullable;

/**
 * The client side's check of a mesh server, as Envoy's SAN match under pilot's ISTIO_MUTUAL: its chain must lead to
 * the mesh roots, its SPIFFE id be of the mesh's trust domain or an alias (the workload holder's peer trust manager),
 * and its SPIFFE id must be one of the DestinationRule's {@code subjectAltNames} when given, otherwise one of the
 * cluster's {@code serviceAccounts} ({@code spiffe://<td>/ns/<namespace>/sa/<sa>} of the service's endpoints, in
 * every trust domain of the mesh). A cluster without known service accounts accepts any identity of the mesh.
 */
final class ServerIdentityCheck extends ForwardingTrustManager {

    private final X509ExtendedTrustManager roots;
    private final Set<String> expected;
    private final String field;

    /**
     * @param subjectAltNames the DestinationRule's; when empty, {@code serviceAccounts} are expected
     * @param serviceAccounts the cluster's
     */
    ServerIdentityCheck(X509ExtendedTrustManager roots, Set<String> subjectAltNames, Set<String> serviceAccounts) {
        // The JDK would check the engine's host name (Reactor Netty's HTTP client turns host name verification on),
        // where a mesh server is identified by its SPIFFE id alone.
        super(Peers.CLIENTS_AND_SERVERS, false);
        this.roots = roots;
        this.expected = subjectAltNames.isEmpty() ? serviceAccounts : subjectAltNames;
        this.field = subjectAltNames.isEmpty() ? "the service's identities" : "subjectAltNames";
    }

    @Override
    protected X509ExtendedTrustManager delegate() {
        return roots;
    }

    @Override
    protected void checkServer(X509Certificate[] chain, @Nullable SSLEngine engine) throws CertificateException {
        check(chain, engine == null ? null : engine.getPeerHost() + ":" + engine.getPeerPort());
    }

    private void check(X509Certificate[] chain, @Nullable String endpoint) throws CertificateException {
        SpiffeId id = chain.length == 0 ? null : CertificateChains.spiffeId(chain[0]);
        if (id == null) {
            throw new CertificateException("the server certificate has no SPIFFE identity");
        }
        if (!expected.isEmpty() && !expected.contains(id.uri())) {
            throw new CertificateException("server identity " + id.uri() + (endpoint == null ? "" : " at " + endpoint)
                    + " is not one of " + field + " " + new java.util.TreeSet<>(expected));
        }
    }
}
