package dev.meshgate.core.yaml;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.meshgate.core.mesh.MeshConfig;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.DiagnosticCode;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Reads a MeshConfig file: the YAML (or JSON) of Istio's {@code mesh} ConfigMap key, either as a plain MeshConfig
 * document or as the ConfigMap itself ({@code kind: ConfigMap}, the MeshConfig in {@code data.mesh}). Never throws
 * on bad input. Binding is {@link SpecBinder}'s, as for every resource: unknown fields are warnings, values of the
 * wrong type errors; a field Istio defines that meshgate does not model is reported unsupported, not unknown.
 */
public final class MeshConfigReader {

    /** The kind named in diagnostics. */
    public static final String KIND = "MeshConfig";

    /** MeshConfig fields of Istio's config.proto that meshgate does not read. */
    private static final Set<String> OTHER_ISTIO_FIELDS = Set.of("proxyListenPort", "proxyInboundListenPort",
            "proxyHttpPort", "connectTimeout", "tcpKeepalive", "ingressClass",
            "ingressService", "ingressControllerMode", "ingressSelector", "enableEnvoyAccessLogService",
            "disableEnvoyListenerLog", "inboundTrafficPolicy", "configSources",
            "caCertificates", "defaultServiceExportTo", "defaultVirtualServiceExportTo",
            "defaultDestinationRuleExportTo", "dnsRefreshRate", "h2UpgradePolicy",
            "inboundClusterStatName", "outboundClusterStatName", "certificates", "serviceSettings",
            "enablePrometheusMerge", "verifyCertificateAtClient", "ca", "discoverySelectors", "meshMTLS",
            "tlsDefaults", "serviceScopeConfigs", "thriftConfig", "mtlsOnlyRequirement");
    /** ProxyConfig fields of Istio's proxy.proto other than {@code tracing}. */
    private static final Set<String> OTHER_PROXY_CONFIG_FIELDS = Set.of("configPath", "binaryPath", "serviceCluster",
            "drainDuration", "parentShutdownDuration", "discoveryAddress", "discoveryRefreshDelay", "zipkinAddress",
            "statsdUdpAddress", "envoyMetricsServiceAddress", "proxyAdminPort", "availabilityZone",
            "controlPlaneAuthPolicy", "customConfigFile", "statNameLength", "concurrency",
            "proxyBootstrapTemplatePath", "interceptionMode", "sds", "envoyAccessLogService", "envoyMetricsService",
            "proxyMetadata", "runtimeValues", "statusPort", "extraStatTags",
            "terminationDrainDuration", "meshId", "readinessProbe", "proxyStatsMatcher",
            "holdApplicationUntilProxyStarts", "caCertificatesPem", "image", "privateKeyProvider", "proxyHeaders",
            "fileFlushInterval", "fileFlushMinSizeKb", "tracingServiceName");

    private MeshConfigReader() {
    }

    /**
     * What a MeshConfig file held.
     *
     * @param meshConfig the MeshConfig read (defaults for an empty file), or null when an error prevented reading it
     * @param diagnostics every problem found reading it, kind {@code MeshConfig}
     */
    public record Result(@Nullable MeshConfig meshConfig, List<Diagnostic> diagnostics) {
        public Result {
            diagnostics = List.copyOf(diagnostics);
        }
    }

    /** Reads {@code text}; {@code source} (the file name) is used in diagnostics ({@code mesh.yaml:3}). */
    public static Result read(String source, String text) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        LocatedTree tree = parse(source, text, 0, diagnostics);
        if (tree == null) {
            return new Result(diagnostics.isEmpty() ? MeshConfig.DEFAULT : null, diagnostics);
        }
        JsonNode root = tree.root();
        if ("ConfigMap".equals(root.path("kind").asString(null))) {
            JsonNode mesh = root.path("data").get("mesh");
            int line = tree.lineOf(root, List.of("data", "mesh"), tree.rootLine());
            if (mesh == null || !mesh.isString()) {
                diagnostics.add(DiagnosticCode.MESH_CONFIG_NOT_FOUND.diagnostic(KIND, null, "data.mesh",
                        (mesh == null ? "missing" : "wrong type") + " (expected a ConfigMap whose data.mesh holds the "
                                + "MeshConfig YAML)", source + ":" + line));
                return new Result(null, diagnostics);
            }
            // A block scalar ("mesh: |") starts on the line after its key: lines of the MeshConfig count from there.
            tree = parse(source, mesh.asString(), line, diagnostics);
            if (tree == null) {
                return new Result(diagnostics.isEmpty() ? MeshConfig.DEFAULT : null, diagnostics);
            }
            root = tree.root();
        }
        boolean rejected = false;
        for (String duplicate : tree.duplicateKeys()) {
            diagnostics.add(DiagnosticCode.DUPLICATE_KEY.diagnostic(KIND, null, duplicate,
                    "key given twice in the same mapping", source + ":" + tree.rootLine()));
            rejected = true;
        }
        for (String alias : tree.aliases()) {
            diagnostics.add(DiagnosticCode.INVALID_SYNTAX.diagnostic(KIND, null, alias,
                    "YAML aliases (*anchor) are not supported; write the value out", source + ":" + tree.rootLine()));
            rejected = true;
        }
        if (root.isNull() || root.isMissingNode()) {
            root = JsonNodeFactory.instance.objectNode();
        }
        if (!root.isObject()) {
            diagnostics.add(DiagnosticCode.MESH_CONFIG_NOT_FOUND.diagnostic(KIND, null, null,
                    "the document is not a mapping (expected MeshConfig fields, or a ConfigMap with data.mesh)",
                    source + ":" + tree.rootLine()));
            return new Result(null, diagnostics);
        }
        SpecBinder.Binding<MeshConfig> binding = SpecBinder.bind(root, MeshConfig.class);
        for (SpecBinder.Problem problem : binding.problems()) {
            String field = DocumentReader.format(problem.path());
            String at = source + ":" + tree.lineOf(root, problem.path(), tree.rootLine());
            if (problem.code() == DiagnosticCode.UNKNOWN_FIELD && istioField(problem.path())) {
                diagnostics.add(DiagnosticCode.UNSUPPORTED_FIELD.diagnostic(KIND, null, field,
                        "unsupported: " + field + " is not implemented yet; ignored", at));
            } else {
                diagnostics.add(problem.code().diagnostic(KIND, null, field, problem.message(), at));
                rejected |= problem.code().severity() == Diagnostic.Severity.ERROR;
            }
        }
        return new Result(rejected ? null : binding.value(), diagnostics);
    }

    private static boolean istioField(List<Object> path) {
        if (path.size() == 1) {
            return OTHER_ISTIO_FIELDS.contains(path.get(0));
        }
        return path.size() == 2 && "defaultConfig".equals(path.get(0)) && OTHER_PROXY_CONFIG_FIELDS.contains(path.get(1));
    }

    /** The one document of {@code text}, or null when it is empty or does not parse (reported). */
    private static @Nullable LocatedTree parse(String source, String text, int lineOffset,
            List<Diagnostic> diagnostics) {
        String stripped = text.stripLeading();
        boolean json = stripped.startsWith("{");
        if (stripped.isEmpty()) {
            return null;
        }
        try (JsonParser parser = (json ? ResourceReader.JSON : ResourceReader.YAML).createParser(text)) {
            if (parser.nextToken() == null) {
                return null;
            }
            LocatedTree tree = LocatedTree.read(parser, json ? ResourceReader.JSON : ResourceReader.YAML, lineOffset);
            if (parser.nextToken() != null) {
                diagnostics.add(DiagnosticCode.MESH_CONFIG_NOT_FOUND.diagnostic(KIND, null, null,
                        "more than one document (expected one MeshConfig, or one ConfigMap)",
                        source + ":" + (lineOffset + parser.currentTokenLocation().getLineNr())));
                return null;
            }
            return tree;
        } catch (JacksonException e) {
            TokenStreamLocation location = e.getLocation();
            int line = lineOffset + (location == null || location.getLineNr() < 1 ? 1 : location.getLineNr());
            String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
            int newline = message.indexOf('\n');
            message = (newline < 0 ? message : message.substring(0, newline)).strip();
            diagnostics.add(DiagnosticCode.INVALID_SYNTAX.diagnostic(KIND, null, null,
                    "invalid " + (json ? "JSON" : "YAML") + ": " + message, source + ":" + line));
            return null;
        }
    }
}
