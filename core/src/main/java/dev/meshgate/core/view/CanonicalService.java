package dev.meshgate.core.view;

import java.util.Map;

/**
 * A workload's canonical service and revision, as Istio derives them from its labels: the name from
 * {@code service.istio.io/canonical-name}, {@code app.kubernetes.io/name}, {@code app}, else the workload's name;
 * the revision from {@code service.istio.io/canonical-revision}, {@code app.kubernetes.io/version},
 * {@code version}, else {@code latest}. The one definition metrics and traces share.
 */
public record CanonicalService(String name, String revision) {

    /** The canonical service of a workload named {@code workload} with {@code labels}. */
    public static CanonicalService of(Map<String, String> labels, String workload) {
        return new CanonicalService(
                first(labels, workload, "service.istio.io/canonical-name", "app.kubernetes.io/name", "app"),
                first(labels, "latest", "service.istio.io/canonical-revision", "app.kubernetes.io/version",
                        "version"));
    }

    private static String first(Map<String, String> labels, String fallback, String... keys) {
        for (String key : keys) {
            String value = labels.get(key);
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return fallback;
    }
}
