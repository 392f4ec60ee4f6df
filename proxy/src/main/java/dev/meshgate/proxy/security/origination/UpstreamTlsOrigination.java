package dev.meshgate.proxy.security.origination;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import dev.meshgate.core.view.ClientTlsSpec;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.cluster.ClusterConnectionPool;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.security.CertificateRevocation;

import io.netty.handler.ssl.SslContext;
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
 * The certificate files are read and the TLS contexts built when a view is applied, before it serves
 * ({@link #prepare}, on the applying thread), and read again every poll interval ({@link #refresh}, on a thread of
 * its own), as Istio's SDS watches credential files: a request never reads a file nor builds a context, it takes the
 * cluster's current context. When a file changes, new connections use the new certificates while established ones
 * carry on with theirs (a new context gets new connections and a new session cache, so no session is resumed with
 * the old certificate); when the new files cannot be used, the last good context keeps serving and the problem is
 * logged once. A cluster that never had usable files fails every request as a connect failure (503 UF) until they
 * are; a failed handshake is a connect failure too. Both are logged at WARN, once per cluster and reason (a
 * handshake failure's reason names the endpoint).
 */
public final class UpstreamTlsOrigination implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UpstreamTlsOrigination.class);

    private final Path credentialsRoot;
    /** The JVM's default trust store, read at the first need (see {@link #defaultRoots()}). */
    private @Nullable X509ExtendedTrustManager defaultRoots;
    /** The last problem logged per cluster, so that a broken cluster logs once per reason, not once per request. */
    private final Map<String, String> logged = new ConcurrentHashMap<>();
    /** Cluster name to its loaded TLS material; replaced whole under {@code this}, read by requests. */
    private volatile Map<String, Loaded> loaded = Map.of();
    /** How many times certificate files were read: what the tests count to show that requests read none. */
    private final AtomicLong fileReads = new AtomicLong();
    private final @Nullable ScheduledExecutorService poll;
    /**
     * Run at the first originating cluster rather than when the proxy starts: it is ~10 % of a start's main thread
     * (docs/performance.md, "work the first request does not need"), and a proxy without such clusters (a plaintext
     * mesh) never needs it.
     */
    private final Runnable prepareTls;
    private boolean tlsPrepared;

    /** @param credentialsRoot where {@code credentialName} directories are; files are read again every 5 s */
    public UpstreamTlsOrigination(Path credentialsRoot) {
        this(credentialsRoot, Duration.ofSeconds(5));
    }

    /**
     * @param credentialsRoot where {@code credentialName} directories are
     * @param pollInterval how often the certificate files are read again; zero: only when a view is applied
     */
    public UpstreamTlsOrigination(Path credentialsRoot, Duration pollInterval) {
        this(credentialsRoot, pollInterval, ClusterConnectionPool::prepareTls);
    }

    /** @param prepareTls what makes a TLS client possible on an event loop, run before the first cluster loads */
    UpstreamTlsOrigination(Path credentialsRoot, Duration pollInterval, Runnable prepareTls) {
        if (pollInterval.isNegative()) {
            throw new IllegalArgumentException("pollInterval: " + pollInterval + " (expected: >= 0)");
        }
        this.credentialsRoot = credentialsRoot;
        this.prepareTls = prepareTls;
        if (pollInterval.isZero()) {
            this.poll = null;
        } else {
            this.poll = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "tls-origination-credentials");
                thread.setDaemon(true);
                return thread;
            });
            long millis = pollInterval.toMillis();
            poll.scheduleWithFixedDelay(() -> {
                try {
                    refresh();
                } catch (RuntimeException e) {
                    log.error("Reloading TLS origination credentials failed", e);
                }
            }, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    /** The key of a cluster's originating TLS clients. */
    private enum Alpn { HTTP1, H2 }

    /**
     * Loads the certificates of {@code view}'s originating clusters (reading their files, building their TLS
     * contexts), keeping what is loaded for clusters whose {@code tls} and host did not change and whose files are
     * unchanged, and forgetting clusters gone. Runs before the view serves, never on an event loop.
     */
    public synchronized void prepare(ProxyView view) {
        Map<String, Loaded> next = new HashMap<>();
        for (ClusterSpec cluster : view.clusters()) {
            ClientTlsSpec tls = cluster.trafficPolicy().tls();
            if (tls != null && tls.originates()) {
                if (!tlsPrepared) {
                    prepareTls.run();
                    tlsPrepared = true;
                }
                Source source = new Source(tls, cluster.host());
                Loaded before = loaded.get(cluster.name());
                next.put(cluster.name(), load(cluster.name(), source,
                        before != null && before.source().equals(source) ? before : null));
            }
        }
        logged.keySet().retainAll(next.keySet());
        loaded = Map.copyOf(next);
    }

    /** Reads every originating cluster's files again and swaps in the contexts of those that changed. */
    public synchronized void refresh() {
        Map<String, Loaded> next = new HashMap<>(loaded);
        next.replaceAll((name, before) -> load(name, before.source(), before));
        loaded = Map.copyOf(next);
    }

    /** How many times certificate files were read so far. */
    long fileReads() {
        return fileReads.get();
    }

    /** Reads {@code source}'s files; builds new contexts when they differ from {@code before}'s, else keeps those. */
    private Loaded load(String cluster, Source source, @Nullable Loaded before) {
        OriginationCredentials.Contents contents;
        try {
            fileReads.incrementAndGet();
            contents = OriginationCredentials.read(source.tls(), credentialsRoot);
            if (before != null && before.contexts() != null && contents.sameAs(before.contents())) {
                return before;
            }
            Contexts contexts = contexts(source, OriginationCredentials.of(contents));
            if (before != null && before.contexts() != null) {
                log.info("TLS origination of cluster {}: certificates changed, new connections use them", cluster);
            }
            logged.remove(cluster);
            return new Loaded(source, contents, contexts, null);
        } catch (OriginationCredentials.Unusable e) {
            String problem = "TLS origination of cluster " + cluster + " is not possible: " + e.getMessage();
            if (before != null && before.contexts() != null) {
                once(cluster, problem + "; the previous certificates keep serving");
                return before;
            }
            once(cluster, problem);
            return new Loaded(source, null, null, problem);
        }
    }

    /**
     * The TLS client of {@code cluster} (whose {@code tls} {@link ClientTlsSpec#originates() originates}), over HTTP/2
     * with ALPN {@code h2} when {@code http2}: made of the cluster's current context, no file read, no context built.
     *
     * @throws UncheckedIOException of a {@link ConnectException} when the cluster's certificates cannot be used: the
     *     request fails as a connect failure
     */
    public HttpClient tlsClient(ClusterRuntime cluster, boolean http2) {
        Loaded current = loaded.get(cluster.name());
        Contexts contexts = current == null ? null : current.contexts();
        if (contexts == null) {
            String problem = current != null ? current.problem() : "TLS origination of cluster " + cluster.name()
                    + " is not possible: its certificates were not loaded with the view";
            once(cluster.name(), problem);
            throw new UncheckedIOException(new ConnectException(problem));
        }
        SslContext context = http2 ? contexts.h2() : contexts.http1();
        String sni = contexts.sni();
        String name = cluster.name();
        return cluster.tlsClient(http2 ? Alpn.H2 : Alpn.HTTP1, context,
                c -> c.pool().tlsClientWithHandler(http2, context, handler -> {
                    SSLParameters parameters = handler.engine().getSSLParameters();
                    // Names are checked by ServerNameCheck against the server name, not the endpoint address.
                    parameters.setEndpointIdentificationAlgorithm(null);
                    parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
                    handler.engine().setSSLParameters(parameters);
                    watch(name, handler);
                }));
    }

    /** Builds the HTTP/1.1 and HTTP/2 client contexts of {@code source} with {@code credentials}. */
    private Contexts contexts(Source source, OriginationCredentials credentials) throws OriginationCredentials.Unusable {
        ClientTlsSpec tls = source.tls();
        String host = source.host();
        String serverName = tls.sni() != null ? tls.sni() : host.contains("*") ? null : host;
        try {
            return new Contexts(ClusterConnectionPool.tlsContext(builder(tls, serverName, credentials), false),
                    ClusterConnectionPool.tlsContext(builder(tls, serverName, credentials), true),
                    serverName == null || isIpLiteral(serverName) ? null : serverName);
        } catch (SSLException | IllegalArgumentException e) {
            throw new OriginationCredentials.Unusable("the TLS context cannot be built (" + e.getMessage() + ")");
        }
    }

    private SslContextBuilder builder(ClientTlsSpec tls, @Nullable String serverName,
            OriginationCredentials credentials) {
        SslContextBuilder context = SslContextBuilder.forClient();
        if (tls.skipsVerification()) {
            context.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else {
            X509ExtendedTrustManager roots = !credentials.crls().isEmpty()
                    ? CertificateRevocation.trustManager(credentials.roots() == null
                            ? List.of(defaultRoots().getAcceptedIssuers()) : credentials.roots(), credentials.crls())
                    : credentials.roots() == null ? defaultRoots() : trustManager(credentials.roots());
            context.trustManager(new ServerNameCheck(roots, tls.subjectAltNames(), serverName));
        }
        if (credentials.key() != null) {
            context.keyManager(new ClientKeyManager(credentials.key(), credentials.chain()));
        }
        return context;
    }

    /** What a cluster's contexts are made from: its {@code tls} and host. */
    private record Source(ClientTlsSpec tls, String host) {
    }

    /** A cluster's contexts, HTTP/1.1 and HTTP/2 (ALPN {@code h2}), and the SNI they send (null: none). */
    private record Contexts(SslContext http1, SslContext h2, @Nullable String sni) {
    }

    /**
     * What is loaded for one cluster: the files read and the contexts made of them, or (never loaded) the problem.
     */
    private record Loaded(Source source, OriginationCredentials.@Nullable Contents contents,
            @Nullable Contexts contexts, @Nullable String problem) {
    }

    /**
     * The JVM's default trust store, read when a cluster first verifies against it: on the thread that applies a
     * view or re-reads credentials (under {@code this}, like every caller), never on an event loop nor at startup,
     * where reading {@code cacerts} took ~8-10 % of a sidecar's main thread although most proxies never use it.
     */
    private synchronized X509ExtendedTrustManager defaultRoots() {
        X509ExtendedTrustManager roots = defaultRoots;
        if (roots == null) {
            roots = trustManager(null);
            defaultRoots = roots;
        }
        return roots;
    }

    /** Whether the JVM's default trust store has been read: what the tests check to show it is read only when used. */
    synchronized boolean systemRootsRead() {
        return defaultRoots != null;
    }

    /** Stops reading files again. */
    @Override
    public void close() {
        if (poll != null) {
            poll.shutdownNow();
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
}
