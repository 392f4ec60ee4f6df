package dev.meshgate.core.networking;

import java.util.Map;

/**
 * Istio's networking {@code WorkloadSelector} ({@code labels}), used by ServiceEntry and Sidecar. An empty
 * selector selects every workload of the namespace.
 */
public record WorkloadSelector(Map<String, String> labels) {

    public WorkloadSelector {
        labels = Immutable.map(labels);
    }
}
