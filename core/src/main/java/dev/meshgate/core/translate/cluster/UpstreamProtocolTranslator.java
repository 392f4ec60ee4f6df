package dev.meshgate.core.translate.cluster;

import dev.meshgate.core.view.ClusterSpec.UpstreamProtocol;
import dev.meshgate.core.view.ConnectionPoolSpec;

/**
 * Implements the protocol a cluster speaks to its endpoints, as Istio's cluster builder sets Envoy's upstream
 * HTTP protocol options: the service port's protocol ({@code HTTP2}, {@code GRPC}, {@code GRPC-WEB}: HTTP/2),
 * then {@code DestinationRule.spec.trafficPolicy.connectionPool.http.useClientProtocol} (the client's version),
 * then {@code connectionPool.http.h2UpgradePolicy: UPGRADE} (an {@code HTTP} port upgraded to HTTP/2). A port
 * without a declared protocol is sniffed by Istio and keeps the client's version; everything else is HTTP/1.1.
 * The mesh-wide {@code h2UpgradePolicy} of MeshConfig is not read: its default, {@code DO_NOT_UPGRADE}, applies.
 */
public final class UpstreamProtocolTranslator {

    private UpstreamProtocolTranslator() {
    }

    /**
     * @param portProtocol Istio's protocol name of the service port, upper-case; empty when not declared
     * @param pool the cluster's connection pool settings
     */
    public static UpstreamProtocol translate(String portProtocol, ConnectionPoolSpec pool) {
        switch (portProtocol) {
            case "HTTP2", "GRPC", "GRPC-WEB" -> {
                return UpstreamProtocol.HTTP2;
            }
            default -> {
                // other protocols below
            }
        }
        if (pool.useClientProtocol()) {
            return UpstreamProtocol.USE_DOWNSTREAM;
        }
        if (portProtocol.equals("HTTP") && pool.h2Upgrade()) {
            return UpstreamProtocol.HTTP2;
        }
        return portProtocol.isEmpty() ? UpstreamProtocol.USE_DOWNSTREAM : UpstreamProtocol.HTTP1;
    }
}
