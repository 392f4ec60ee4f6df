package dev.meshgate.core.mesh;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.json.JsonMapper;

import dev.meshgate.core.mesh.MeshConfig.AccessLogEncoding;

/**
 * MeshConfig's {@code extensionProviders[].envoyFileAccessLog}: an access log a Telemetry's
 * {@code accessLogging[].providers} or {@code defaultProviders.accessLogging} turns on by the provider's name.
 * {@code logFormat.text} is Envoy's text format; {@code logFormat.labels} the JSON form (one key per label, each a
 * format string); neither: Istio's default text format.
 *
 * @param path where the entries go (Istio's default {@code /dev/stdout})
 * @param encoding TEXT or JSON (JSON when {@code labels} are given)
 * @param format the text format, or the labels as a JSON object of format strings; null: Istio's default
 */
public record EnvoyFileAccessLog(String path, AccessLogEncoding encoding, @Nullable String format) {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> FIELDS = Set.of("path", "logFormat");
    private static final Set<String> FORMAT_FIELDS = Set.of("text", "labels", "omitEmptyValues");

    /**
     * The provider {@code fields} (as MeshConfig holds it) describe; every problem goes to {@code problem} as
     * (field relative to the provider, message): {@code unknown field}, a message prefixed {@code unsupported: },
     * or a format that does not parse.
     */
    public static EnvoyFileAccessLog of(Map<String, Object> fields, BiConsumer<String, String> problem) {
        fields.keySet().stream().filter(f -> !FIELDS.contains(f)).forEach(f -> problem.accept(f, "unknown field"));
        String path = fields.get("path") instanceof String p && !p.isEmpty() ? p : "/dev/stdout";
        if (!(fields.get("logFormat") instanceof Map<?, ?> logFormat)) {
            return new EnvoyFileAccessLog(path, AccessLogEncoding.TEXT, null);
        }
        logFormat.keySet().stream().filter(f -> !FORMAT_FIELDS.contains(String.valueOf(f)))
                .forEach(f -> problem.accept("logFormat." + f, "unknown field"));
        if (Boolean.TRUE.equals(logFormat.get("omitEmptyValues"))) {
            problem.accept("logFormat.omitEmptyValues",
                    "unsupported: omitEmptyValues is not implemented; empty values are printed");
        }
        Object text = logFormat.get("text");
        Object labels = logFormat.get("labels");
        if (text != null && labels != null) {
            problem.accept("logFormat", "both text and labels are set (expected one of them)");
        }
        if (labels instanceof Map<?, ?> map && text == null) {
            Map<String, String> json = new LinkedHashMap<>();
            map.forEach((key, value) -> {
                String operator = String.valueOf(value);
                check(problem, "logFormat.labels." + key, operator);
                json.put(String.valueOf(key), operator);
            });
            return new EnvoyFileAccessLog(path, AccessLogEncoding.JSON, JSON.writeValueAsString(json));
        }
        if (text instanceof String t && !t.isEmpty()) {
            check(problem, "logFormat.text", t);
            return new EnvoyFileAccessLog(path, AccessLogEncoding.TEXT, t);
        }
        return new EnvoyFileAccessLog(path, AccessLogEncoding.TEXT, null);
    }

    private static void check(BiConsumer<String, String> problem, String field, String format) {
        try {
            AccessLogFormat.parse(format);
        } catch (IllegalArgumentException e) {
            problem.accept(field, e.getMessage());
        }
    }
}
