package dev.meshgate.proxy.security;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateChains;
import dev.meshgate.core.security.pki.ForwardingTrustManager;
import dev.meshgate.core.security.pki.MeshCipherSuites;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import org.jspecify.annotations.Nullable;

/**
 * This proxy's current workload certificate, its key and the mesh's roots, swapped as one when the certificate
 * rotates. TLS contexts are built once on {@link #keyManager()} and {@link #trustManager()}, which read the current
 * material at each handshake: a rotation changes what new handshakes present, and connections already open keep
 * their session (nothing is dropped). A handshake sees one consistent key and chain: the alias it is given names
 * the material it started with.
 */
public final class WorkloadCertificateHolder {

    /**
     * One generation of key material.
     *
     * @param chain the workload certificate first, then its CA chain
     * @param roots the roots peers' certificates must chain to
     */
    public record Material(long generation, PrivateKey key, List<X509Certificate> chain, List<X509Certificate> roots) {

        public Material {
            chain = List.copyOf(chain);
            roots = List.copyOf(roots);
        }

        public X509Certificate certificate() {
            return chain.get(0);
        }

        public @Nullable SpiffeId identity() {
            return CertificateChains.spiffeId(certificate());
        }

        public Instant notAfter() {
            return certificate().getNotAfter().toInstant();
        }

        String alias() {
            return "workload-" + generation;
        }
    }

    private final AtomicReference<@Nullable Material> current = new AtomicReference<>();
    /** The generation before the current one, for a handshake that chose its alias just before a swap. */
    private volatile @Nullable Material previous;
    private volatile X509ExtendedTrustManager trust;
    private volatile List<X509Certificate> roots;
    /** The mesh's trust domain and its aliases, from the view applied now; empty: the own trust domain only. */
    private volatile java.util.function.Supplier<? extends java.util.Collection<String>> trustDomains = List::of;
    private final KeyManager keyManager = new KeyManager();
    private final TrustManager trustManager = new TrustManager();
    private final TrustManager peerTrustManager = new PeerTrustManager();

    /** A holder trusting {@code roots}, with no certificate yet. */
    public WorkloadCertificateHolder(List<X509Certificate> roots) {
        this.roots = List.copyOf(roots);
        this.trust = CertificateChains.trustManager(this.roots);
    }

    /** The roots trusted now. */
    public List<X509Certificate> roots() {
        return roots;
    }

    /**
     * Trusts {@code next} from the next handshake on (a root rotation: the control plane's bundle changed); open
     * connections are left alone. The certificate held is kept.
     *
     * @return whether the roots changed
     */
    public synchronized boolean updateRoots(List<X509Certificate> next) {
        if (next.isEmpty()) {
            throw new IllegalArgumentException("roots: empty (expected: at least one root certificate)");
        }
        if (new java.util.HashSet<>(next).equals(new java.util.HashSet<>(roots))) {
            return false;
        }
        X509ExtendedTrustManager manager = CertificateChains.trustManager(next);
        roots = List.copyOf(next);
        trust = manager;
        return true;
    }

    /** The material in use, or null before the first certificate. */
    public @Nullable Material current() {
        return current.get();
    }

    /** Installs a new certificate with its key (and the roots to trust from now on). */
    public synchronized Material update(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> roots) {
        Material before = current.get();
        Material next = new Material(before == null ? 1 : before.generation() + 1, key, chain, roots);
        updateRoots(roots);
        previous = before;
        current.set(next);
        return next;
    }

    public X509ExtendedKeyManager keyManager() {
        return keyManager;
    }

    public X509ExtendedTrustManager trustManager() {
        return trustManager;
    }

    /**
     * Where the trust domains peers may be of come from (MeshConfig {@code trustDomainAliases}, pushed in the view):
     * the mesh's trust domain and its aliases, read at each handshake; empty means this proxy's own trust domain only.
     */
    public void trustDomains(java.util.function.Supplier<? extends java.util.Collection<String>> source) {
        this.trustDomains = source;
    }

    /**
     * The trust manager for mesh peers, as Istio validates them (pilot's trust domain validation, SAN prefix
     * {@code spiffe://<trustDomain>/} for the trust domain and each alias): a chain to the current roots whose leaf
     * carries a SPIFFE id of this proxy's own trust domain, or of another of the mesh's {@link #trustDomains}. A certificate the mesh root signed for another trust domain is refused. The plain
     * {@link #trustManager()} (roots only) is for servers that are no mesh workloads, such as the control plane.
     */
    public X509ExtendedTrustManager peerTrustManager() {
        return peerTrustManager;
    }

    /** A client context presenting the current certificate and trusting the current roots. */
    public SslContext clientContext() {
        try {
            return SslContextBuilder.forClient().keyManager(keyManager).trustManager(trustManager)
                    .ciphers(MeshCipherSuites.ENVOY_DEFAULT, SupportedCipherSuiteFilter.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException("building a client TLS context failed", e);
        }
    }

    /** A server context presenting the current certificate, asking clients for theirs as {@code clientAuth} says. */
    public SslContext serverContext(ClientAuth clientAuth) {
        try {
            return SslContextBuilder.forServer(keyManager).trustManager(trustManager).clientAuth(clientAuth)
                    .ciphers(MeshCipherSuites.ISTIO_INBOUND, SupportedCipherSuiteFilter.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException("building a server TLS context failed", e);
        }
    }

    private @Nullable Material material(@Nullable String alias) {
        Material now = current.get();
        if (now != null && now.alias().equals(alias)) {
            return now;
        }
        Material before = previous;
        return before != null && before.alias().equals(alias) ? before : null;
    }


    private final class KeyManager extends X509ExtendedKeyManager {

        private String @Nullable [] aliases() {
            Material now = current.get();
            return now == null ? null : new String[] {now.alias()};
        }

        private @Nullable String alias() {
            Material now = current.get();
            return now == null ? null : now.alias();
        }

        @Override
        public String @Nullable [] getClientAliases(String keyType, Principal @Nullable [] issuers) {
            return aliases();
        }

        @Override
        public @Nullable String chooseClientAlias(String[] keyType, Principal @Nullable [] issuers,
                @Nullable Socket socket) {
            return alias();
        }

        @Override
        public @Nullable String chooseEngineClientAlias(String[] keyType, Principal @Nullable [] issuers,
                @Nullable SSLEngine engine) {
            return alias();
        }

        @Override
        public String @Nullable [] getServerAliases(String keyType, Principal @Nullable [] issuers) {
            return aliases();
        }

        @Override
        public @Nullable String chooseServerAlias(String keyType, Principal @Nullable [] issuers,
                @Nullable Socket socket) {
            return alias();
        }

        @Override
        public @Nullable String chooseEngineServerAlias(String keyType, Principal @Nullable [] issuers,
                @Nullable SSLEngine engine) {
            return alias();
        }

        @Override
        public X509Certificate @Nullable [] getCertificateChain(@Nullable String alias) {
            Material material = material(alias);
            return material == null ? null : material.chain().toArray(X509Certificate[]::new);
        }

        @Override
        public @Nullable PrivateKey getPrivateKey(@Nullable String alias) {
            Material material = material(alias);
            return material == null ? null : material.key();
        }
    }

    private void sameTrustDomain(X509Certificate[] chain) throws CertificateException {
        Material now = current.get();
        SpiffeId own = now == null ? null : now.identity();
        if (own == null) {
            throw new CertificateException("this proxy has no workload identity to check the peer's trust domain");
        }
        SpiffeId peer = chain.length == 0 ? null : CertificateChains.spiffeId(chain[0]);
        if (peer == null) {
            throw new CertificateException("the peer certificate has no SPIFFE identity");
        }
        if (peer.trustDomain().equals(own.trustDomain())) {
            return;
        }
        java.util.Collection<String> bundle = trustDomains.get();
        if (!bundle.contains(peer.trustDomain()) || !bundle.contains(own.trustDomain())) {
            throw new CertificateException("peer identity " + peer.uri() + " is not of the mesh trust domain "
                    + own.trustDomain() + (bundle.isEmpty() ? "" : " or its aliases " + bundle));
        }
    }

    /** {@link TrustManager} and the peer's trust domain. */
    private final class PeerTrustManager extends TrustManager {

        @Override
        protected void checkClient(X509Certificate[] chain) throws CertificateException {
            sameTrustDomain(chain);
        }

        @Override
        protected void checkServer(X509Certificate[] chain, @Nullable SSLEngine engine) throws CertificateException {
            sameTrustDomain(chain);
        }
    }

    /** The roots held now, swapped by {@link #updateRoots}. */
    private class TrustManager extends ForwardingTrustManager {

        @Override
        protected X509ExtendedTrustManager delegate() {
            return trust;
        }
    }
}
