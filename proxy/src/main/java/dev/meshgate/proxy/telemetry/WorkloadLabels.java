package dev.meshgate.proxy.telemetry;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.view.CanonicalService;

/**
 * The label values Istio's metrics carry for one side of a request (a workload): computed once per workload (the
 * proxy itself, or a peer decoded from its metadata), never per request.
 *
 * @param workload {@code *_workload}
 * @param namespace {@code *_workload_namespace}
 * @param app {@code *_app}: the {@code app} label
 * @param version {@code *_version}: the {@code version} label
 * @param canonicalService {@code *_canonical_service}
 * @param canonicalRevision {@code *_canonical_revision}
 * @param cluster {@code *_cluster}
 */
public record WorkloadLabels(String workload, String namespace, String app, String version,
        String canonicalService, String canonicalRevision, String cluster) {

    public static final String UNKNOWN_VALUE = "unknown";

    /** A peer that did not say who it is. */
    public static final WorkloadLabels UNKNOWN = new WorkloadLabels(UNKNOWN_VALUE, UNKNOWN_VALUE, UNKNOWN_VALUE,
            UNKNOWN_VALUE, UNKNOWN_VALUE, UNKNOWN_VALUE, UNKNOWN_VALUE);

    /** The labels of a workload, its canonical service and revision by Istio's precedence ({@link CanonicalService}). */
    public static WorkloadLabels of(@Nullable String workloadName, @Nullable String namespace,
            Map<String, String> labels, @Nullable String cluster) {
        String workload = orUnknown(workloadName);
        CanonicalService canonical = CanonicalService.of(labels, workload);
        return new WorkloadLabels(workload, orUnknown(namespace), orUnknown(labels.get("app")),
                orUnknown(labels.get("version")), canonical.name(), canonical.revision(), orUnknown(cluster));
    }

    private static String orUnknown(@Nullable String value) {
        return value == null || value.isEmpty() ? UNKNOWN_VALUE : value;
    }
}
