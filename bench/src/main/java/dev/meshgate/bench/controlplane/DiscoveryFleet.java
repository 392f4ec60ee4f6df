package dev.meshgate.bench.controlplane;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.jspecify.annotations.Nullable;
import org.springframework.web.reactive.socket.client.WebSocketClient;

import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.proxy.discovery.DiscoveryClient;
import dev.meshgate.proxy.route.MeshRouteTable;


/**
 * Many proxies' discovery clients in one JVM. A few ({@link #FULL}) are the proxy's own {@link DiscoveryClient}
 * (hello, push, ACK/NACK over the real WebSocket) applying every pushed view to its own {@link MeshRouteTable},
 * which compiles the whole view (virtual hosts, routes, matchers, clusters) as a proxy does; only the listening
 * sockets and the Spring context of a proxy are left out. The rest are {@link LightDiscoveryClient}s: each receives
 * every push whole over its own WebSocket and ACKs it without compiling it, so that thousands fit beside them,
 * sharing one JDK HTTP client.
 */
public final class DiscoveryFleet implements AutoCloseable {

    /** One proxy of the fleet: the snapshot it last applied and when ({@link System#nanoTime()}). */
    public interface Member {

        String id();

        /** The snapshot of the view it last applied (and ACKed), or null before the first. */
        @Nullable String appliedSnapshot();

        long appliedNanos();

        void stop();
    }

    /** A proxy's own discovery client compiling every view into its own route table. */
    private static final class FullMember implements Member {
        private final DiscoveryClient client;
        private final MeshRouteTable table = new MeshRouteTable();
        private volatile @Nullable String appliedSnapshot;
        private volatile long appliedNanos;

        FullMember(WebSocketClient webSocket, URI uri, ProxyIdentity identity) {
            this.client = new DiscoveryClient(webSocket, uri, identity, view -> {
                table.apply(view);
                // The ACK is sent as soon as apply returns: this is the proxy's ACK time.
                appliedNanos = System.nanoTime();
                appliedSnapshot = view.snapshotVersion();
                return view;
            }, Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(15));
        }

        @Override
        public @Nullable String appliedSnapshot() {
            return appliedSnapshot;
        }

        @Override
        public long appliedNanos() {
            return appliedNanos;
        }

        @Override
        public String id() {
            return client.identity().id();
        }

        @Override
        public void stop() {
            client.stop();
        }
    }

    /**
     * Clients per workload: a mesh's proxies are mostly replicas (a Deployment's pods), and the control plane
     * translates one view per workload ({@code Snapshot.of}); 2,000 clients are 200 workloads.
     */
    static final int REPLICAS = 10;
    /** Full clients in a fleet (at most half of it): enough to include real proxies applying the view. */
    static final int FULL = 10;

    private final List<Member> members = new ArrayList<>();
    private final List<LightDiscoveryClient> light = new ArrayList<>();
    /** Decodes and applies views for the light clients, once for all of them, off their sockets' threads. */
    private final ExecutorService decoding = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "light-discovery-views");
        thread.setDaemon(true);
        return thread;
    });
    private final SharedViews views = new SharedViews(decoding);
    /** The light clients' shared JDK client runs their listeners here: two threads, as the machine has cores. */
    private final ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "light-discovery");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Connects {@code count} clients to the control plane at {@code address} (host:port): {@link #full(int)} of
     * them full, spread evenly over the fleet (so over workloads), the others light.
     */
    public static DiscoveryFleet connect(String address, int count) {
        DiscoveryFleet fleet = new DiscoveryFleet();
        WebSocketClient webSocket = DiscoveryClient.webSocketClient();
        HttpClient shared = HttpClient.newBuilder().executor(fleet.executor).build();
        URI uri = URI.create("ws://" + address + "/v1/discovery");
        int full = full(count);
        int every = full == 0 ? Integer.MAX_VALUE : count / full;
        for (int i = 0; i < count; i++) {
            ProxyIdentity identity = MeshFixture.replica("bench-proxy-" + i, "bench-app-" + i / REPLICAS);
            if (i % every == 0 && i / every < full) {
                FullMember member = new FullMember(webSocket, uri, identity);
                fleet.members.add(member);
                member.client.start();
            } else {
                LightDiscoveryClient member = new LightDiscoveryClient(identity, fleet.views);
                fleet.members.add(member);
                fleet.light.add(member);
                member.start(shared, uri);
            }
        }
        return fleet;
    }

    /** How many of a fleet of {@code count} are full clients. */
    public static int full(int count) {
        return Math.min(FULL, (count + 1) / 2);
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    /** Whether every member has applied a view of a snapshot other than {@code previous} (null: any). */
    public boolean allAppliedOtherThan(@Nullable String previous) {
        return members.stream().allMatch(m -> m.appliedSnapshot() != null && !m.appliedSnapshot().equals(previous));
    }

    /** Characters of the frames the light clients received so far, together. */
    public long lightCharsReceived() {
        return light.stream().mapToLong(LightDiscoveryClient::charsReceived).sum();
    }

    /**
     * What went wrong with a light client (a bad frame, a connection that failed or ended), or null: the benchmark
     * stops waiting for a fleet that can no longer converge.
     */
    public @Nullable String problem() {
        for (LightDiscoveryClient client : light) {
            if (client.problem() != null) {
                return client.id() + ": " + client.problem();
            }
            if (client.closed()) {
                return client.id() + ": the connection ended";
            }
        }
        return null;
    }

    @Override
    public void close() {
        members.forEach(Member::stop);
        executor.shutdownNow();
        decoding.shutdownNow();
    }
}
