package dev.meshgate.core.discovery;

import dev.meshgate.core.view.ProxyIdentity;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * First frame a proxy sends: who it is, the view version it still serves from an earlier connection
 * (so that a reconnect after a control-plane restart is not re-applied needlessly), and where its admin port is.
 *
 * @param adminAddress {@code host:port} of the proxy's admin (actuator) server, for {@code meshctl proxy-config};
 *     null when unknown
 * @param deltas the proxy applies {@link Delta} frames; a proxy that does not say so (one older than them) is
 *     always pushed whole views
 */
public record Hello(ProxyIdentity proxy, @Nullable String appliedVersion, @Nullable String adminAddress,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean deltas) implements DiscoveryMessage {

    /** A hello of a proxy that takes only whole views. */
    public Hello(ProxyIdentity proxy, @Nullable String appliedVersion, @Nullable String adminAddress) {
        this(proxy, appliedVersion, adminAddress, false);
    }

    /** A hello without an admin address, of a proxy that takes only whole views. */
    public Hello(ProxyIdentity proxy, @Nullable String appliedVersion) {
        this(proxy, appliedVersion, null);
    }
}
