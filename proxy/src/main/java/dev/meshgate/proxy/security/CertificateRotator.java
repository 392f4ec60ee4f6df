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

import dev.meshgate.core.security.identity.BootstrapCredentials;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateChains;
import dev.meshgate.core.security.pki.CertificateRequest;
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
 */
public final class CertificateRotator implements SmartLifecycle {

    static final int JITTER_PERCENT = 5;
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
    private final List<X509Certificate> roots;
    private final Sinks.One<WorkloadCertificateHolder.Material> first = Sinks.one();
    private final AtomicInteger rotations = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile @Nullable Disposable next;
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
        this.holder = holder;
        this.credentials = credentials;
        this.token = token;
        this.identity = identity;
        this.ttl = ttl;
        this.clock = clock;
        this.roots = Pem.certificates(credentials.rootCert());

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
    }

    @Override
    public void stop() {
        running = false;
        Disposable scheduled = next;
        if (scheduled != null) {
            scheduled.dispose();
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

    private void schedule(Duration delay) {
        if (!running) {
            return;
        }
        nextRotation = clock.instant().plus(delay);
        next = Mono.delay(delay).then(Mono.defer(this::renew)).subscribe(null,
                e -> log.warn("Certificate rotation failed unexpectedly", e));
    }

    private Mono<Void> renew() {
        WorkloadCertificateHolder.Material current = holder.current();
        // A certificate past its end would fail the handshake: then the token alone proves the identity.
        WorkloadCertificateHolder.@Nullable Material valid = current != null
                && current.notAfter().isAfter(clock.instant()) ? current : null;
        return Mono.fromCallable(() -> Map.entry(CertificateRequest.generateKeyPair(), token.get()))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(request -> request(request.getKey(), request.getValue(), valid != null)
                        .map(chain -> install(request.getKey(), chain, current)))
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

    private Mono<List<X509Certificate>> request(KeyPair keys, String bearer, boolean withCertificate) {
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
                    return Pem.certificates(answer.path("certificateChain").asString());
                }));
    }

    /** A client context presenting no certificate, trusting the mesh's roots (the CA's server certificate). */
    private io.netty.handler.ssl.SslContext trustOnly() {
        try {
            return io.netty.handler.ssl.SslContextBuilder.forClient().trustManager(holder.trustManager()).build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException("building a client TLS context failed", e);
        }
    }

    private WorkloadCertificateHolder.Material install(KeyPair keys, List<X509Certificate> chain,
            WorkloadCertificateHolder.@Nullable Material previous) {
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
