package dev.meshgate.cli.manifest;

import java.util.Locale;

/**
 * istioctl's install profiles ({@code --set profile=NAME}) that meshgate renders: which components are installed and
 * the mesh defaults they start from, before any other {@code --set}.
 */
public enum InstallProfile {

    /** The control plane only (Istio's {@code minimal}): for a revision installed beside the default one. */
    MINIMAL(false, false, false, ""),
    /** The control plane and the ingress gateway (Istio's {@code default}). */
    DEFAULT(true, false, false, ""),
    /**
     * As Istio's {@code demo}: also the egress gateway, access logs on stdout, every request traced, and the
     * tutorial's resources (the {@code web} app in two versions with its Gateway, VirtualService and DestinationRule).
     */
    DEMO(true, true, true, """
            accessLogFile: /dev/stdout
            enableTracing: true
            defaultConfig:
              tracing:
                sampling: 100
            """);

    private final boolean ingressGateway;
    private final boolean egressGateway;
    private final boolean samples;
    private final String meshConfig;

    InstallProfile(boolean ingressGateway, boolean egressGateway, boolean samples, String meshConfig) {
        this.ingressGateway = ingressGateway;
        this.egressGateway = egressGateway;
        this.samples = samples;
        this.meshConfig = meshConfig;
    }

    boolean ingressGateway() {
        return ingressGateway;
    }

    boolean egressGateway() {
        return egressGateway;
    }

    boolean samples() {
        return samples;
    }

    /** The profile's MeshConfig fields beyond the install's own ({@code rootNamespace}, {@code trustDomain}). */
    String meshConfig() {
        return meshConfig;
    }

    /** The name istioctl uses ({@code default}, {@code demo}, {@code minimal}). */
    public String profileName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
