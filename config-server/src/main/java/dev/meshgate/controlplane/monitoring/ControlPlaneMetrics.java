package dev.meshgate.controlplane.monitoring;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.validation.Diagnostic;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The control plane's metrics, named, typed and labelled as istiod's where they mean the same thing
 * (istio/istio {@code pilot/pkg/xds/monitoring.go}), so that dashboards and alerts written for istiod read them.
 *
 * <p>meshgate pushes one resource, the proxy's whole view, where istiod pushes LDS, RDS, CDS and EDS apart: the
 * {@code type} label of {@code pilot_xds_pushes}, {@code pilot_xds_push_time} and {@code pilot_total_xds_rejects}
 * is {@code view}. {@code pilot_proxy_convergence_time} runs from the snapshot's publication (or, for a proxy
 * that just connected, its hello) to the push being sent; the debounce before it is {@code pilot_debounce_time}.
 * Times are in seconds, in istiod's buckets.
 */
public final class ControlPlaneMetrics {

    /** The value of the {@code type} label: what a push carries. */
    public static final String VIEW_TYPE = "view";

    /**
     * Counters that istiod exports without the {@code _total} suffix Micrometer gives every counter; the
     * exposition ({@link PrometheusEndpoint}) restores istiod's names.
     */
    static final Set<String> ISTIO_COUNTERS = Set.of("pilot_xds_pushes", "pilot_total_xds_rejects");

    /** Kind label of invalid resources whose kind could not be read (an unparseable document). */
    static final String UNKNOWN_KIND = "unknown";

    private static final double[] PUSH_BUCKETS = {.01, .1, 1, 3, 5, 10, 20, 30};
    private static final double[] CONVERGENCE_BUCKETS = {.1, .5, 1, 3, 5, 10, 20, 30};

    private final MeterRegistry registry;
    private final Counter pushes;
    private final Counter rejects;
    private final Counter refused;
    private final DistributionSummary pushTime;
    private final DistributionSummary convergence;
    private final DistributionSummary debounce;
    private volatile int services;
    private volatile int virtualServices;
    private volatile Map<String, Integer> invalid = Map.of();
    private final Set<String> invalidKinds = ConcurrentHashMap.newKeySet();

    public ControlPlaneMetrics(MeterRegistry registry) {
        this.registry = registry;
        pushes = Counter.builder("pilot_xds_pushes").description("Views pushed to proxies, by type.")
                .tag("type", VIEW_TYPE).register(registry);
        rejects = Counter.builder("pilot_total_xds_rejects").description("Pushes rejected (NACKed) by proxies.")
                .tag("type", VIEW_TYPE).register(registry);
        refused = Counter.builder("meshgate_refused_pushes")
                .description("Views not pushed because the proxy's acceptance check would refuse them.")
                .register(registry);
        pushTime = seconds("pilot_xds_push_time", "Time in seconds to compute, check and send a proxy's view.",
                PUSH_BUCKETS).tag("type", VIEW_TYPE).register(registry);
        convergence = seconds("pilot_proxy_convergence_time",
                "Delay in seconds between a snapshot's publication and a proxy being sent its view of it.",
                CONVERGENCE_BUCKETS).register(registry);
        debounce = seconds("pilot_debounce_time",
                "Delay in seconds between the first change of a burst and the rebuild it triggers.", PUSH_BUCKETS)
                .register(registry);
        Gauge.builder("pilot_services", this, m -> m.services).description("Total services known to the control plane.")
                .register(registry);
        Gauge.builder("pilot_virt_services", this, m -> m.virtualServices)
                .description("Total VirtualServices accepted by the control plane.").register(registry);
        for (Kind kind : Kind.values()) {
            invalidGauge(kind.name());
        }
        invalidGauge(UNKNOWN_KIND);
    }

    /** Metrics kept in a registry of their own, for a server built without one (tests). */
    public static ControlPlaneMetrics unregistered() {
        return new ControlPlaneMetrics(new SimpleMeterRegistry());
    }

    /** {@code pilot_xds}: the number of proxies connected now, read on every scrape. */
    public void connectedProxies(IntSupplier connected) {
        // A strong reference: Micrometer holds a gauge's object weakly, and the supplier is often a lambda.
        Gauge.builder("pilot_xds", connected, IntSupplier::getAsInt).strongReference(true)
                .description("Number of proxies connected to the control plane.").register(registry);
    }

    /**
     * {@code meshgate_leader}: 1 while this replica holds the status writer's Lease, else 0, read on every scrape
     * (Kubernetes mode with leader election; istiod exports no such gauge, so the name is meshgate's).
     */
    public void leader(java.util.function.BooleanSupplier leading) {
        Gauge.builder("meshgate_leader", leading, l -> l.getAsBoolean() ? 1 : 0).strongReference(true)
                .description("1 when this control-plane replica holds the status writer's Lease, else 0.")
                .register(registry);
    }

    /** A view was sent: it took {@code pushNanos}, {@code sinceChangeNanos} after the change it carries. */
    public void pushed(long pushNanos, long sinceChangeNanos) {
        pushes.increment();
        pushTime.record(toSeconds(pushNanos));
        convergence.record(toSeconds(sinceChangeNanos));
    }

    /** A proxy NACKed a push. */
    public void rejected() {
        rejects.increment();
    }

    /** A view was not pushed: the proxy would refuse it. */
    public void refused() {
        refused.increment();
    }

    /** A burst of changes was debounced for {@code nanos} before the rebuild it triggers. */
    public void debounced(long nanos) {
        debounce.record(toSeconds(nanos));
    }

    /**
     * A snapshot was built: the services and VirtualServices it holds, and the resources its errors keep out
     * (one per kind and {@code namespace/name}, however many errors it has).
     */
    public void snapshotBuilt(int serviceCount, int virtualServiceCount, List<Diagnostic> diagnostics) {
        services = serviceCount;
        virtualServices = virtualServiceCount;
        Map<String, Set<String>> byKind = new HashMap<>();
        for (Diagnostic d : diagnostics) {
            if (d.severity() == Diagnostic.Severity.ERROR) {
                String kind = d.kind() == null ? UNKNOWN_KIND : d.kind();
                String resource = d.resource() == null ? String.valueOf(d.source()) : d.resource();
                byKind.computeIfAbsent(kind, k -> new HashSet<>()).add(resource);
            }
        }
        Map<String, Integer> counts = new HashMap<>();
        byKind.forEach((kind, resources) -> {
            counts.put(kind, resources.size());
            invalidGauge(kind); // a kind of a file's own (e.g. MeshConfig): registered once, kept at 0 after
        });
        invalid = Map.copyOf(counts);
    }

    private void invalidGauge(String kind) {
        if (!invalidKinds.add(kind)) {
            return;
        }
        Gauge.builder("meshgate_invalid_resources", this, m -> m.invalid.getOrDefault(kind, 0))
                .description("Resources left out of the mesh because they are invalid, by kind.").tag("kind", kind)
                .register(registry);
    }

    private static DistributionSummary.Builder seconds(String name, String description, double[] buckets) {
        // A summary in seconds rather than a Timer: Micrometer would append "_seconds" to a Timer's name.
        return DistributionSummary.builder(name).description(description).serviceLevelObjectives(buckets);
    }

    private static double toSeconds(long nanos) {
        return nanos / (double) TimeUnit.SECONDS.toNanos(1);
    }
}
