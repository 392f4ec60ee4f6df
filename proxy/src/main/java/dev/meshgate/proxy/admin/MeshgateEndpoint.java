package dev.meshgate.proxy.admin;

import java.util.Map;

import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.discovery.DiscoveryClient;
import dev.meshgate.proxy.discovery.DiscoveryState;
import dev.meshgate.proxy.discovery.DiscoveryState.Rejection;
import dev.meshgate.proxy.listener.ListenerPorts;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code GET /actuator/meshgate}: who this proxy is, whether it is connected, which view it serves (as
 * amended by the app), the last view it rejected, and the ports its listeners are bound to.
 */
@Endpoint(id = "meshgate")
public final class MeshgateEndpoint {

    private final DiscoveryClient discovery;
    private final ListenerPorts ports;

    public MeshgateEndpoint(DiscoveryClient discovery, ListenerPorts ports) {
        this.discovery = discovery;
        this.ports = ports;
    }

    @ReadOperation
    public Status status() {
        DiscoveryState state = discovery.state();
        ProxyView view = state.view();
        return new Status(discovery.identity(), state.connected(), state.appliedVersion(),
                view == null ? null : view.snapshotVersion(), state.lastNack(), view, ports.ports());
    }

    /**
     * The endpoint's document, as docs/protocol.md describes it.
     *
     * @param ports the local port of each listener, by listener name
     */
    public record Status(ProxyIdentity proxy, boolean connected, @Nullable String appliedVersion,
            @Nullable String snapshotVersion, @Nullable Rejection lastNack, @Nullable ProxyView view,
            Map<String, Integer> ports) {
    }
}
