package dev.meshgate.proxy.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;
import reactor.netty.http.client.HttpClient;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.OutlierDetectionSpec;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;
import dev.meshgate.proxy.loadbalancer.LoadBalancer;
import dev.meshgate.proxy.loadbalancer.PreviousPriorities;
import dev.meshgate.proxy.loadbalancer.PriorityLevelStatus;

/**
 * One cluster at runtime: its spec, its endpoints with their counters, its load balancer (the policy of
 * {@code trafficPolicy.loadBalancer}, hash tables built once here) and, when configured, its outlier detector.
 * Created when a cluster first appears or its spec changes, and reused unchanged across pushes otherwise
 * (Decision 4), so that load-balancer position, in-flight counts and ejections survive a push; when the spec does
 * change, the endpoints that remain keep their outlier state (see {@link OutlierDetector}).
 */
public final class ClusterRuntime {

    private final ClusterSpec spec;
    private final List<LbEndpoint> endpoints;
    private final LoadBalancer loadBalancer;
    /** The balancer works over priority levels: panic is decided per level there, not for the whole cluster. */
    private final boolean priorityLevels;
    private final @Nullable OutlierDetector outlierDetector;
    private final ClusterConnectionPool pool;

    /** TLS clients by the key their maker gave (HTTP/1.1 or HTTP/2, ...), made on first use. */
    private final java.util.concurrent.ConcurrentHashMap<Object, MadeClient> tlsClients =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The TLS clients made of one material (a TLS context), one per {@link EventLoopLane} that sent with it: each is
     * made from its lane's pool ({@link ClusterConnectionPool#client()}).
     */
    private record MadeClient(Object material, java.util.concurrent.atomic.AtomicReferenceArray<HttpClient> byLane) {
        MadeClient(Object material) {
            this(material, new java.util.concurrent.atomic.AtomicReferenceArray<>(EventLoopLane.MAX));
        }
    }

    ClusterRuntime(ClusterSpec spec) {
        this(spec, null, System::nanoTime);
    }

    /**
     * @param previous the runtime this one replaces (same cluster name, changed spec), whose endpoints' outlier
     *     state carries over
     * @param nanoClock {@link System#nanoTime()} but in tests
     */
    ClusterRuntime(ClusterSpec spec, @Nullable ClusterRuntime previous, LongSupplier nanoClock) {
        this.spec = spec;
        List<LbEndpoint> list = new ArrayList<>(spec.endpoints().size());
        for (EndpointSpec e : spec.endpoints()) {
            list.add(new LbEndpoint(e));
        }
        this.endpoints = List.copyOf(list);
        OutlierDetectionSpec outlier = spec.trafficPolicy().outlierDetection();
        this.loadBalancer = LoadBalancer.of(spec.trafficPolicy().loadBalancer(), endpoints, spec.port(),
                outlier == null ? 0 : outlier.minHealthPercent());
        this.priorityLevels = !loadBalancer.priorityLevels().isEmpty();
        this.outlierDetector = outlier == null ? null
                : new OutlierDetector(outlier, endpoints, nanoClock, previous == null ? null : previous.outlierDetector);
        // A cluster whose endpoints changed but whose connectionPool did not keeps its pool: its limits count
        // the requests already in flight, and connections to the endpoints that remain stay open.
        this.pool = previous != null && previous.pool.spec().equals(spec.trafficPolicy().connectionPool())
                        && previous.pool.protocol() == spec.upstreamProtocol()
                ? previous.pool
                : new ClusterConnectionPool(spec.name(), spec.trafficPolicy().connectionPool(),
                        spec.upstreamProtocol());
    }

    public String name() {
        return spec.name();
    }

    public ClusterSpec spec() {
        return spec;
    }

    public List<LbEndpoint> endpoints() {
        return endpoints;
    }

    /** The endpoint for this request, or null when the cluster has no endpoint (the proxy answers 503 UH). */
    public @Nullable LbEndpoint choose(ServerWebExchange exchange) {
        return choose(exchange, List.of());
    }

    /**
     * The endpoint for one try of this request, preferring one not in {@code tried} (a retry goes to another
     * endpoint when there is one, as Istio's retry host predicate does); null when no endpoint can take it
     * (the proxy answers 503 UH).
     */
    public @Nullable LbEndpoint choose(ServerWebExchange exchange, List<LbEndpoint> tried) {
        return choose(exchange, tried, null);
    }

    /**
     * As {@link #choose(ServerWebExchange, List)}, for a request whose retries avoid the priority levels (localities)
     * its tries went to ({@code retryRemoteLocalities}); {@code priorities} null for the cluster's own load.
     */
    public @Nullable LbEndpoint choose(ServerWebExchange exchange, List<LbEndpoint> tried,
            @Nullable PreviousPriorities priorities) {
        boolean includeEjected = false;
        OutlierDetector detector = outlierDetector;
        if (detector != null) {
            detector.tick();
            boolean panic = detector.panic();
            if (panic && !priorityLevels) {
                includeEjected = true;
            } else if (!panic && detector.allEjected()) {
                return null;
            }
        }
        LbEndpoint endpoint = loadBalancer.choose(exchange, tried, includeEjected, priorities);
        if (endpoint == null && !tried.isEmpty()) {
            // Every eligible endpoint was tried: like Envoy's previous_hosts predicate once its attempts run out,
            // the retry goes to one of them again.
            endpoint = loadBalancer.choose(exchange, List.of(), includeEjected, priorities);
        }
        return endpoint;
    }

    /**
     * Reports how one try sent to {@code endpoint} ended, for outlier detection: the upstream's status, or for
     * a failure of the proxy's own (connect failure, reset, timeout) the status the proxy answers for it (503,
     * 504). Called once per try, from the thread that saw the outcome; must not block.
     */
    public void report(LbEndpoint endpoint, int status) {
        OutlierDetector detector = outlierDetector;
        if (detector != null) {
            detector.report(endpoint, status);
        }
    }

    /** The cluster's priority levels now (health, load, panic); empty when its endpoints have none. */
    public List<PriorityLevelStatus> priorityLevels() {
        return loadBalancer.priorityLevels();
    }

    /** The cluster's outlier detector, when its traffic policy configures one. */
    public @Nullable OutlierDetector outlierDetector() {
        return outlierDetector;
    }

    /**
     * The cluster's TLS client for {@code key}, made by {@code secure} on first use and kept for this runtime's life
     * (a pushed change of the cluster makes a new runtime, hence a new client).
     */
    public HttpClient tlsClient(Object key, Function<ClusterRuntime, HttpClient> secure) {
        return tlsClient(key, key, secure);
    }

    /**
     * The cluster's TLS client for {@code key} made of {@code material} (compared by identity): made by
     * {@code secure} when there is none for {@code key} or the one there was made of other material (a certificate
     * re-read since), replacing it; the connections of the replaced client stay open for the requests they carry.
     */
    public HttpClient tlsClient(Object key, Object material, Function<ClusterRuntime, HttpClient> secure) {
        MadeClient made = tlsClients.get(key);
        if (made == null || made.material() != material) {
            made = tlsClients.compute(key, (k, old) -> old != null && old.material() == material ? old
                    : new MadeClient(material));
        }
        int lane = pool.laneIndex();
        HttpClient client = made.byLane().get(lane);
        if (client == null) {
            made.byLane().compareAndSet(lane, null, secure.apply(this));
            client = made.byLane().get(lane);
        }
        return client;
    }

    /** The cluster's connection pool, HTTP client and circuit-breaker counters. */
    public ClusterConnectionPool pool() {
        return pool;
    }

    /**
     * Called once this runtime no longer serves: its cluster left the view ({@code successor} null) or changed.
     * Closes its pool, or, when the successor kept the pool, the connections to endpoints that are gone.
     */
    void retire(@Nullable ClusterRuntime successor) {
        if (successor == null || successor.pool != pool) {
            pool.dispose();
            return;
        }
        for (LbEndpoint old : endpoints) {
            boolean kept = false;
            for (LbEndpoint e : successor.endpoints) {
                kept |= e.hostPort().equals(old.hostPort());
            }
            if (!kept) {
                pool.disposeEndpoint(old.address(), old.port());
            }
        }
    }

    @Override
    public String toString() {
        return spec.name() + endpoints;
    }
}
