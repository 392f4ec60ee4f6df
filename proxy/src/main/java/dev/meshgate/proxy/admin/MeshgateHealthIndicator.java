package dev.meshgate.proxy.admin;

import dev.meshgate.proxy.discovery.DiscoveryClient;
import dev.meshgate.proxy.discovery.DiscoveryState;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The proxy is UP once it serves a view from the control plane, and stays UP while the control plane is away
 * (it keeps serving that view); {@code connected} says whether the stream is open right now.
 */
public final class MeshgateHealthIndicator implements HealthIndicator {

    private final DiscoveryClient discovery;

    public MeshgateHealthIndicator(DiscoveryClient discovery) {
        this.discovery = discovery;
    }

    @Override
    public Health health() {
        DiscoveryState state = discovery.state();
        Health.Builder health = state.appliedVersion() == null ? Health.down() : Health.up();
        health.withDetail("connected", state.connected());
        if (state.appliedVersion() != null) {
            health.withDetail("appliedVersion", state.appliedVersion());
        }
        if (state.view() != null) {
            health.withDetail("snapshotVersion", state.view().snapshotVersion());
        }
        return health.build();
    }
}
