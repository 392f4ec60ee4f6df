package dev.meshgate.core.telemetry;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.networking.Immutable;

import org.jspecify.annotations.Nullable;

/**
 * The spec of an Istio {@code Telemetry} ({@code telemetry.istio.io/v1}, {@code v1alpha1}): how the selected
 * proxies report metrics, traces and access logs. One in the root namespace without selector applies to the
 * mesh, one in a namespace without selector to that namespace, one with a selector to the matching workloads of
 * its namespace; the more specific one overrides the more general field by field.
 *
 * @param selector the workloads of the namespace it applies to; absent: the whole namespace
 * @param targetRef (deprecated) a gateway or waypoint it applies to: not supported
 * @param targetRefs gateways or waypoints it applies to: not supported
 */
public record Telemetry(@Nullable Selector selector, @Nullable PolicyTargetReference targetRef,
        List<PolicyTargetReference> targetRefs, List<Tracing> tracing, List<Metrics> metrics,
        List<AccessLogging> accessLogging) {

    public Telemetry {
        targetRefs = Immutable.list(targetRefs);
        tracing = Immutable.list(tracing);
        metrics = Immutable.list(metrics);
        accessLogging = Immutable.list(accessLogging);
    }

    /** Istio's {@code istio.type.v1beta1.WorkloadSelector}: {@code matchLabels}, all of which must match. */
    public record Selector(Map<String, String> matchLabels) {
        public Selector {
            matchLabels = Immutable.map(matchLabels);
        }
    }

    /** Istio's {@code istio.type.v1beta1.PolicyTargetReference}. */
    public record PolicyTargetReference(@Nullable String group, @Nullable String kind, @Nullable String name,
            @Nullable String namespace) {
    }

    /** A provider by its name in MeshConfig {@code extensionProviders} (or a built-in: {@code prometheus}, {@code envoy}). */
    public record ProviderRef(@Nullable String name) {
    }

    /** Which side of the traffic a setting applies to: the client (outbound, gateway) or the server (inbound). */
    public enum WorkloadMode {
        CLIENT_AND_SERVER,
        CLIENT,
        SERVER;

        /** Whether a setting for this mode applies to {@code side} (CLIENT or SERVER). */
        public boolean covers(WorkloadMode side) {
            return this == CLIENT_AND_SERVER || this == side;
        }
    }
}
