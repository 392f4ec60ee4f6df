package dev.meshgate.core.security;

import java.util.Map;

import dev.meshgate.core.networking.Immutable;

/**
 * Istio's {@code type.v1beta1.WorkloadSelector} ({@code matchLabels}), the selector of the security kinds. An empty
 * selector selects every workload of the policy's namespace (of the mesh, in the root namespace).
 */
public record SecurityWorkloadSelector(Map<String, String> matchLabels) {

    public SecurityWorkloadSelector {
        matchLabels = Immutable.map(matchLabels);
    }

    /** Whether a workload with {@code labels} carries every label of this selector. */
    public boolean selects(Map<String, String> labels) {
        for (Map.Entry<String, String> label : matchLabels.entrySet()) {
            if (!label.getValue().equals(labels.get(label.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
