package dev.meshgate.proxy.security.origination;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import dev.meshgate.core.view.ClientTlsSpec;
import dev.meshgate.proxy.cluster.ClusterConnectionPool;
import dev.meshgate.proxy.cluster.ClusterRuntime;

import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.netty.http.client.HttpClient;

/**
 * Originates TLS for a cluster whose DestinationRule {@code tls} is SIMPLE or MUTUAL, as Envoy's upstream TLS
 * context does in Istio: the app sends plaintext, the proxy speaks TLS to the endpoint.
 *
 * <ul>
 *   <li>Server name: {@code sni}, else the cluster's host (the ServiceEntry or service host the app addressed, which
 *       Istio's auto SNI takes from the request's authority); none for a wildcard host or an IP address.
 *   <li>Verification: the chain against {@code caCertificates} (or the credential's CA), else the JVM's default trust
 *       store (Istio verifies against the system roots); the names against {@code subjectAltNames}, else the server
 *       name ({@link ServerNameCheck}). {@code insecureSkipVerify: true} accepts any certificate.
 *   <li>MUTUAL presents {@code clientCertificate}/{@code privateKey} or the {@code credentialName} directory's
 *       {@code tls.crt}/{@code tls.key} ({@link OriginationCredentials}).
 *   <li>HTTP/2 clusters offer ALPN {@code h2} on the cluster's HTTP/2 connections, the others speak HTTP/1.1.
 * </ul>
 * The TLS client is made once per cluster runtime (a pushed change makes a new one), on the first request. Files
 * that cannot be read fail every request of the cluster as a connect failure (503 UF), and are read again on the
 * next request, so a file written later is picked up; a failed handshake is a connect failure too. Both are logged
 * at WARN, once per cluster and reason (a handshake failure's reason names the endpoint).
 */
public final class UpstreamTlsOrigination {

    private static final Logger log = LoggerFactory.getLogger(UpstreamTlsOrigination.class);

    private final Path credentialsRoot;
    private final X509ExtendedTrustManager defaultRoots;
    /** The last problem logged per cluster, so that a broken cluster logs once per reason, not once per request. */
    private final Map<String, String> logged = new ConcurrentHashMap<>();

    /** @param credentialsRoot where {@code credentialName} directories are */
    public UpstreamTlsOrigination(Path credentialsRoot) {
        this.credentialsRoot = credentialsRoot;
        // Read here, at startup: the JVM's trust store is a file, not to be read on an event loop.
        this.defaultRoots = trustManager(null);
        ClusterConnectionPool.prepareTls();
    }

    /** The key of a cluster's originating TLS clients. */
    private enum Alpn { HTTP1, H2 }

    /**
     * The TLS client of {@code cluster} (whose {@code tls} {@link ClientTlsSpec#originates() originates}), over HTTP/2
     * with ALPN {@code h2} when {@code http2}.
     *
     * @throws UncheckedIOException of a {@link ConnectException} when the cluster's certificates cannot be used: the
     *     request fails as a connect failure
     */
    public HttpClient tlsClient(ClusterRuntime cluster, boolean http2) {
        HttpClient client;
        try {
            client = cluster.tlsClient(http2 ? Alpn.H2 : Alpn.HTTP1, c -> secure(c, http2));
        } catch (UnusableCredentials e) {
            String problem = "TLS origination of cluster " + cluster.name() + " is not possible: " + e.getMessage();
            once(cluster.name(), problem);
            throw new UncheckedIOException(new ConnectException(problem));
        }
        return client;
    }

    private HttpClient secure(ClusterRuntime cluster, boolean http2) {
        ClientTlsSpec tls = cluster.spec().trafficPolicy().tls();
        if (tls == null || !tls.originates()) {
            throw new IllegalStateException("cluster " + cluster.name() + " does not originate TLS");
        }
        OriginationCredentials credentials;
        try {
            credentials = OriginationCredentials.read(tls, credentialsRoot);
        } catch (OriginationCredentials.Unusable e) {
            throw new UnusableCredentials(e.getMessage());
        }
        String host = cluster.spec().host();
        String serverName = tls.sni() != null ? tls.sni() : host.contains("*") ? null : host;
        SslContextBuilder context = SslContextBuilder.forClient();
        if (tls.skipsVerification()) {
            context.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else {
            X509ExtendedTrustManager roots = credentials.roots() == null ? defaultRoots
                    : trustManager(credentials.roots());
            context.trustManager(new ServerNameCheck(roots, tls.subjectAltNames(), serverName));
        }
        if (credentials.key() != null) {
            context.keyManager(new ClientKeyManager(credentials.key(), credentials.chain()));
        }
        String sni = serverName == null || isIpLiteral(serverName) ? null : serverName;
        try {
            return cluster.pool().tlsClientWithHandler(http2, context, handler -> {
                SSLParameters parameters = handler.engine().getSSLParameters();
                // Names are checked by ServerNameCheck against the server name, not the endpoint address.
                parameters.setEndpointIdentificationAlgorithm(null);
                parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
                handler.engine().setSSLParameters(parameters);
                watch(cluster.name(), handler);
            });
        } catch (SSLException e) {
            throw new UnusableCredentials("the TLS context cannot be built (" + e.getMessage() + ")");
        }
    }

    private void watch(String cluster, SslHandler handler) {
        handler.handshakeFuture().addListener(done -> {
            if (!done.isSuccess()) {
                Throwable cause = done.cause();
                while (cause.getCause() != null && cause.getCause() != cause) {
                    cause = cause.getCause();
                }
                once(cluster, "TLS origination of cluster " + cluster + ": handshake with "
                        + handler.engine().getPeerHost() + ":" + handler.engine().getPeerPort() + " failed: "
                        + cause.getMessage() + " (the request fails as a connect failure, 503 UF)");
            }
        });
    }

    private void once(String cluster, String problem) {
        if (!problem.equals(logged.put(cluster, problem))) {
            log.warn(problem);
        }
    }

    private static boolean isIpLiteral(String name) {
        return name.indexOf(':') >= 0 || name.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    /** The PKIX trust manager of {@code roots}; of the JVM's default trust store when null. */
    private static X509ExtendedTrustManager trustManager(@Nullable List<X509Certificate> roots) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (roots == null) {
                factory.init((KeyStore) null);
            } else {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                for (int i = 0; i < roots.size(); i++) {
                    store.setCertificateEntry("ca-" + i, roots.get(i));
                }
                factory.init(store);
            }
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("no X509 trust manager");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("the trust manager cannot be made: " + e.getMessage(), e);
        }
    }

    /** Certificates of a cluster that cannot be used (thrown through the cluster's client cache, not cached). */
    private static final class UnusableCredentials extends RuntimeException {
        UnusableCredentials(String message) {
            super(message, null, false, false);
        }
    }
}
