package dev.meshgate.sidecar.interception;

/** How traffic reaches the sidecar's listeners (Istio's {@code sidecar.istio.io/interceptionMode}). */
public enum InterceptionMode {
    /** The app addresses the sidecar itself (an HTTP proxy setting, or its port): today's local mode. */
    NONE,
    /** iptables REDIRECT sends the pod's TCP to the listeners; the original destination picks what happens. */
    REDIRECT
}
