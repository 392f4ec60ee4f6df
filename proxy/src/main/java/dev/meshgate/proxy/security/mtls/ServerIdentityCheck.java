package dev.meshgate.proxy.security.mtls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Set;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateChains;

/**
 * The client side's check of a mesh server, as Envoy's SAN match under pilot's ISTIO_MUTUAL: its chain must lead to
 * the mesh roots, its SPIFFE id be of the mesh's trust domain or an alias (the workload holder's peer trust manager),
 * and its SPIFFE id must be one of the DestinationRule's {@code subjectAltNames} when given, otherwise one of the
 * cluster's {@code serviceAccounts} ({@code spiffe://<td>/ns/<namespace>/sa/<sa>} of the service's endpoints, in
 * every trust domain of the mesh). A cluster without known service accounts accepts any identity of the mesh.
 */
final class ServerIdentityCheck extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager roots;
    private final Set<String> expected;
    private final String field;

    /**
     * @param subjectAltNames the DestinationRule's; when empty, {@code serviceAccounts} are expected
     * @param serviceAccounts the cluster's
     */
    ServerIdentityCheck(X509ExtendedTrustManager roots, Set<String> subjectAltNames, Set<String> serviceAccounts) {
        this.roots = roots;
        this.expected = subjectAltNames.isEmpty() ? serviceAccounts : subjectAltNames;
        this.field = subjectAltNames.isEmpty() ? "the service's identities" : "subjectAltNames";
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        // Without the engine: the JDK would check the engine's host name (Reactor Netty's HTTP client turns host name
        // verification on), where a mesh server is identified by its SPIFFE id alone.
        roots.checkServerTrusted(chain, authType);
        check(chain, engine == null ? null : engine.getPeerHost() + ":" + engine.getPeerPort());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        roots.checkServerTrusted(chain, authType);
        check(chain, null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        roots.checkServerTrusted(chain, authType);
        check(chain, null);
    }

    private void check(X509Certificate[] chain, @org.jspecify.annotations.Nullable String endpoint) throws CertificateException {
        SpiffeId id = chain.length == 0 ? null : CertificateChains.spiffeId(chain[0]);
        if (id == null) {
            throw new CertificateException("the server certificate has no SPIFFE identity");
        }
        if (!expected.isEmpty() && !expected.contains(id.uri())) {
            throw new CertificateException("server identity " + id.uri() + (endpoint == null ? "" : " at " + endpoint)
                    + " is not one of " + field + " " + new java.util.TreeSet<>(expected));
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        roots.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        roots.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        roots.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return roots.getAcceptedIssuers();
    }
}
