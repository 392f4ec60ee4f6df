package dev.meshgate.cli.manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import dev.meshgate.core.resource.Kind;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Every object of meshgate's Kubernetes install for some {@link InstallSettings}, in apply order: the
 * {@code istio-system} namespace, a CRD per Istio kind meshgate reads (shared by every revision; its schema is
 * {@link CrdSchema}'s), the revision's
 * control plane with its webhook configurations ({@link ControlPlaneManifest}), the profile's gateways
 * ({@link GatewayManifest}) and, in the demo profile, the tutorial ({@link SamplesManifest}).
 */
public final class InstallManifest {

    public static final String NAMESPACE = "istio-system";
    public static final String CONTROL_PLANE = ControlPlaneManifest.CONTROL_PLANE;
    public static final String CA_SECRET = ControlPlaneManifest.CA_SECRET;

    static final YAMLMapper YAML = YAMLMapper.builder().build();

    private InstallManifest() {
    }

    public static List<ObjectNode> objects(InstallSettings settings) {
        List<ObjectNode> objects = new ArrayList<>(shared());
        objects.addAll(new ControlPlaneManifest(settings).objects());
        if (settings.ingressGateway()) {
            objects.addAll(GatewayManifest.INGRESS.objects(settings));
        }
        if (settings.egressGateway()) {
            objects.addAll(GatewayManifest.EGRESS.objects(settings));
        }
        if (settings.samples()) {
            objects.addAll(SamplesManifest.objects(settings));
        }
        return objects;
    }

    /** What every revision shares: the namespace and the CRDs (an uninstall keeps them unless purging). */
    static List<ObjectNode> shared() {
        List<ObjectNode> objects = new ArrayList<>();
        objects.add(yaml("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: istio-system
                """));
        for (Kind kind : Kind.values()) {
            objects.add(crd(kind));
        }
        return objects;
    }

    /** The groups of the Istio kinds, each with its kinds: the config source watches every kind meshgate reads. */
    static java.util.Map<String, List<Kind>> kindsByGroup() {
        java.util.Map<String, List<Kind>> groups = new java.util.LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            groups.computeIfAbsent(kind.group(), g -> new ArrayList<>()).add(kind);
        }
        return groups;
    }

    private static ObjectNode crd(Kind kind) {
        ObjectNode crd = yaml("""
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  labels: {app: istiod}
                spec:
                  scope: Namespaced
                  names: {}
                  versions: []
                """);
        ((ObjectNode) crd.get("metadata")).put("name", kind.plural() + "." + kind.group());
        ObjectNode spec = (ObjectNode) crd.get("spec");
        spec.put("group", kind.group());
        ObjectNode names = (ObjectNode) spec.get("names");
        names.put("kind", kind.name()).put("listKind", kind.name() + "List").put("plural", kind.plural())
                .put("singular", kind.name().toLowerCase(java.util.Locale.ROOT));
        names.putArray("categories").add("istio-io").add(kind.group().substring(0, kind.group().indexOf('.'))
                + "-istio-io");
        ArrayNode versions = (ArrayNode) spec.get("versions");
        // One stored version (v1); the others are served alike, as Istio's CRDs serve them.
        for (String version : new TreeSet<>(kind.versions())) {
            ObjectNode entry = versions.addObject();
            entry.put("name", version).put("served", true).put("storage", version.equals("v1"));
            entry.putObject("subresources").putObject("status");
            entry.putObject("schema").set("openAPIV3Schema", CrdSchema.openApiV3Schema(kind));
        }
        return crd;
    }

    static ObjectNode yaml(String text) {
        return (ObjectNode) YAML.readTree(text);
    }
}
