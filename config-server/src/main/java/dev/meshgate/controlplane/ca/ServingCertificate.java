package dev.meshgate.controlplane.ca;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import dev.meshgate.core.security.pki.ForwardingTrustManager;
import dev.meshgate.core.security.pki.MeshCipherSuites;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A certificate of the control plane's own (the TLS discovery port, the webhooks' HTTPS port), issued by the mesh CA
 * and renewed while the listener runs, as istiod renews its DNS certificate: at half of its life, and at once when
 * a reloaded CA's trust bundle no longer holds its root. The TLS context is built once on a key manager that reads the current
 * certificate at each handshake: new connections get the new certificate, connected proxies keep their session.
 * Client certificates, when asked for, are checked against the CA's trust bundle as it is at the handshake.
 */
public final class ServingCertificate implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServingCertificate.class);
    private static final Duration MIN_DELAY = Duration.ofMillis(200);

    /** One generation of key and chain; the alias names it so a handshake sees one consistent pair. */
    private record Generation(long number, MeshCa.ServingCredentials credentials) {

        String alias() {
            return "serving-" + number;
        }

        Instant notAfter() {
            return credentials.chain().get(0).getNotAfter().toInstant();
        }
    }

    private final String name;
    private final MeshCa ca;
    private final Supplier<MeshCa.ServingCredentials> issue;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private volatile Generation current;
    private volatile @Nullable Generation previous;
    private volatile X509ExtendedTrustManager trust;
    private @Nullable ScheduledFuture<?> renewal;
    private final Runnable onReload = () -> scheduler().execute(this::caReloaded);

    /**
     * @param name what the certificate serves, for the log
     * @param issue asks the CA for a new key and certificate
     */
    public ServingCertificate(String name, MeshCa ca, Supplier<MeshCa.ServingCredentials> issue, Clock clock) {
        this.name = name;
        this.ca = ca;
        this.issue = issue;
        this.clock = clock;
        this.current = new Generation(1, issue.get());
        this.trust = dev.meshgate.core.security.pki.CertificateChains.trustManager(ca.roots());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "serving-certificate-" + name);
            thread.setDaemon(true);
            return thread;
        });
        schedule();
        ca.addListener(onReload);
    }

    /** The chain served now, the certificate first. */
    public List<X509Certificate> chain() {
        return current.credentials().chain();
    }

    /** A server context presenting the current certificate; with {@code clientAuth} other than NONE, trusting the CA's roots. */
    public SslContext serverContext(ClientAuth clientAuth) {
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(new KeyManager()).clientAuth(clientAuth)
                    .ciphers(MeshCipherSuites.ENVOY_DEFAULT, SupportedCipherSuiteFilter.INSTANCE);
            if (clientAuth != ClientAuth.NONE) {
                builder.trustManager(new TrustManager());
            }
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalStateException("building the " + name + " TLS context failed", e);
        }
    }

    /**
     * A reloaded CA: clients are checked against the new bundle at once; the certificate is renewed only when the
     * new bundle no longer leads to it. During a root rotation proxies that have not yet read the new bundle trust
     * the old root only, so the certificate of the old root keeps serving until the old root is removed.
     */
    private void caReloaded() {
        List<X509Certificate> roots = ca.roots();
        trust = dev.meshgate.core.security.pki.CertificateChains.trustManager(roots);
        try {
            dev.meshgate.core.security.pki.CertificateChains.verify(current.credentials().chain(), roots,
                    clock.instant());
        } catch (GeneralSecurityException e) {
            renew("the CA's trust bundle no longer leads to it");
        }
    }

    private synchronized void renew(String why) {
        try {
            Generation next = new Generation(current.number() + 1, issue.get());
            previous = current;
            current = next;
            log.info("CA: {} certificate renewed ({}), valid until {}", name, why, next.notAfter());
        } catch (RuntimeException e) {
            log.warn("CA: renewing the {} certificate failed ({}); the current one serves until {}", name, why,
                    current.notAfter(), e);
        }
        schedule();
    }

    /** Renews after half of the life left (the certificate is backdated, so not from notBefore). */
    private synchronized void schedule() {
        if (renewal != null) {
            renewal.cancel(false);
        }
        long left = Duration.between(clock.instant(), current.notAfter()).toMillis();
        long delay = Math.max(MIN_DELAY.toMillis(), left / 2);
        renewal = scheduler.schedule(() -> renew("half of its life passed"), delay, TimeUnit.MILLISECONDS);
    }

    private ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public void close() {
        ca.removeListener(onReload);
        scheduler.shutdownNow();
    }

    private @Nullable Generation generation(@Nullable String alias) {
        Generation now = current;
        if (now.alias().equals(alias)) {
            return now;
        }
        Generation before = previous;
        return before != null && before.alias().equals(alias) ? before : null;
    }


    private final class KeyManager extends X509ExtendedKeyManager {

        @Override
        public String[] getClientAliases(String keyType, Principal @Nullable [] issuers) {
            return new String[0];
        }

        @Override
        public @Nullable String chooseClientAlias(String[] keyType, Principal @Nullable [] issuers,
                @Nullable Socket socket) {
            return null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal @Nullable [] issuers) {
            return new String[] {current.alias()};
        }

        @Override
        public String chooseServerAlias(String keyType, Principal @Nullable [] issuers, @Nullable Socket socket) {
            return current.alias();
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal @Nullable [] issuers,
                @Nullable SSLEngine engine) {
            return current.alias();
        }

        @Override
        public X509Certificate @Nullable [] getCertificateChain(@Nullable String alias) {
            Generation generation = generation(alias);
            return generation == null ? null : generation.credentials().chain().toArray(X509Certificate[]::new);
        }

        @Override
        public @Nullable PrivateKey getPrivateKey(@Nullable String alias) {
            Generation generation = generation(alias);
            return generation == null ? null : generation.credentials().keys().getPrivate();
        }
    }

    /** The CA's roots as they are at the handshake; a server's trust manager checks clients only. */
    private final class TrustManager extends ForwardingTrustManager {

        TrustManager() {
            super(Peers.CLIENTS, true);
        }

        @Override
        protected X509ExtendedTrustManager delegate() {
            return trust;
        }
    }
}
