package dev.meshgate.core.translate.http;

import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.networking.virtualservice.HttpRetry;
import dev.meshgate.core.translate.cluster.ClusterKey;
import dev.meshgate.core.view.ProxyIdentity;

/**
 * What the routes of one virtual host are translated for.
 *
 * @param proxy the proxy being compiled: its labels decide {@code sourceLabels}, its namespace
 *     {@code sourceNamespace}
 * @param gateways {@code mesh} for a sidecar, else the {@code ns/name} of the Gateways the VirtualService is
 *     bound through for this virtual host: a match-level {@code gateways} holds when it names one of them
 * @param port the port of the virtual host (service port, or gateway server port): {@code match.port} is
 *     checked against it, and it is a destination's port when nothing else gives one
 * @param clusters collects every cluster a route names
 */
public record RouteContext(MeshIndex index, ProxyIdentity proxy, Set<String> gateways, int port, Set<ClusterKey> clusters) {

    /**
     * MeshConfig's {@code defaultHttpRetryPolicy}: the retries of a route without {@code retries}; null for Istio's
     * built-in default ({@link HttpRetryTranslator#DEFAULT}). The one place the translator reads it from.
     */
    public @Nullable HttpRetry meshDefaultRetries() {
        return index.settings().defaultHttpRetryPolicy();
    }
}
