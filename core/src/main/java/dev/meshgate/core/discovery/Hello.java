package dev.meshgate.core.discovery;

import dev.meshgate.core.view.ProxyIdentity;

import org.jspecify.annotations.Nullable;

/**
 * First frame a proxy sends: who it is, and the view version it still serves from an earlier connection
 * (so that a reconnect after a control-plane restart is not re-applied needlessly).
 */
public record Hello(ProxyIdentity proxy, @Nullable String appliedVersion) implements DiscoveryMessage {
}
