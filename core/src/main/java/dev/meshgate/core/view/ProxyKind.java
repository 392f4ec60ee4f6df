package dev.meshgate.core.view;

/** What a proxy is: a sidecar beside one workload, or a gateway at the edge of the mesh. */
public enum ProxyKind {
    SIDECAR,
    GATEWAY
}
