package dev.meshgate.proxy.admin;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.cluster.OutlierDetector;
import dev.meshgate.proxy.cluster.OutlierDetector.EndpointStatus;
import dev.meshgate.proxy.loadbalancer.PriorityLevelStatus;
import dev.meshgate.proxy.discovery.DiscoveryClient;
import dev.meshgate.proxy.discovery.DiscoveryState;
import dev.meshgate.proxy.discovery.DiscoveryState.Rejection;
import dev.meshgate.proxy.listener.ListenerPorts;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code GET /actuator/meshgate}: who this proxy is, whether it is connected, which view it serves (as
 * amended by the app), the last view it rejected, the ports its listeners are bound to, and the outlier-detection
 * state of each cluster that has outlier detection (which endpoints are ejected, for how much longer).
 */
@Endpoint(id = "meshgate")
public final class MeshgateEndpoint {

    private final DiscoveryClient discovery;
    private final ListenerPorts ports;
    private final Supplier<Collection<ClusterRuntime>> clusters;
    private final Supplier<@Nullable Map<String, Object>> certificate;

    public MeshgateEndpoint(DiscoveryClient discovery, ListenerPorts ports) {
        this(discovery, ports, List::of);
    }

    /** @param clusters the cluster runtimes serving now */
    public MeshgateEndpoint(DiscoveryClient discovery, ListenerPorts ports,
            Supplier<Collection<ClusterRuntime>> clusters) {
        this(discovery, ports, clusters, () -> null);
    }

    private MeshgateEndpoint(DiscoveryClient discovery, ListenerPorts ports,
            Supplier<Collection<ClusterRuntime>> clusters, Supplier<@Nullable Map<String, Object>> certificate) {
        this.discovery = discovery;
        this.ports = ports;
        this.clusters = clusters;
        this.certificate = certificate;
    }

    /** This endpoint showing, under {@code certificate}, the workload certificate's identity, expiry and rotations. */
    public MeshgateEndpoint withCertificate(Supplier<@Nullable Map<String, Object>> certificate) {
        return new MeshgateEndpoint(discovery, ports, clusters, certificate);
    }

    @ReadOperation
    public Status status() {
        DiscoveryState state = discovery.state();
        ProxyView view = state.view();
        return new Status(discovery.identity(), state.connected(), state.appliedVersion(),
                view == null ? null : view.snapshotVersion(), state.lastNack(), view, ports.ports(),
                outlierDetection(), priorityLevels(), certificate.get());
    }

    private Map<String, List<PriorityLevelStatus>> priorityLevels() {
        Map<String, List<PriorityLevelStatus>> map = new TreeMap<>();
        for (ClusterRuntime cluster : clusters.get()) {
            List<PriorityLevelStatus> levels = cluster.priorityLevels();
            if (!levels.isEmpty()) {
                map.put(cluster.name(), levels);
            }
        }
        return map;
    }

    private Map<String, List<EndpointStatus>> outlierDetection() {
        Map<String, List<EndpointStatus>> map = new TreeMap<>();
        for (ClusterRuntime cluster : clusters.get()) {
            OutlierDetector detector = cluster.outlierDetector();
            if (detector != null) {
                detector.tick(); // an idle cluster's expired ejections show as ended
                map.put(cluster.name(), detector.status());
            }
        }
        return map;
    }

    /**
     * The endpoint's document, as docs/protocol.md describes it.
     *
     * @param ports the local port of each listener, by listener name
     * @param outlierDetection by cluster name, for clusters with outlier detection: each endpoint's state
     * @param priorityLevels by cluster name, for clusters whose endpoints have priorities or locality weights
     *     ({@code localityLbSetting}): each level's endpoints, healthy ones, health, load and panic
     * @param certificate the workload certificate (identity, serial number, validity, next rotation, rotations), or
     *     null for a proxy without credentials
     */
    public record Status(ProxyIdentity proxy, boolean connected, @Nullable String appliedVersion,
            @Nullable String snapshotVersion, @Nullable Rejection lastNack, @Nullable ProxyView view,
            Map<String, Integer> ports, Map<String, List<EndpointStatus>> outlierDetection,
            Map<String, List<PriorityLevelStatus>> priorityLevels, @Nullable Map<String, Object> certificate) {
    }
}
