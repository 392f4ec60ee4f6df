package dev.meshgate.bench.controlplane;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.web.reactive.socket.client.WebSocketClient;

import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.proxy.discovery.DiscoveryClient;
import dev.meshgate.proxy.route.MeshRouteTable;

/**
 * Many proxies' discovery clients in one JVM: each is the proxy's own {@link DiscoveryClient} (hello, push,
 * ACK/NACK over the real WebSocket) applying every pushed view to its own {@link MeshRouteTable}, which compiles
 * the whole view (virtual hosts, routes, matchers, clusters) as a proxy does. Only the listening sockets and the
 * Spring context of a proxy are left out.
 */
public final class DiscoveryFleet implements AutoCloseable {

    /** One proxy of the fleet: the snapshot it last applied and when ({@link System#nanoTime()}). */
    public static final class Member {
        private final DiscoveryClient client;
        private final MeshRouteTable table = new MeshRouteTable();
        private volatile String appliedSnapshot;
        private volatile long appliedNanos;

        Member(WebSocketClient webSocket, URI uri, ProxyIdentity identity) {
            this.client = new DiscoveryClient(webSocket, uri, identity, view -> {
                table.apply(view);
                // The ACK is sent as soon as apply returns: this is the proxy's ACK time.
                appliedNanos = System.nanoTime();
                appliedSnapshot = view.snapshotVersion();
                return view;
            }, Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(15));
        }

        public String appliedSnapshot() {
            return appliedSnapshot;
        }

        public long appliedNanos() {
            return appliedNanos;
        }

        public String id() {
            return client.identity().id();
        }
    }

    /**
     * Clients per workload: a mesh's proxies are mostly replicas (a Deployment's pods), and the control plane
     * translates one view per workload ({@code Snapshot.of}); 100 clients are 10 workloads.
     */
    static final int REPLICAS = 10;

    private final List<Member> members = new ArrayList<>();

    /** Connects {@code count} clients to the control plane at {@code address} (host:port). */
    public static DiscoveryFleet connect(String address, int count) {
        DiscoveryFleet fleet = new DiscoveryFleet();
        WebSocketClient webSocket = DiscoveryClient.webSocketClient();
        URI uri = URI.create("ws://" + address + "/v1/discovery");
        for (int i = 0; i < count; i++) {
            Member member = new Member(webSocket, uri,
                    MeshFixture.replica("bench-proxy-" + i, "bench-app-" + i / REPLICAS));
            fleet.members.add(member);
            member.client.start();
        }
        return fleet;
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    /** Whether every member has applied a view of a snapshot other than {@code previous} (null: any). */
    public boolean allAppliedOtherThan(String previous) {
        return members.stream().allMatch(m -> m.appliedSnapshot() != null && !m.appliedSnapshot().equals(previous));
    }

    @Override
    public void close() {
        members.forEach(member -> member.client.stop());
    }
}
