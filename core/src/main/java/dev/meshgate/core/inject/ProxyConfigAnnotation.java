package dev.meshgate.core.inject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.meshgate.core.networking.Durations;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.DiagnosticCode;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Implements the pod annotation {@value #ANNOTATION}: Istio's ProxyConfig (YAML) overriding the mesh's defaults for
 * one workload's proxy, for the fields meshgate has an equivalent of:
 * <ul>
 * <li>{@code proxyMetadata}: environment variables of the proxy container, as Istio sets them;</li>
 * <li>{@code terminationDrainDuration}: how long the stopping proxy lets requests in flight complete (its graceful
 * shutdown phase, {@code spring.lifecycle.timeout-per-shutdown-phase});</li>
 * <li>{@code holdApplicationUntilProxyStarts: true}: what the native sidecar always does (its startup probe holds
 * the app's containers).</li>
 * </ul>
 * Every other field, and {@code holdApplicationUntilProxyStarts: false} (the app cannot start first beside a native
 * sidecar), is a warning (MG1020) returned with the injection: the webhook answers it as an admission warning,
 * {@code meshctl kube-inject} prints it. An annotation that is not a YAML map, or a field of the wrong type, refuses
 * the injection (MG1021), as istiod fails it on a ProxyConfig it cannot parse.
 */
final class ProxyConfigAnnotation {

    static final String ANNOTATION = "proxy.istio.io/config";
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    final Map<String, String> metadata;
    final @Nullable Duration terminationDrainDuration;
    final List<Diagnostic> warnings;

    private ProxyConfigAnnotation(Map<String, String> metadata, @Nullable Duration terminationDrainDuration,
            List<Diagnostic> warnings) {
        this.metadata = metadata;
        this.terminationDrainDuration = terminationDrainDuration;
        this.warnings = warnings;
    }

    /**
     * The annotation of a pod, read ({@code kind} and {@code key} name the workload in diagnostics).
     *
     * @throws InjectionException when it is not a map or a field has the wrong type
     */
    static ProxyConfigAnnotation of(Map<String, String> annotations, String kind, @Nullable String key) {
        String text = annotations.get(ANNOTATION);
        Map<String, String> metadata = new TreeMap<>();
        List<Diagnostic> warnings = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return new ProxyConfigAnnotation(metadata, null, warnings);
        }
        JsonNode config;
        try {
            config = YAML.readTree(text);
        } catch (JacksonException e) {
            throw invalid(kind, key, "", "not YAML: " + e.getOriginalMessage());
        }
        if (config == null || !config.isObject()) {
            throw invalid(kind, key, "", "expected a ProxyConfig map, got " + (config == null ? "nothing"
                    : config.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
        }
        Duration drain = null;
        for (Map.Entry<String, JsonNode> field : config.properties()) {
            JsonNode value = field.getValue();
            switch (field.getKey()) {
                case "proxyMetadata" -> {
                    if (!value.isObject()) {
                        throw invalid(kind, key, ".proxyMetadata", "expected a map of strings");
                    }
                    for (Map.Entry<String, JsonNode> variable : value.properties()) {
                        if (!variable.getValue().isValueNode() || variable.getValue().isNull()) {
                            throw invalid(kind, key, ".proxyMetadata." + variable.getKey(), "expected a string");
                        }
                        metadata.put(variable.getKey(), variable.getValue().asString());
                    }
                }
                case "terminationDrainDuration" -> {
                    try {
                        drain = Durations.parse(value.asString(""));
                    } catch (IllegalArgumentException e) {
                        throw invalid(kind, key, ".terminationDrainDuration", "\"" + value.asString("") + "\" ("
                                + "expected: a duration such as 5s)");
                    }
                }
                case "holdApplicationUntilProxyStarts" -> {
                    if (!value.isBoolean()) {
                        throw invalid(kind, key, ".holdApplicationUntilProxyStarts", "expected true or false");
                    }
                    if (!value.asBoolean()) {
                        warnings.add(DiagnosticCode.KUBERNETES_PROXY_CONFIG_UNSUPPORTED.diagnostic(kind, key,
                                field(".holdApplicationUntilProxyStarts"), "false cannot be honoured: the native "
                                        + "sidecar's startup probe always holds the app's containers until the proxy "
                                        + "is ready", null));
                    }
                }
                default -> warnings.add(DiagnosticCode.KUBERNETES_PROXY_CONFIG_UNSUPPORTED.diagnostic(kind, key,
                        field("." + field.getKey()), "unsupported: not read by meshgate's sidecar (supported: "
                                + "proxyMetadata, terminationDrainDuration, holdApplicationUntilProxyStarts)", null));
            }
        }
        return new ProxyConfigAnnotation(metadata, drain, List.copyOf(warnings));
    }

    private static String field(String path) {
        return "metadata.annotations[" + ANNOTATION + "]" + path;
    }

    private static InjectionException invalid(String kind, @Nullable String key, String path, String message) {
        return new InjectionException(DiagnosticCode.KUBERNETES_PROXY_CONFIG_INVALID.diagnostic(kind, key,
                field(path), message, null));
    }
}
