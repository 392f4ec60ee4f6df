package dev.meshgate.cli.manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import dev.meshgate.core.inject.SidecarTemplate;
import dev.meshgate.core.resource.Kind;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Every object of meshgate's Kubernetes install, in apply order: the {@code istio-system} namespace, a CRD per Istio
 * kind meshgate reads (permissive schemas: the validating webhook judges the spec, with analyze's messages), the
 * control plane's ServiceAccount and ClusterRole/Binding (reading exactly what the config source watches, writing
 * only the status of those Istio kinds), a Role/Binding for its leader election's Lease in istio-system, its
 * Deployment and Service ({@code istiod}: 15010 discovery, 15012 discovery over TLS, 15014 monitoring, 443 the
 * webhooks), and, when the mesh CA's root is given, the validating and injecting webhook configurations with it as
 * their caBundle (Istio's names and selectors; the control plane's leader keeps that caBundle on its root afterwards).
 */
public final class InstallManifest {

    public static final String NAMESPACE = "istio-system";
    public static final String CONTROL_PLANE = "istiod";
    /** The plug-in CA's Secret (Istio's {@code cacerts}), mounted where the control plane reads its CA. */
    public static final String CA_SECRET = "cacerts";
    static final String CA_DIR = "/etc/cacerts";
    /** Istio's names of the webhook configurations (the control plane's defaults, WebhookProperties). */
    static final String VALIDATOR = "istio-validator-istio-system";
    static final String INJECTOR = "istio-sidecar-injector";

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private InstallManifest() {
    }

    /**
     * @param caBundle base64 of the mesh CA's root PEM ({@code root-cert.pem} of the {@code cacerts} Secret); null:
     *     no plug-in CA, so no webhook configurations (a root made at each start could not be trusted across restarts)
     */
    public static List<ObjectNode> objects(@Nullable String caBundle) {
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
        objects.add(yaml("""
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: istiod, namespace: istio-system, labels: {app: istiod}}
                """));
        objects.add(clusterRole());
        objects.add(yaml("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: meshgate-control-plane, labels: {app: istiod}}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: meshgate-control-plane}
                subjects:
                - {kind: ServiceAccount, name: istiod, namespace: istio-system}
                """));
        // Leader election (the status writer's Lease, istiod's istio-status-leader) in the control plane's namespace.
        objects.add(yaml("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: meshgate-control-plane-leader, namespace: istio-system, labels: {app: istiod}}
                rules:
                - apiGroups: [coordination.k8s.io]
                  resources: [leases]
                  verbs: [get, create, update]
                """));
        objects.add(yaml("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: meshgate-control-plane-leader, namespace: istio-system, labels: {app: istiod}}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: meshgate-control-plane-leader}
                subjects:
                - {kind: ServiceAccount, name: istiod, namespace: istio-system}
                """));
        objects.add(deployment(caBundle != null));
        objects.add(yaml("""
                apiVersion: v1
                kind: Service
                metadata: {name: istiod, namespace: istio-system, labels: {app: istiod, istio: pilot}}
                spec:
                  selector: {app: istiod}
                  ports:
                  - {name: grpc-xds, port: 15010, targetPort: 15010, protocol: TCP}
                  - {name: https-dns, port: 15012, targetPort: 15012, protocol: TCP}
                  - {name: http-monitoring, port: 15014, targetPort: 15010, protocol: TCP}
                  - {name: https-webhook, port: 443, targetPort: 15017, protocol: TCP}
                """));
        if (caBundle != null) {
            objects.add(validatingWebhook(caBundle));
            objects.add(mutatingWebhook(caBundle));
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
            ObjectNode schema = entry.putObject("schema").putObject("openAPIV3Schema");
            schema.put("type", "object");
            ObjectNode properties = schema.putObject("properties");
            properties.putObject("spec").put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
            properties.putObject("status").put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
        }
        return crd;
    }

    private static ObjectNode clusterRole() {
        ObjectNode role = yaml("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: meshgate-control-plane, labels: {app: istiod}}
                rules:
                - apiGroups: [""]
                  resources: [services, pods, namespaces, configmaps, nodes]
                  verbs: [get, list, watch]
                - apiGroups: [discovery.k8s.io]
                  resources: [endpointslices]
                  verbs: [get, list, watch]
                """);
        ArrayNode rules = (ArrayNode) role.get("rules");
        // Every Istio kind is watched (a PeerAuthentication or AuthorizationPolicy unseen would fail open); the
        // leader writes each resource's validationMessages through the status subresource, and nothing else.
        kindsByGroup().forEach((group, kinds) -> {
            ObjectNode read = rules.addObject();
            read.putArray("apiGroups").add(group);
            ArrayNode resources = read.putArray("resources");
            kinds.forEach(kind -> resources.add(kind.plural()));
            read.putArray("verbs").add("get").add("list").add("watch");
            ObjectNode status = rules.addObject();
            status.putArray("apiGroups").add(group);
            ArrayNode statuses = status.putArray("resources");
            kinds.forEach(kind -> statuses.add(kind.plural() + "/status"));
            status.putArray("verbs").add("get").add("patch").add("update");
        });
        // The leader writes the mesh root into every namespace's ConfigMap istio-ca-root-cert (injected pods mount it).
        ObjectNode rootCert = rules.addObject();
        rootCert.putArray("apiGroups").add("");
        rootCert.putArray("resources").add("configmaps");
        rootCert.putArray("verbs").add("create").add("update");
        // The leader keeps the caBundle of the two webhook configurations (only those) on the mesh root.
        ObjectNode webhooks = rules.addObject();
        webhooks.putArray("apiGroups").add("admissionregistration.k8s.io");
        webhooks.putArray("resources").add("validatingwebhookconfigurations").add("mutatingwebhookconfigurations");
        webhooks.putArray("resourceNames").add(VALIDATOR).add(INJECTOR);
        webhooks.putArray("verbs").add("get").add("patch");
        // The CA checks injected pods' service-account tokens.
        ObjectNode tokenReviews = rules.addObject();
        tokenReviews.putArray("apiGroups").add("authentication.k8s.io");
        tokenReviews.putArray("resources").add("tokenreviews");
        tokenReviews.putArray("verbs").add("create");
        return role;
    }

    private static ObjectNode deployment(boolean pluggedInCa) {
        ObjectNode deployment = yaml("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: istiod, namespace: istio-system, labels: {app: istiod, istio: pilot}}
                spec:
                  replicas: 1
                  selector:
                    matchLabels: {app: istiod}
                  template:
                    metadata:
                      labels: {app: istiod, istio: pilot, sidecar.istio.io/inject: "false"}
                      annotations: {prometheus.io/scrape: "true", prometheus.io/port: "15010", prometheus.io/path: /metrics}
                    spec:
                      serviceAccountName: istiod
                      containers:
                      - name: discovery
                        args:
                        - --meshgate.control-plane.config-source=kubernetes
                        - --meshgate.control-plane.tls-address=0.0.0.0
                        - --meshgate.control-plane.webhook.enabled=true
                        - --meshgate.control-plane.webhook.address=0.0.0.0
                        ports:
                        - {containerPort: 15010, protocol: TCP}
                        - {containerPort: 15012, protocol: TCP}
                        - {containerPort: 15017, protocol: TCP}
                        readinessProbe:
                          httpGet: {path: /actuator/health, port: 15010}
                          periodSeconds: 3
                        resources:
                          requests: {cpu: 500m, memory: 512Mi}
                        securityContext:
                          runAsNonRoot: true
                          runAsUser: 1337
                          runAsGroup: 1337
                          allowPrivilegeEscalation: false
                          capabilities: {drop: [ALL]}
                """);
        ObjectNode container = (ObjectNode) deployment.at("/spec/template/spec/containers/0");
        container.put("image", SidecarTemplate.image("config-server"));
        if (pluggedInCa) {
            ((ArrayNode) container.get("args")).add("--meshgate.control-plane.ca-dir=" + CA_DIR);
            container.putArray("volumeMounts").addObject().put("name", CA_SECRET).put("mountPath", CA_DIR)
                    .put("readOnly", true);
            ((ObjectNode) deployment.at("/spec/template/spec")).putArray("volumes").addObject().put("name", CA_SECRET)
                    .putObject("secret").put("secretName", CA_SECRET);
        }
        return deployment;
    }

    private static ObjectNode validatingWebhook(String caBundle) {
        ObjectNode config = yaml("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingWebhookConfiguration
                metadata: {labels: {app: istiod}}
                webhooks:
                - name: validation.istio.io
                  clientConfig:
                    service: {name: istiod, namespace: istio-system, path: /validate, port: 443}
                  rules:
                  - operations: [CREATE, UPDATE]
                    apiGroups: [networking.istio.io, security.istio.io, telemetry.istio.io]
                    apiVersions: ["*"]
                    resources: ["*"]
                  failurePolicy: Fail
                  sideEffects: None
                  admissionReviewVersions: [v1]
                """);
        ((ObjectNode) config.get("metadata")).put("name", VALIDATOR);
        ((ObjectNode) config.at("/webhooks/0/clientConfig")).put("caBundle", caBundle);
        return config;
    }

    private static ObjectNode mutatingWebhook(String caBundle) {
        ObjectNode config = yaml("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata: {labels: {app: sidecar-injector}}
                webhooks:
                - name: namespace.sidecar-injector.istio.io
                  clientConfig:
                    service: {name: istiod, namespace: istio-system, path: /inject, port: 443}
                  rules:
                  - {operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}
                  namespaceSelector:
                    matchExpressions:
                    - {key: istio-injection, operator: In, values: [enabled]}
                  objectSelector:
                    matchExpressions:
                    - {key: sidecar.istio.io/inject, operator: NotIn, values: ["false"]}
                  failurePolicy: Fail
                  reinvocationPolicy: Never
                  sideEffects: None
                  admissionReviewVersions: [v1]
                - name: object.sidecar-injector.istio.io
                  clientConfig:
                    service: {name: istiod, namespace: istio-system, path: /inject, port: 443}
                  rules:
                  - {operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}
                  namespaceSelector:
                    matchExpressions:
                    - {key: istio-injection, operator: DoesNotExist}
                    - {key: istio.io/rev, operator: DoesNotExist}
                  objectSelector:
                    matchExpressions:
                    - {key: sidecar.istio.io/inject, operator: In, values: ["true"]}
                    - {key: istio.io/rev, operator: DoesNotExist}
                  failurePolicy: Fail
                  reinvocationPolicy: Never
                  sideEffects: None
                  admissionReviewVersions: [v1]
                """);
        ((ObjectNode) config.get("metadata")).put("name", INJECTOR);
        for (JsonNode webhook : config.get("webhooks")) {
            ((ObjectNode) webhook.get("clientConfig")).put("caBundle", caBundle);
        }
        return config;
    }

    private static ObjectNode yaml(String text) {
        return (ObjectNode) YAML.readTree(text);
    }
}
