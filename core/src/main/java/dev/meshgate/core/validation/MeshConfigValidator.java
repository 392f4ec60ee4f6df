package dev.meshgate.core.validation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.meshgate.core.mesh.AccessLogFormat;
import dev.meshgate.core.mesh.MeshConfig;
import dev.meshgate.core.mesh.MeshConfig.ExtensionProvider;
import dev.meshgate.core.mesh.MeshConfig.Tracing;
import dev.meshgate.core.networking.Durations;
import dev.meshgate.core.yaml.MeshConfigReader;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Validates a MeshConfig after Istio's {@code ValidateMeshConfig}: {@code rootNamespace}, {@code trustDomain},
 * {@code defaultHttpRetryPolicy} (the checks of a VirtualService's {@code retries}), {@code defaultConfig.tracing},
 * {@code extensionProviders}, {@code defaultProviders} and {@code accessLogFormat} (its operators, through
 * {@link AccessLogFormat}). Fields that are read and validated but not enforced yet (mTLS, extension providers) are reported
 * unsupported (MG0001) when set, saying that they take effect with a later feature.
 */
public final class MeshConfigValidator {

    /** Extension providers Istio defines without configuration (its built-in defaults). */
    private static final Set<String> BUILT_IN_PROVIDERS = Set.of("envoy", "prometheus", "stackdriver");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private MeshConfigValidator() {
    }

    /**
     * A MeshConfig file read and validated: the one check that the control plane and {@code meshgate analyze} share.
     *
     * @param meshConfig the MeshConfig to apply, or null when the file has an error (keep the last good one)
     * @param diagnostics reading and validation problems, in the file's order
     */
    public record Result(@Nullable MeshConfig meshConfig, List<Diagnostic> diagnostics) {
        public Result {
            diagnostics = List.copyOf(diagnostics);
        }

        public boolean hasErrors() {
            return diagnostics.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
        }
    }

    /** Reads {@code text} (a MeshConfig, or the ConfigMap holding one in {@code data.mesh}) and validates it. */
    public static Result read(String source, String text) {
        MeshConfigReader.Result read = MeshConfigReader.read(source, text);
        List<Diagnostic> diagnostics = new ArrayList<>(read.diagnostics());
        MeshConfig meshConfig = read.meshConfig();
        if (meshConfig == null) {
            return new Result(null, diagnostics);
        }
        List<Diagnostic> found = validate(meshConfig, source);
        diagnostics.addAll(found);
        boolean errors = found.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
        return new Result(errors ? null : meshConfig, diagnostics);
    }

    /** Every problem of {@code meshConfig}; {@code source} names its file in the diagnostics. */
    public static List<Diagnostic> validate(MeshConfig meshConfig, @Nullable String source) {
        Problems problems = new Problems(MeshConfigReader.KIND, null, source);
        String root = meshConfig.rootNamespace();
        if (root != null && !FieldChecks.isDnsLabel(root)) {
            problems.add(DiagnosticCode.MESH_INVALID_ROOT_NAMESPACE, "rootNamespace", "\"" + root
                    + "\" is not a namespace name (expected a DNS-1123 label, e.g. istio-system)");
        }
        String trustDomain = meshConfig.trustDomain();
        if (trustDomain != null) {
            String problem = trustDomain.contains("*") ? "a wildcard" : FieldChecks.hostProblem(trustDomain);
            if (problem != null) {
                problems.add(DiagnosticCode.MESH_INVALID_TRUST_DOMAIN, "trustDomain", "\"" + trustDomain
                        + "\" is not a trust domain: " + problem + " (expected a DNS name, e.g. cluster.local)");
            }
        }
        for (int i = 0; i < meshConfig.trustDomainAliases().size(); i++) {
            String alias = meshConfig.trustDomainAliases().get(i);
            String problem = alias == null ? "empty" : alias.contains("*") ? "a wildcard"
                    : FieldChecks.hostProblem(alias);
            if (problem != null) {
                problems.add(DiagnosticCode.MESH_INVALID_TRUST_DOMAIN, "trustDomainAliases[" + i + "]", "\"" + alias
                        + "\" is not a trust domain: " + problem + " (expected a DNS name, e.g. old-td.example.com)");
            }
        }
        HttpPolicyValidator.retries(problems, "defaultHttpRetryPolicy", meshConfig.defaultHttpRetryPolicy());
        accessLog(problems, meshConfig);
        // Istio validates the mesh's setting as if outlier detection were configured: rules that have it use it.
        LocalityLbSettingValidator.validate(problems, "localityLbSetting", meshConfig.localityLbSetting(),
                DiagnosticCode.INVALID_LOCALITY_LB_SETTING, true);
        MeshConfig.ProxyConfig defaultConfig = meshConfig.defaultConfig();
        if (defaultConfig != null && defaultConfig.tracing() != null) {
            tracing(problems, "defaultConfig.tracing", defaultConfig.tracing());
        }
        if (defaultConfig != null && defaultConfig.gatewayTopology() != null) {
            gatewayTopology(problems, "defaultConfig.gatewayTopology", defaultConfig.gatewayTopology());
        }
        Set<String> providers = extensionProviders(problems, meshConfig.extensionProviders());
        MeshConfig.DefaultProviders defaults = meshConfig.defaultProviders();
        if (defaults != null) {
            defaultProviders(problems, "defaultProviders.tracing", defaults.tracing(), providers);
            defaultProviders(problems, "defaultProviders.metrics", defaults.metrics(), providers);
            defaultProviders(problems, "defaultProviders.accessLogging", defaults.accessLogging(), providers);
            later(problems, "defaultProviders.metrics", defaults.metrics().isEmpty() ? null : defaults.metrics(),
                    "Telemetry");
        }
        protocolDetectionTimeout(problems, meshConfig.protocolDetectionTimeout());
        return List.copyOf(problems.diagnostics());
    }

    private static void protocolDetectionTimeout(Problems problems, @Nullable String timeout) {
        if (timeout == null) {
            return;
        }
        java.time.Duration parsed = Durations.isValid(timeout) ? Durations.parse(timeout) : null;
        if (parsed == null || !parsed.isZero() && parsed.compareTo(java.time.Duration.ofMillis(1)) < 0) {
            problems.add(DiagnosticCode.PROTOCOL_INVALID_DETECTION_TIMEOUT, "protocolDetectionTimeout", "\""
                    + timeout + "\" (expected: 0s, or a duration of at least 1ms such as 100ms)");
        }
    }

    private static void accessLog(Problems problems, MeshConfig meshConfig) {
        String format = meshConfig.accessLogFormat();
        if (format == null || format.isBlank()) {
            return;
        }
        if (meshConfig.accessLogEncoding() == MeshConfig.AccessLogEncoding.JSON) {
            String problem;
            JsonNode parsed = null;
            try {
                parsed = JSON.readTree(format);
                problem = parsed.isObject() ? null : "not a JSON object";
            } catch (JacksonException e) {
                problem = "not valid JSON";
            }
            if (problem != null) {
                problems.add(DiagnosticCode.MESH_INVALID_ACCESS_LOG, "accessLogFormat", problem + ": \"" + format
                        + "\" (expected with accessLogEncoding JSON a JSON object of field names and %COMMAND%s)");
                return;
            }
            for (var field : parsed.properties()) {
                JsonNode value = field.getValue();
                if (!value.isString()) {
                    problems.add(DiagnosticCode.MESH_INVALID_ACCESS_LOG, "accessLogFormat." + field.getKey(),
                            "\"" + value + "\" is not a string (expected a format string of %COMMAND%s)");
                } else {
                    formatOperators(problems, "accessLogFormat." + field.getKey(), value.asString());
                }
            }
            return;
        }
        formatOperators(problems, "accessLogFormat", format);
    }

    private static void formatOperators(Problems problems, String field, String format) {
        try {
            AccessLogFormat.parse(format);
        } catch (IllegalArgumentException e) {
            problems.add(DiagnosticCode.MESH_INVALID_ACCESS_LOG, field, e.getMessage());
        }
    }

    private static void gatewayTopology(Problems problems, String field, MeshConfig.Topology topology) {
        Integer trusted = topology.numTrustedProxies();
        if (trusted != null && trusted < 0) {
            problems.add(DiagnosticCode.AUTHZ_INVALID_GATEWAY_TOPOLOGY, field + ".numTrustedProxies",
                    "numTrustedProxies " + trusted + " (expected 0 or more)");
        }
        problems.unsupported(field + ".forwardClientCertDetails", topology.forwardClientCertDetails());
        problems.unsupported(field + ".proxyProtocol", topology.proxyProtocol());
    }

    private static void tracing(Problems problems, String field, Tracing tracing) {
        Double sampling = tracing.sampling();
        if (sampling != null && (sampling.isNaN() || sampling < 0 || sampling > 100)) {
            problems.add(DiagnosticCode.MESH_INVALID_TRACING, field + ".sampling",
                    "sampling must be between 0.0 and 100.0 (got " + sampling + ")");
        }
        Integer maxPath = tracing.maxPathTagLength();
        if (maxPath != null && maxPath < 0) {
            problems.add(DiagnosticCode.MESH_INVALID_TRACING, field + ".maxPathTagLength",
                    "maxPathTagLength must not be negative (got " + maxPath + ")");
        }
        if (tracing.zipkin() != null) {
            String address = tracing.zipkin().address();
            String problem = address == null || address.isEmpty() ? "address is required" : hostPortProblem(address);
            if (problem != null) {
                problems.add(DiagnosticCode.MESH_INVALID_TRACING, field + ".zipkin.address", problem
                        + " (expected host:port, e.g. zipkin.istio-system:9411)");
            }
        }
        for (Map.Entry<String, Tracing.CustomTag> tag : tracing.customTags().entrySet()) {
            Tracing.CustomTag value = tag.getValue();
            int sources = (value.literal() != null ? 1 : 0) + (value.environment() != null ? 1 : 0)
                    + (value.header() != null ? 1 : 0);
            if (sources != 1) {
                problems.add(DiagnosticCode.MESH_INVALID_TRACING, field + ".customTags." + tag.getKey(), sources
                        + " sources set (expected exactly one of literal, environment, header)");
            }
        }
        String[] others = {"lightstep", "datadog", "stackdriver", "openCensusAgent", "tlsSettings"};
        Object[] values = {tracing.lightstep(), tracing.datadog(), tracing.stackdriver(), tracing.openCensusAgent(),
            tracing.tlsSettings()};
        for (int i = 0; i < others.length; i++) {
            problems.unsupported(field + "." + others[i], values[i]);
        }
    }

    /** Checks each provider; returns the names defined. */
    private static Set<String> extensionProviders(Problems problems, List<ExtensionProvider> providers) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < providers.size(); i++) {
            ExtensionProvider provider = providers.get(i);
            String at = "extensionProviders[" + i + "]";
            String name = provider.name();
            if (name == null || name.isEmpty()) {
                problems.add(DiagnosticCode.MESH_INVALID_EXTENSION_PROVIDER, at + ".name", "name is required");
            } else if (!names.add(name)) {
                problems.add(DiagnosticCode.MESH_INVALID_EXTENSION_PROVIDER, at + ".name",
                        "name \"" + name + "\" is used by an earlier provider (expected unique names)");
            }
            List<String> set = provider.providersSet();
            if (set.size() != 1) {
                problems.add(DiagnosticCode.MESH_INVALID_EXTENSION_PROVIDER, at, (set.isEmpty() ? "no provider"
                        : "several providers " + set) + " (expected exactly one, e.g. zipkin, envoyFileAccessLog)");
            }
            ExtensionProvider.ZipkinTracingProvider zipkin = provider.zipkin();
            if (zipkin != null) {
                if (zipkin.service() == null || zipkin.service().isEmpty()) {
                    problems.add(DiagnosticCode.MESH_INVALID_EXTENSION_PROVIDER, at + ".zipkin.service",
                            "service is required (expected the collector's host)");
                } else if (FieldChecks.hostProblem(zipkin.service()) != null) {
                    problems.add(DiagnosticCode.MESH_INVALID_EXTENSION_PROVIDER, at + ".zipkin.service",
                            FieldChecks.hostProblem(zipkin.service()) + " (expected the collector's host)");
                }
                Integer port = zipkin.port();
                if (port == null || port < 1 || port > 65535) {
                    problems.add(DiagnosticCode.MESH_INVALID_EXTENSION_PROVIDER, at + ".zipkin.port",
                            (port == null ? "port is required" : "port " + port + " out of range")
                                    + " (expected 1-65535)");
                }
                Integer maxTag = zipkin.maxTagLength();
                if (maxTag != null && maxTag < 0) {
                    problems.add(DiagnosticCode.MESH_INVALID_EXTENSION_PROVIDER, at + ".zipkin.maxTagLength",
                            "maxTagLength must not be negative (got " + maxTag + ")");
                }
            }
            if (provider.envoyExtAuthzHttp() != null) {
                String base = at + ".envoyExtAuthzHttp";
                dev.meshgate.core.security.ExtAuthzHttp.of(provider.envoyExtAuthzHttp(), (field, message) ->
                        problems.add(message.startsWith("unsupported: ") ? DiagnosticCode.UNSUPPORTED_FIELD
                                : message.equals("unknown field") ? DiagnosticCode.UNKNOWN_FIELD
                                : DiagnosticCode.MESH_INVALID_EXTENSION_PROVIDER, base + "." + field, message));
            }
            if (provider.envoyFileAccessLog() != null) {
                String base = at + ".envoyFileAccessLog";
                dev.meshgate.core.mesh.EnvoyFileAccessLog.of(provider.envoyFileAccessLog(), (field, message) ->
                        problems.add(message.startsWith("unsupported: ") ? DiagnosticCode.UNSUPPORTED_FIELD
                                : message.equals("unknown field") ? DiagnosticCode.UNKNOWN_FIELD
                                : DiagnosticCode.MESH_INVALID_ACCESS_LOG, base + "." + field, message));
            }
            for (String kind : set) {
                if (kind.equals("envoyExtAuthzHttp") || kind.equals("envoyFileAccessLog")) {
                    continue;
                }
                if (kind.equals("zipkin")) {
                    if (zipkin.enable64bitTraceId() != null) {
                        problems.unsupported(at + ".zipkin.enable64bitTraceId", zipkin.enable64bitTraceId());
                    }
                    continue;
                }
                later(problems, at + "." + kind, true, kind.startsWith("envoyExtAuthz") ? "external authorization"
                        : kind.contains("Als") ? "access logs"
                        : kind.equals("prometheus") ? "Telemetry" : "tracing");
            }
        }
        return names;
    }

    private static void defaultProviders(Problems problems, String field, List<String> names, Set<String> defined) {
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (!defined.contains(name) && !BUILT_IN_PROVIDERS.contains(name)) {
                problems.add(DiagnosticCode.MESH_UNKNOWN_DEFAULT_PROVIDER, field + "[" + i + "]", "no extension "
                        + "provider named \"" + name + "\" (expected one of extensionProviders[].name " + defined
                        + " or a built-in: envoy, prometheus, stackdriver)");
            }
        }
    }

    /** Why {@code address} is not {@code host:port}, or null. */
    private static @Nullable String hostPortProblem(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            return "\"" + address + "\" has no port";
        }
        String host = address.substring(0, colon);
        String port = address.substring(colon + 1);
        if (!port.chars().allMatch(Character::isDigit) || port.length() > 5 || Integer.parseInt(port) < 1
                || Integer.parseInt(port) > 65535) {
            return "\"" + address + "\": port \"" + port + "\" is not 1-65535";
        }
        String problem = FieldChecks.hostProblem(host.startsWith("[") && host.endsWith("]") ? "ip6" : host);
        return problem == null ? null : "\"" + address + "\": " + problem;
    }

    /** Reports a field that is read and validated but not enforced yet, when set. */
    private static void later(Problems problems, String field, @Nullable Object value, String feature) {
        if (value != null) {
            problems.add(DiagnosticCode.UNSUPPORTED_FIELD, field, "not enforced yet: " + field + " is read and "
                    + "validated, and takes effect with meshgate's " + feature + " feature; ignored for now");
        }
    }
}
