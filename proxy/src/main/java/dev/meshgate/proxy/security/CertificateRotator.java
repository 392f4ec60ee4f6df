package dev.meshgate.proxy.security;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.meshgate.core.discovery.TrustBundle;
import dev.meshgate.core.security.identity.BootstrapCredentials;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateChains;
import dev.meshgate.core.security.pki.CertificateRequest;
import dev.meshgate.core.security.pki.MeshCipherSuites;
import dev.meshgate.core.security.pki.Pem;

import io.netty.handler.codec.http.HttpHeaderNames;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Gets this proxy its workload certificate and keeps it fresh, as Istio's SDS agent does: makes a new key (which never
 * leaves the proxy), sends a CSR to the control plane's CA over TLS ({@code POST /v1/certificates}), proving its
 * identity with its token and, while it has one that is still valid, its current certificate, and installs the
 * answer in the {@link WorkloadCertificateHolder}. The token is read anew for each request: an injected pod's
 * projected service-account token is replaced by the kubelet before it expires (Istio's agent, too, reads it per
 * CSR), so a renewal, or a retry after the certificate lapsed, shows the token valid now, not the one of the start. It rotates at half of the remaining life, give or take
 * {@value #JITTER_PERCENT}% (so that proxies started together do not renew together), and retries a failed renewal
 * with backoff while the current certificate lasts.
 *
 * <p>The roots to trust come from the control plane too, so that a root rotation reaches running proxies: the trust
 * bundle of every CSR answer, {@code GET /v1/trust-bundle} read at once when the discovery stream announces another
 * bundle ({@link #trustBundleAnnounced}), and read every {@code trustBundleInterval} should an announcement be
 * missed. A changed bundle is swapped into the trust managers for the next handshakes (open connections keep theirs); when it no
 * longer leads to this proxy's own certificate (the old root was removed), the certificate is renewed at once.
 */
public final class CertificateRotator implements SmartLifecycle {

    static final int JITTER_PERCENT = 5;
    /** How often the trust bundle is read when not told otherwise. */
    public static final Duration DEFAULT_TRUST_BUNDLE_INTERVAL = Duration.ofSeconds(30);
    private static final Duration MIN_RETRY = Duration.ofMillis(500);
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Logger log = LoggerFactory.getLogger(CertificateRotator.class);

    private final WorkloadCertificateHolder holder;
    private final BootstrapCredentials credentials;
    private final Supplier<String> token;
    private final SpiffeId identity;
    private final @Nullable Duration ttl;
    private final Clock clock;
    private final Duration trustBundleInterval;
    private final Sinks.One<WorkloadCertificateHolder.Material> first = Sinks.one();
    private final AtomicInteger rotations = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private @Nullable Disposable next;
    private boolean renewing;
    private volatile @Nullable Disposable bundleRefresh;
    /**
     * The trust-bundle reads' client: one kept-alive connection for every read, so one handshake for many reads. A
     * new connection and TLS context per read was a full handshake every 30 s on an event loop that also carries the
     * proxy's requests (the two-hop tail over mTLS, docs/performance.md). One context serves: its trust manager reads
     * the current roots at each handshake. Made on first use, let go at {@link #stop()}.
     */
    private @Nullable BundleClient bundleClient;
    private volatile boolean bundleFailing;
    private volatile @Nullable Instant nextRotation;
    private volatile boolean running;

    /**
     * @param identity the identity to ask for (the credentials' trust domain, this proxy's namespace and service
     *     account)
     * @param token the token to show the CA, asked for at each request (it may block: it is called off the event
     *     loop)
     * @param ttl the TTL to ask for, or null for the CA's default
     */
    public CertificateRotator(WorkloadCertificateHolder holder, BootstrapCredentials credentials,
            Supplier<String> token, SpiffeId identity, @Nullable Duration ttl, Clock clock) {
        this(holder, credentials, token, identity, ttl, clock, DEFAULT_TRUST_BUNDLE_INTERVAL);
    }

    /** @param trustBundleInterval how often the control plane's trust bundle is read */
    public CertificateRotator(WorkloadCertificateHolder holder, BootstrapCredentials credentials,
            Supplier<String> token, SpiffeId identity, @Nullable Duration ttl, Clock clock,
            Duration trustBundleInterval) {
        this.holder = holder;
        this.credentials = credentials;
        this.token = token;
        this.identity = identity;
        this.ttl = ttl;
        this.clock = clock;
        this.trustBundleInterval = trustBundleInterval;
    }

    /** Completes once the first certificate is installed. */
    public Mono<Void> firstCertificate() {
        return first.asMono().then();
    }

    /** How often the certificate was renewed since the first. */
    public int rotations() {
        return rotations.get();
    }

    public @Nullable Instant nextRotation() {
        return nextRotation;
    }

    /** What {@code /actuator/meshgate} shows under {@code certificate}. */
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        WorkloadCertificateHolder.Material material = holder.current();
        status.put("identity", identity.uri());
        if (material != null) {
            status.put("serialNumber", material.certificate().getSerialNumber().toString(16));
            status.put("notBefore", material.certificate().getNotBefore().toInstant().toString());
            status.put("notAfter", material.notAfter().toString());
        }
        Instant rotation = nextRotation;
        status.put("nextRotation", rotation == null ? null : rotation.toString());
        status.put("rotations", rotations.get());
        return status;
    }

    @Override
    public void start() {
        running = true;
        schedule(Duration.ZERO);
        bundleRefresh = reactor.core.publisher.Flux.interval(trustBundleInterval)
                .onBackpressureDrop()
                // Building a TLS context reads the random source: off the timer's thread.
                .concatMap(tick -> Mono.defer(this::refreshTrustBundle).subscribeOn(Schedulers.boundedElastic()))
                .subscribe();
    }

    @Override
    public void stop() {
        running = false;
        Disposable scheduled;
        synchronized (this) {
            scheduled = next;
        }
        if (scheduled != null) {
            scheduled.dispose();
        }
        Disposable refresh = bundleRefresh;
        if (refresh != null) {
            refresh.dispose();
        }
        BundleClient bundle;
        synchronized (this) {
            bundle = bundleClient;
            bundleClient = null;
        }
        if (bundle != null) {
            bundle.connections().disposeLater().subscribe();
        }
    }

    /** A pool of one connection to the control plane and the client reading the trust bundle over it. */
    private record BundleClient(ConnectionProvider connections, HttpClient http) {
    }

    private synchronized HttpClient bundleClient() {
        BundleClient bundle = bundleClient;
        if (bundle == null) {
            ConnectionProvider connections = ConnectionProvider.builder("meshgate-trust-bundle").maxConnections(1)
                    .pendingAcquireMaxCount(-1).build();
            io.netty.handler.ssl.SslContext context = trustOnly();
            bundle = new BundleClient(connections, HttpClient.create(connections)
                    .secure(spec -> spec.sslContext(context))
                    .responseTimeout(REQUEST_TIMEOUT));
            bundleClient = bundle;
        }
        return bundle.http();
    }

    /** Renews the certificate now, unless a renewal is under way (which then stands for this one). */
    public void rotateNow() {
        Disposable scheduled;
        synchronized (this) {
            if (renewing || !running) {
                return;
            }
            scheduled = next;
            next = null;
        }
        if (scheduled != null) {
            scheduled.dispose();
        }
        schedule(Duration.ZERO);
    }

    /**
     * The control plane announced trust bundle {@code version} on the discovery stream: read at once when the roots
     * held are another bundle (the periodic read stays the fallback for an announcement missed).
     */
    public void trustBundleAnnounced(String version) {
        if (version.equals(TrustBundle.versionOf(holder.roots()))) {
            return;
        }
        log.info("The control plane announced trust bundle {}: reading it", version);
        refreshTrustBundle().subscribeOn(Schedulers.boundedElastic()).subscribe();
    }

    /** Reads the control plane's trust bundle and applies it; a failure leaves the roots as they are. */
    Mono<Void> refreshTrustBundle() {
        return bundleClient().get().uri("https://" + credentials.discoveryAddress() + "/v1/trust-bundle")
                .responseSingle((response, content) -> content.asString().defaultIfEmpty("").map(text -> {
                    if (response.status().code() != 200) {
                        throw new IllegalStateException("the control plane answered " + response.status().code());
                    }
                    return Pem.certificates(JSON.readTree(text).path("rootCert").asString());
                }))
                .doOnNext(roots -> {
                    bundleFailing = false;
                    applyTrustBundle(roots);
                })
                .onErrorResume(error -> {
                    if (!bundleFailing) {
                        bundleFailing = true;
                        log.warn("Could not read the trust bundle from {}: {}; the current roots stay trusted",
                                credentials.discoveryAddress(), error.getMessage() == null ? error.toString()
                                        : error.getMessage());
                    }
                    return Mono.empty();
                })
                .then();
    }

    /** Whether {@code material} is valid now and leads to a root trusted now. */
    private boolean trusted(WorkloadCertificateHolder.Material material) {
        try {
            CertificateChains.verify(material.chain(), holder.roots(), clock.instant());
            return true;
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    private void applyTrustBundle(List<X509Certificate> roots) {
        if (roots.isEmpty() || !holder.updateRoots(roots)) {
            return;
        }
        log.info("Trust bundle changed: {} root(s) trusted now", roots.size());
        WorkloadCertificateHolder.Material current = holder.current();
        if (current != null && !trusted(current)) {
            // Peers holding the new bundle refuse this certificate: get one of a root they trust.
            log.info("The workload certificate does not lead to a root of the new trust bundle: renewing it now");
            rotateNow();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // Before the discovery client, which waits for the first certificate.
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    /**
     * When to renew a certificate expiring at {@code notAfter}, seen at {@code now}: after half of what is left,
     * shifted by {@code jitter} (in [-1, 1)) times {@value #JITTER_PERCENT}% of it.
     */
    static Duration rotationDelay(Instant now, Instant notAfter, double jitter) {
        long remaining = Math.max(0, Duration.between(now, notAfter).toMillis());
        long half = remaining / 2;
        return Duration.ofMillis(Math.max(0, half + Math.round(half * JITTER_PERCENT / 100.0 * jitter)));
    }

    private synchronized void schedule(Duration delay) {
        renewing = false;
        if (!running) {
            return;
        }
        nextRotation = clock.instant().plus(delay);
        next = Mono.delay(delay).then(Mono.defer(() -> {
            synchronized (this) {
                renewing = true;
            }
            return renew();
        })).subscribe(null, e -> log.warn("Certificate rotation failed unexpectedly", e));
    }

    private Mono<Void> renew() {
        WorkloadCertificateHolder.Material current = holder.current();
        // A certificate past its end, or of a root the CA no longer trusts, would fail the handshake: then the token
        // alone proves the identity.
        WorkloadCertificateHolder.@Nullable Material valid = current != null && trusted(current) ? current : null;
        return Mono.fromCallable(() -> Map.entry(CertificateRequest.generateKeyPair(), token.get()))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(request -> request(request.getKey(), request.getValue(), valid != null)
                        .map(answer -> install(request.getKey(), answer, current)))
                .doOnNext(material -> {
                    failures.set(0);
                    schedule(rotationDelay(clock.instant(), material.notAfter(),
                            ThreadLocalRandom.current().nextDouble(-1, 1)));
                })
                .onErrorResume(error -> {
                    Duration retry = retryDelay(current);
                    String why = error.getMessage() == null ? error.toString() : error.getMessage();
                    if (failures.getAndIncrement() == 0) {
                        log.warn("Could not get a workload certificate for {} from {}: {}; retrying in {} ms{}",
                                identity.uri(), credentials.discoveryAddress(), why, retry.toMillis(),
                                current == null ? "" : " (current one valid until " + current.notAfter() + ")");
                    } else {
                        log.debug("Certificate request failed again: {}", why);
                    }
                    schedule(retry);
                    return Mono.empty();
                })
                .then();
    }

    private Duration retryDelay(WorkloadCertificateHolder.@Nullable Material current) {
        long millis = Math.min(MAX_RETRY.toMillis(), MIN_RETRY.toMillis() << Math.min(failures.get(), 6));
        if (current != null) {
            // Never wait past the current certificate's end for the next try.
            long remaining = Duration.between(clock.instant(), current.notAfter()).toMillis() / 4;
            millis = Math.max(MIN_RETRY.toMillis(), Math.min(millis, remaining));
        }
        return Duration.ofMillis(millis);
    }

    /** The CA's answer: the chain, and the trust bundle when the CA sent one. */
    private record Answer(List<X509Certificate> chain, List<X509Certificate> roots) {
    }

    private Mono<Answer> request(KeyPair keys, String bearer, boolean withCertificate) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("csr", CertificateRequest.create(keys, identity));
        if (ttl != null) {
            body.put("ttlSeconds", ttl.toSeconds());
        }
        String json = JSON.writeValueAsString(body);
        // A new connection and TLS context per request: a renewal's handshake must present the certificate held now,
        // while a pooled connection, or a session resumed from the context's cache, would carry the first request's
        // session, made without one.
        HttpClient http = HttpClient.create(ConnectionProvider.newConnection())
                .secure(spec -> spec.sslContext(withCertificate ? holder.clientContext() : trustOnly()))
                .responseTimeout(REQUEST_TIMEOUT);
        return http.headers(headers -> {
                    headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                    headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearer);
                })
                .post().uri("https://" + credentials.discoveryAddress() + "/v1/certificates")
                .send(ByteBufFlux.fromString(Mono.just(json)))
                .responseSingle((response, content) -> content.asString().defaultIfEmpty("").map(text -> {
                    if (response.status().code() != 200) {
                        String error = text;
                        try {
                            error = JSON.readTree(text).path("error").asString(text);
                        } catch (RuntimeException e) {
                            // not JSON: the body as it is
                        }
                        throw new IllegalStateException("the CA answered " + response.status().code() + ": " + error);
                    }
                    JsonNode answer = JSON.readTree(text);
                    String bundle = answer.path("rootCert").asString("");
                    return new Answer(Pem.certificates(answer.path("certificateChain").asString()),
                            bundle.isBlank() ? List.of() : Pem.certificates(bundle));
                }));
    }

    /** A client context presenting no certificate, trusting the mesh's roots (the CA's server certificate). */
    private io.netty.handler.ssl.SslContext trustOnly() {
        try {
            return io.netty.handler.ssl.SslContextBuilder.forClient().trustManager(holder.trustManager())
                    .ciphers(MeshCipherSuites.ENVOY_DEFAULT, io.netty.handler.ssl.SupportedCipherSuiteFilter.INSTANCE).build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException("building a client TLS context failed", e);
        }
    }

    private WorkloadCertificateHolder.Material install(KeyPair keys, Answer answer,
            WorkloadCertificateHolder.@Nullable Material previous) {
        List<X509Certificate> chain = answer.chain();
        // The answer came over TLS verified against the roots held: its bundle is the CA's word on what to trust.
        List<X509Certificate> roots = answer.roots().isEmpty() ? holder.roots() : answer.roots();
        X509Certificate leaf = chain.get(0);
        if (!leaf.getPublicKey().equals(keys.getPublic()) || !identity.equals(CertificateChains.spiffeId(leaf))) {
            throw new IllegalStateException("the CA answered a certificate for another key or identity ("
                    + CertificateChains.spiffeId(leaf) + ")");
        }
        try {
            CertificateChains.verify(chain, roots, clock.instant());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("the CA answered a chain that does not verify to the root: " + e.getMessage());
        }
        WorkloadCertificateHolder.Material material = holder.update(keys.getPrivate(), chain, roots);
        if (previous == null) {
            log.info("Workload certificate for {} installed, valid until {}", identity.uri(), material.notAfter());
            first.tryEmitValue(material);
        } else {
            rotations.incrementAndGet();
            log.info("Workload certificate for {} rotated, valid until {}", identity.uri(), material.notAfter());
        }
        return material;
    }
}
