package dev.meshgate.controlplane.source.kubernetes;

import java.net.URI;
import java.time.Duration;

import dev.meshgate.core.resource.Kind;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Kubernetes mode's settings, {@code meshgate.control-plane.kubernetes.*} (docs/protocol.md); the mode itself is
 * chosen by {@code meshgate.control-plane.config-source=kubernetes}.
 *
 * @param apiServer the API server's URL; unset, the client's own discovery applies (the pod's service account in a
 *     cluster, else {@code $KUBECONFIG} or {@code ~/.kube/config})
 * @param istioVersion the networking.istio.io version watched ({@code v1}, {@code v1beta1} or {@code v1alpha3}): the
 *     API server serves every stored object in each served version, so one is enough
 * @param securityVersion the security.istio.io version watched ({@code v1} or {@code v1beta1})
 * @param telemetryVersion the telemetry.istio.io version watched ({@code v1} or {@code v1alpha1})
 * @param meshConfigNamespace namespace of the ConfigMap holding the MeshConfig (Istio's {@code istio-system})
 * @param meshConfigName name of that ConfigMap; its {@code mesh} key is the MeshConfig (Istio's {@code istio})
 * @param resync how often the informers replay their caches (a safety net, not a relist)
 * @param syncTimeout how long start-up waits for the first list of every informer before serving what it has
 */
@ConfigurationProperties("meshgate.control-plane.kubernetes")
public record KubernetesSourceProperties(
        @Nullable URI apiServer,
        @DefaultValue("v1") String istioVersion,
        @DefaultValue("v1") String securityVersion,
        @DefaultValue("v1") String telemetryVersion,
        @DefaultValue("istio-system") String meshConfigNamespace,
        @DefaultValue("istio") String meshConfigName,
        @DefaultValue("10m") Duration resync,
        @DefaultValue("30s") Duration syncTimeout) {

    public KubernetesSourceProperties {
        checkVersion("istio-version", istioVersion, Kind.NETWORKING_VERSIONS);
        checkVersion("security-version", securityVersion, Kind.SECURITY_VERSIONS);
        checkVersion("telemetry-version", telemetryVersion, Kind.TELEMETRY_VERSIONS);
        if (resync.isNegative()) {
            throw new IllegalArgumentException("meshgate.control-plane.kubernetes.resync: " + resync
                    + " (expected: >= 0)");
        }
        if (syncTimeout.isNegative() || syncTimeout.isZero()) {
            throw new IllegalArgumentException("meshgate.control-plane.kubernetes.sync-timeout: " + syncTimeout
                    + " (expected: > 0)");
        }
    }

    private static void checkVersion(String property, String version, java.util.Set<String> served) {
        if (!served.contains(version)) {
            throw new IllegalArgumentException("meshgate.control-plane.kubernetes." + property + ": " + version
                    + " (expected: one of " + new java.util.TreeSet<>(served) + ")");
        }
    }

    /** The defaults, against this API server. */
    public static KubernetesSourceProperties of(@Nullable URI apiServer) {
        return new KubernetesSourceProperties(apiServer, "v1", "v1", "v1", "istio-system", "istio",
                Duration.ofMinutes(10), Duration.ofSeconds(30));
    }

    /** The version watched of {@code kind}'s API group. */
    public String version(Kind kind) {
        return switch (kind.group()) {
            case "security.istio.io" -> securityVersion;
            case "telemetry.istio.io" -> telemetryVersion;
            default -> istioVersion;
        };
    }
}
