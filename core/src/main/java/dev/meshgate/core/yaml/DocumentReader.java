package dev.meshgate.core.yaml;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.ObjectMeta;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.DiagnosticCode;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Turns one parsed document (or each item of a {@code kind: List}) into a typed {@link Resource}: checks
 * apiVersion, kind and metadata, defaults the namespace, binds the spec and reports unknown fields.
 */
final class DocumentReader {

    private static final String DEFAULT_NAMESPACE = "default";
    private static final Set<String> TOP_LEVEL_FIELDS = Set.of("apiVersion", "kind", "metadata", "spec", "status");
    private static final Set<String> METADATA_FIELDS = Set.of("name", "namespace", "labels", "annotations",
            "generateName", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
            "deletionGracePeriodSeconds", "ownerReferences", "finalizers", "managedFields", "selfLink");
    /** Istio kinds that exist but that meshgate does not read yet: reported, not rejected as unknown. */
    private static final Map<String, Set<String>> UNSUPPORTED_ISTIO_KINDS = Map.of(
            "networking.istio.io", Set.of("EnvoyFilter", "WorkloadGroup", "ProxyConfig"),
            "security.istio.io", Set.of(),
            "telemetry.istio.io", Set.of(),
            "extensions.istio.io", Set.of("WasmPlugin"));
    /** Istio's installer resources (istioctl, the operator): nothing for a mesh to enforce. */
    private static final String INSTALL_GROUP = "install.istio.io";
    private static final Set<String> INSTALL_KINDS = Set.of("IstioOperator", "IstioControlPlane");

    private final String file;
    private final LocatedTree tree;
    private final List<Resource<?>> resources;
    private final List<Diagnostic> diagnostics;
    /** A document with a duplicate key or an alias is reported in full but yields no resource. */
    private final boolean rejected;

    private DocumentReader(String file, LocatedTree tree, List<Resource<?>> resources, List<Diagnostic> diagnostics) {
        this.file = file;
        this.tree = tree;
        this.resources = resources;
        this.diagnostics = diagnostics;
        this.rejected = !tree.duplicateKeys().isEmpty() || !tree.aliases().isEmpty();
    }

    /** Reads the document of {@code tree}, adding what it holds to {@code resources} and {@code diagnostics}. */
    static void read(String file, LocatedTree tree, List<Resource<?>> resources, List<Diagnostic> diagnostics) {
        DocumentReader reader = new DocumentReader(file, tree, resources, diagnostics);
        JsonNode root = tree.root();
        String kind = text(root.get("kind"));
        String name = text(root.path("metadata").get("name"));
        String namespace = text(root.path("metadata").get("namespace"));
        String key = name == null ? null : (namespace == null ? DEFAULT_NAMESPACE : namespace) + "/" + name;
        for (String duplicate : tree.duplicateKeys()) {
            diagnostics.add(DiagnosticCode.DUPLICATE_KEY.diagnostic(kind, key, duplicate,
                    "key given twice in the same mapping", file + ":" + tree.rootLine()));
        }
        for (String alias : tree.aliases()) {
            diagnostics.add(DiagnosticCode.INVALID_SYNTAX.diagnostic(kind, key, alias,
                    "YAML aliases (*anchor) are not supported; write the value out", file + ":" + tree.rootLine()));
        }
        reader.object(tree.root(), tree.rootLine());
    }

    private String at(int line) {
        return file + ":" + line;
    }

    private void object(JsonNode node, int line) {
        if (node.isNull() || node.isMissingNode()) {
            return;
        }
        if (!node.isObject()) {
            diagnostics.add(DiagnosticCode.MISSING_IDENTITY.diagnostic(null, null, null,
                    "document is not a mapping with apiVersion, kind and metadata", at(line)));
            return;
        }
        String apiVersion = text(node.get("apiVersion"));
        String kindName = text(node.get("kind"));
        if (kindName != null && kindName.endsWith("List") && node.path("items").isArray()) {
            JsonNode items = node.get("items");
            for (int i = 0; i < items.size(); i++) {
                Integer itemLine = tree.elementLine(items, i);
                object(items.get(i), itemLine == null ? line : itemLine);
            }
            return;
        }
        JsonNode metadata = node.get("metadata");
        String name = metadata == null ? null : text(metadata.get("name"));
        String namespace = metadata == null ? null : text(metadata.get("namespace"));
        namespace = namespace == null || namespace.isEmpty() ? DEFAULT_NAMESPACE : namespace;
        String key = name == null ? null : namespace + "/" + name;
        List<String> missing = new ArrayList<>();
        if (apiVersion == null) {
            missing.add("apiVersion");
        }
        if (kindName == null) {
            missing.add("kind");
        }
        if (name == null || name.isEmpty()) {
            missing.add("metadata.name");
        }
        if (!missing.isEmpty()) {
            diagnostics.add(DiagnosticCode.MISSING_IDENTITY.diagnostic(kindName, key, null,
                    "missing " + String.join(", ", missing), at(line)));
            return;
        }
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = apiVersion.substring(slash + 1);
        boolean istio = group.equals("istio.io") || group.endsWith(".istio.io");
        if (!istio) {
            diagnostics.add(DiagnosticCode.NOT_ISTIO.diagnostic(kindName, key, null,
                    "ignored: meshgate reads Istio resources only (" + apiVersion + ")", at(line)));
            return;
        }
        if (group.equals(INSTALL_GROUP) && INSTALL_KINDS.contains(kindName)) {
            diagnostics.add(DiagnosticCode.INSTALL_RESOURCE.diagnostic(kindName, key, null, "ignored: "
                    + apiVersion + " " + kindName + " configures Istio's installer, which meshgate does not need; "
                    + "nothing to do (mesh-wide settings such as meshConfig go in the MeshConfig file)", at(line)));
            return;
        }
        Kind kind = Kind.named(kindName);
        if (kind == null || !kind.group().equals(group)) {
            if (UNSUPPORTED_ISTIO_KINDS.getOrDefault(group, Set.of()).contains(kindName)) {
                diagnostics.add(DiagnosticCode.UNSUPPORTED_KIND.diagnostic(kindName, key, null,
                        "unsupported: " + group + "/" + kindName + " is not implemented yet; ignored", at(line)));
            } else {
                diagnostics.add(DiagnosticCode.UNKNOWN_KIND.diagnostic(kindName, key, "kind",
                        "unknown kind \"" + kindName + "\" in " + group + " (expected one of " + kindsOf(group)
                                + ")", at(line)));
            }
            return;
        }
        if (!kind.versions().contains(version)) {
            diagnostics.add(DiagnosticCode.UNSUPPORTED_API_VERSION.diagnostic(kindName, key, "apiVersion",
                    "unsupported version \"" + apiVersion + "\" (expected " + group + switch (kind.group()) {
                        case "telemetry.istio.io" -> "/v1 or v1alpha1)";
                        case "security.istio.io" -> "/v1 or v1beta1)";
                        default -> "/v1, v1beta1 or v1alpha3)";
                    },
                    at(tree.lineOf(node, List.of("apiVersion"), line))));
            return;
        }
        resource(node, line, kind, apiVersion, name, namespace);
    }

    private void resource(JsonNode node, int line, Kind kind, String apiVersion, String name, String namespace) {
        String key = namespace + "/" + name;
        boolean bad = false;
        for (String field : node.propertyNames()) {
            if (!TOP_LEVEL_FIELDS.contains(field)) {
                unknownField(kind, key, node, List.of(field), line);
            }
        }
        JsonNode metadata = node.get("metadata");
        for (String field : metadata.propertyNames()) {
            if (!METADATA_FIELDS.contains(field)) {
                unknownField(kind, key, node, List.of("metadata", field), line);
            }
        }
        Map<String, String> labels = stringMap(kind, key, node, "labels", line);
        Map<String, String> annotations = stringMap(kind, key, node, "annotations", line);
        if (labels == null || annotations == null) {
            bad = true;
        }
        Instant created = null;
        JsonNode timestamp = metadata.get("creationTimestamp");
        if (timestamp != null && !timestamp.isNull()) {
            try {
                created = Instant.parse(timestamp.asString());
            } catch (DateTimeParseException e) {
                List<Object> path = List.of("metadata", "creationTimestamp");
                diagnostics.add(DiagnosticCode.WRONG_TYPE.diagnostic(kind.name(), key, format(path),
                        "invalid creationTimestamp \"" + timestamp.asString()
                                + "\" (expected an RFC 3339 time, e.g. 2024-05-01T12:00:00Z)",
                        at(tree.lineOf(node, path, line))));
                bad = true;
            }
        }
        if (!tree.aliases().isEmpty()) {
            return;
        }
        JsonNode specNode = node.get("spec");
        if (specNode == null || specNode.isNull()) {
            specNode = JsonNodeFactory.instance.objectNode();
        }
        SpecBinder.Binding<?> binding = SpecBinder.bind(specNode, kind.specType());
        for (SpecBinder.Problem problem : binding.problems()) {
            List<Object> path = new ArrayList<>();
            path.add("spec");
            path.addAll(problem.path());
            diagnostics.add(problem.code().diagnostic(kind.name(), key, format(path), problem.message(),
                    at(tree.lineOf(node, path, line))));
            bad |= problem.code().severity() == Diagnostic.Severity.ERROR;
        }
        if (bad || rejected || binding.value() == null) {
            return;
        }
        ObjectMeta meta = new ObjectMeta(name, namespace, labels, annotations, created);
        resources.add(new Resource<>(kind, apiVersion, meta, binding.value(), at(line)));
    }

    private void unknownField(Kind kind, String key, JsonNode node, List<Object> path, int line) {
        diagnostics.add(DiagnosticCode.UNKNOWN_FIELD.diagnostic(kind.name(), key, format(path), "unknown field",
                at(tree.lineOf(node, path, line))));
    }

    /** {@code metadata.<field>} as a map of strings, or null (reported) when it is not a mapping. */
    private @Nullable Map<String, String> stringMap(Kind kind, String key, JsonNode node, String field, int line) {
        JsonNode value = node.get("metadata").get(field);
        if (value == null || value.isNull()) {
            return Map.of();
        }
        List<Object> path = List.of("metadata", field);
        if (!value.isObject()) {
            diagnostics.add(DiagnosticCode.WRONG_TYPE.diagnostic(kind.name(), key, format(path),
                    "wrong type (expected a mapping of strings)", at(tree.lineOf(node, path, line))));
            return null;
        }
        Map<String, String> map = new LinkedHashMap<>();
        boolean ok = true;
        for (Map.Entry<String, JsonNode> entry : value.properties()) {
            if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
                List<Object> entryPath = List.of("metadata", field, entry.getKey());
                diagnostics.add(DiagnosticCode.WRONG_TYPE.diagnostic(kind.name(), key, format(entryPath),
                        "wrong type (expected a string)", at(tree.lineOf(node, entryPath, line))));
                ok = false;
            } else {
                map.put(entry.getKey(), entry.getValue().asString());
            }
        }
        return ok ? map : null;
    }

    private static @Nullable String text(@Nullable JsonNode node) {
        return node != null && node.isValueNode() && !node.isNull() ? node.asString() : null;
    }

    private static String kindsOf(String group) {
        List<String> names = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            if (kind.group().equals(group)) {
                names.add(kind.name());
            }
        }
        names.addAll(UNSUPPORTED_ISTIO_KINDS.getOrDefault(group, Set.of()).stream().sorted().toList());
        return names.isEmpty() ? "none meshgate knows" : String.join(", ", names);
    }

    /** {@code spec.http[0].retires} from its keys and indexes. */
    static String format(List<Object> path) {
        StringBuilder text = new StringBuilder();
        for (Object segment : path) {
            if (segment instanceof Integer index) {
                text.append('[').append(index).append(']');
            } else {
                if (!text.isEmpty()) {
                    text.append('.');
                }
                text.append(segment);
            }
        }
        return text.toString();
    }
}
