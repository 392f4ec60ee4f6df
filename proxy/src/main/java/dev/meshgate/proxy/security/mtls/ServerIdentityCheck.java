package dev.meshgate.proxy.security.mtls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Set;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateChains;

/**
 * The client side's check of a mesh server: its chain must lead to the mesh roots, its SPIFFE id be of the mesh's
 * trust domain (the workload holder's peer trust
 * manager), and its SPIFFE id must be one of the DestinationRule's {@code subjectAltNames} when given, otherwise
 * carry the service account the registry knows for the endpoint (Istio checks the destination's service accounts).
 * An endpoint without a known service account accepts any identity of the mesh.
 */
final class ServerIdentityCheck extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager roots;
    private final Set<String> subjectAltNames;
    private final Map<String, String> serviceAccounts;

    /**
     * @param serviceAccounts by endpoint {@code address:port}, as the engine's peer host and port name it
     */
    ServerIdentityCheck(X509ExtendedTrustManager roots, Set<String> subjectAltNames,
            Map<String, String> serviceAccounts) {
        this.roots = roots;
        this.subjectAltNames = subjectAltNames;
        this.serviceAccounts = serviceAccounts;
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
        if (!subjectAltNames.isEmpty()) {
            if (!subjectAltNames.contains(id.uri())) {
                throw new CertificateException("server identity " + id.uri() + " is not one of subjectAltNames "
                        + subjectAltNames);
            }
            return;
        }
        String expected = endpoint == null ? null : serviceAccounts.get(endpoint);
        if (expected != null && !expected.equals(id.serviceAccount())) {
            throw new CertificateException("server identity " + id.uri() + " at " + endpoint
                    + " does not have the endpoint's service account " + expected);
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
