package dev.meshgate.proxy.authz;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

/**
 * Where authorization learns who the downstream peer is: the seam mTLS plugs into (a bean of this type replaces
 * {@link #UNKNOWN}). Until then every peer is unknown, and policies see it as Istio sees a plaintext peer: rules
 * requiring {@code principals}, {@code namespaces} or {@code serviceAccounts} (or {@code source.principal},
 * {@code source.namespace} conditions) do not match it, their {@code not*} forms do.
 */
@FunctionalInterface
public interface PeerIdentityResolver {

    /** No peer is ever authenticated: the state before mTLS. */
    PeerIdentityResolver UNKNOWN = exchange -> null;

    /** The peer's authenticated identity, or null when it has none (plaintext, or not known). */
    @Nullable PeerIdentity peer(ServerWebExchange exchange);
}
