package dev.meshgate.core.translate.http;

import java.util.Set;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.translate.cluster.ClusterKey;
import dev.meshgate.core.view.ProxyIdentity;

/**
 * What the routes of one virtual host are translated for.
 *
 * @param proxy the proxy being compiled: its labels decide {@code sourceLabels}, its namespace
 *     {@code sourceNamespace}
 * @param gateway {@code mesh} for a sidecar, else the {@code ns/name} of the Gateway the VirtualService is bound
 *     through: match-level {@code gateways} are checked against it
 * @param port the port of the virtual host (service port, or gateway server port): {@code match.port} is
 *     checked against it, and it is a destination's port when nothing else gives one
 * @param clusters collects every cluster a route names
 */
public record RouteContext(MeshIndex index, ProxyIdentity proxy, String gateway, int port, Set<ClusterKey> clusters) {
}
