package dev.meshgate.core.discovery;

import dev.meshgate.core.view.ProxyIdentity;

import org.jspecify.annotations.Nullable;

/**
 * First frame a proxy sends: who it is, the view version it still serves from an earlier connection
 * (so that a reconnect after a control-plane restart is not re-applied needlessly), and where its admin port is.
 *
 * @param adminAddress {@code host:port} of the proxy's admin (actuator) server, for {@code meshctl proxy-config};
 *     null when unknown
 */
public record Hello(ProxyIdentity proxy, @Nullable String appliedVersion, @Nullable String adminAddress)
        implements DiscoveryMessage {

    /** A hello without an admin address. */
    public Hello(ProxyIdentity proxy, @Nullable String appliedVersion) {
        this(proxy, appliedVersion, null);
    }
}
