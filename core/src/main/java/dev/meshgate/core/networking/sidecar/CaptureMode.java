package dev.meshgate.core.networking.sidecar;

/** Istio's {@code CaptureMode}: how traffic reaches a sidecar listener. */
public enum CaptureMode {
    DEFAULT,
    IPTABLES,
    NONE
}
