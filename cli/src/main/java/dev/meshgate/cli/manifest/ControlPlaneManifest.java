package dev.meshgate.cli.manifest;

import static dev.meshgate.cli.manifest.InstallManifest.yaml;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One revision's control plane ({@code istiod}, {@code istiod-<revision>}): its ServiceAccount, least-privilege
 * RBAC (reading exactly what the config source watches; writing only the status of the Istio kinds, the mesh root's
 * ConfigMaps, its own webhook configurations' caBundle and its leader Lease), the {@code istio} ConfigMap with the
 * MeshConfig, the Deployment (replicas sharing the plug-in CA of the {@code cacerts} Secret), its Service (15010
 * discovery, 15012 discovery over TLS, 15014 monitoring, 443 the webhooks), a PodDisruptionBudget keeping one
 * replica through voluntary disruptions, and the validating and injecting webhook configurations with Istio's names
 * and revision selectors.
 */
final class ControlPlaneManifest {

    static final String CONTROL_PLANE = "istiod";
    /** The plug-in CA's Secret (Istio's {@code cacerts}), mounted where the control plane reads its CA. */
    static final String CA_SECRET = "cacerts";
    static final String CA_DIR = "/etc/cacerts";
    private static final String VALIDATOR = "istio-validator";
    private static final String INJECTOR = "istio-sidecar-injector";
    private static final String ROLE = "meshgate-control-plane";

    private final InstallSettings settings;

    ControlPlaneManifest(InstallSettings settings) {
        this.settings = settings;
    }

    /** The ValidatingWebhookConfiguration's name ({@code istio-validator[-rev]-istio-system}, as Istio's). */
    String validator() {
        return settings.revisioned(VALIDATOR) + "-" + InstallManifest.NAMESPACE;
    }

    /** The MutatingWebhookConfiguration's name ({@code istio-sidecar-injector[-rev]}). */
    String injector() {
        return settings.revisioned(INJECTOR);
    }

    String name() {
        return settings.revisioned(CONTROL_PLANE);
    }

    List<ObjectNode> objects() {
        List<ObjectNode> objects = new ArrayList<>();
        objects.add(labelled(yaml("""
                apiVersion: v1
                kind: ServiceAccount
                metadata: {namespace: istio-system}
                """), name()));
        objects.add(clusterRole());
        ObjectNode binding = labelled(yaml("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole}
                subjects:
                - {kind: ServiceAccount, namespace: istio-system}
                """), settings.revisioned(ROLE));
        ((ObjectNode) binding.get("roleRef")).put("name", settings.revisioned(ROLE));
        ((ObjectNode) binding.at("/subjects/0")).put("name", name());
        objects.add(binding);
        // Leader election (the status writer's Lease, istiod's istio-status-leader) in the control plane's namespace:
        // the official client's LeaseLock reads, creates and replaces (update) it.
        objects.add(labelled(yaml("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {namespace: istio-system}
                rules:
                - apiGroups: [coordination.k8s.io]
                  resources: [leases]
                  verbs: [get, create, update]
                """), settings.revisioned(ROLE + "-leader")));
        ObjectNode leaderBinding = labelled(yaml("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {namespace: istio-system}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role}
                subjects:
                - {kind: ServiceAccount, namespace: istio-system}
                """), settings.revisioned(ROLE + "-leader"));
        ((ObjectNode) leaderBinding.get("roleRef")).put("name", settings.revisioned(ROLE + "-leader"));
        ((ObjectNode) leaderBinding.at("/subjects/0")).put("name", name());
        objects.add(leaderBinding);
        objects.add(meshConfigMap());
        objects.add(deployment());
        ObjectNode service = labelled(yaml("""
                apiVersion: v1
                kind: Service
                metadata: {namespace: istio-system, labels: {istio: pilot}}
                spec:
                  ports:
                  - {name: grpc-xds, port: 15010, targetPort: 15010, protocol: TCP}
                  - {name: https-dns, port: 15012, targetPort: 15012, protocol: TCP}
                  - {name: http-monitoring, port: 15014, targetPort: 15010, protocol: TCP}
                  - {name: https-webhook, port: 443, targetPort: 15017, protocol: TCP}
                """), name());
        ((ObjectNode) service.get("spec")).set("selector", selector());
        objects.add(service);
        ObjectNode budget = labelled(yaml("""
                apiVersion: policy/v1
                kind: PodDisruptionBudget
                metadata: {namespace: istio-system}
                spec:
                  minAvailable: 1
                """), name());
        ((ObjectNode) budget.get("spec")).putObject("selector").set("matchLabels", selector());
        objects.add(budget);
        objects.add(validatingWebhook());
        objects.add(mutatingWebhook());
        return objects;
    }

    /** The pods of this revision's control plane (Istio's {@code app: istiod} and {@code istio.io/rev}). */
    private ObjectNode selector() {
        ObjectNode selector = InstallManifest.YAML.createObjectNode();
        selector.put("app", CONTROL_PLANE).put("istio.io/rev", settings.revisionLabel());
        return selector;
    }

    /** Sets the object's name and the install's labels ({@code app: istiod}, {@code istio.io/rev}). */
    private ObjectNode labelled(ObjectNode object, String name) {
        ObjectNode metadata = object.get("metadata") instanceof ObjectNode m ? m : object.putObject("metadata");
        ObjectNode named = InstallManifest.YAML.createObjectNode();
        named.put("name", name);
        named.setAll(metadata);
        object.set("metadata", named);
        ObjectNode labels = named.get("labels") instanceof ObjectNode l ? l : named.putObject("labels");
        labels.put("app", CONTROL_PLANE).put("istio.io/rev", settings.revisionLabel());
        return object;
    }

    private ObjectNode meshConfigMap() {
        ObjectNode map = labelled(yaml("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {namespace: istio-system}
                """), settings.revisioned("istio"));
        map.putObject("data").put("mesh", settings.meshConfigYaml());
        return map;
    }

    private ObjectNode clusterRole() {
        ObjectNode role = labelled(yaml("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                rules:
                - apiGroups: [""]
                  resources: [services, pods, namespaces, configmaps, nodes]
                  verbs: [get, list, watch]
                - apiGroups: [discovery.k8s.io]
                  resources: [endpointslices]
                  verbs: [get, list, watch]
                """), settings.revisioned(ROLE));
        ArrayNode rules = (ArrayNode) role.get("rules");
        // Every Istio kind is watched (a PeerAuthentication or AuthorizationPolicy unseen would fail open); the
        // leader writes each resource's validationMessages through the status subresource, and nothing else.
        InstallManifest.kindsByGroup().forEach((group, kinds) -> {
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
        // The leader keeps the caBundle of its two webhook configurations (only those) on the mesh root.
        ObjectNode webhooks = rules.addObject();
        webhooks.putArray("apiGroups").add("admissionregistration.k8s.io");
        webhooks.putArray("resources").add("validatingwebhookconfigurations").add("mutatingwebhookconfigurations");
        webhooks.putArray("resourceNames").add(validator()).add(injector());
        webhooks.putArray("verbs").add("get").add("patch");
        // The CA checks injected pods' service-account tokens.
        ObjectNode tokenReviews = rules.addObject();
        tokenReviews.putArray("apiGroups").add("authentication.k8s.io");
        tokenReviews.putArray("resources").add("tokenreviews");
        tokenReviews.putArray("verbs").add("create");
        return role;
    }

    private ObjectNode deployment() {
        ObjectNode deployment = labelled(yaml("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {namespace: istio-system, labels: {istio: pilot}}
                spec:
                  template:
                    metadata:
                      labels: {istio: pilot, sidecar.istio.io/inject: "false"}
                      annotations: {prometheus.io/scrape: "true", prometheus.io/port: "15010", prometheus.io/path: /metrics}
                    spec:
                      containers:
                      - name: discovery
                        args:
                        - --meshgate.control-plane.config-source=kubernetes
                        - --meshgate.control-plane.tls-address=0.0.0.0
                        - --meshgate.control-plane.webhook.enabled=true
                        - --meshgate.control-plane.webhook.address=0.0.0.0
                        - --meshgate.control-plane.ca-dir=/etc/cacerts
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
                        volumeMounts:
                        - {name: cacerts, mountPath: /etc/cacerts, readOnly: true}
                      volumes:
                      - name: cacerts
                        secret: {secretName: cacerts}
                """), name());
        ObjectNode spec = (ObjectNode) deployment.get("spec");
        // Every replica serves proxies and webhooks; they share the cacerts Secret's CA, so a workload certificate or
        // the webhook certificate of one replica is trusted wherever the others' are.
        spec.put("replicas", settings.pilotReplicas());
        spec.putObject("selector").set("matchLabels", selector());
        ObjectNode podLabels = (ObjectNode) deployment.at("/spec/template/metadata/labels");
        podLabels.setAll(selector());
        ObjectNode pod = (ObjectNode) deployment.at("/spec/template/spec");
        pod.put("serviceAccountName", name());
        ObjectNode container = (ObjectNode) pod.at("/containers/0");
        container.put("image", settings.image("config-server"));
        ArrayNode args = (ArrayNode) container.get("args");
        args.add("--meshgate.control-plane.webhook.proxy-image=" + settings.image("sidecar"));
        args.add("--meshgate.control-plane.webhook.init-image=" + settings.image("proxy-init"));
        if (!settings.revision().isEmpty()) {
            // A revision has its own Service (which its sidecars dial and its webhook certificate names), its own
            // webhook configurations, MeshConfig and status Lease; it reads the same Istio resources.
            args.add("--meshgate.control-plane.webhook.revision=" + settings.revision());
            args.add("--meshgate.control-plane.webhook.service=" + name());
            args.add("--meshgate.control-plane.webhook.validating-configuration=" + validator());
            args.add("--meshgate.control-plane.webhook.injector-configuration=" + injector());
            args.add("--meshgate.control-plane.kubernetes.mesh-config-name=" + settings.revisioned("istio"));
            args.add("--meshgate.control-plane.kubernetes.leader-election.lease-name="
                    + settings.revisioned("istio-status-leader"));
        }
        return deployment;
    }

    private ObjectNode validatingWebhook() {
        ObjectNode config = labelled(yaml("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingWebhookConfiguration
                webhooks: []
                """), validator());
        ArrayNode webhooks = (ArrayNode) config.get("webhooks");
        // As Istio's: a resource labelled istio.io/rev is judged by that revision; the default revision also judges
        // every unlabelled one.
        ObjectNode rev = validation(webhooks.addObject(), "rev.validation.istio.io");
        revisionIs(rev.putObject("objectSelector").putArray("matchExpressions"));
        if (settings.revision().isEmpty()) {
            ObjectNode unlabelled = validation(webhooks.addObject(), "validation.istio.io");
            expression(unlabelled.putObject("objectSelector").putArray("matchExpressions"), "istio.io/rev",
                    "DoesNotExist");
        }
        return config;
    }

    private ObjectNode validation(ObjectNode webhook, String name) {
        webhook.put("name", name);
        webhook.set("clientConfig", clientConfig("/validate"));
        webhook.set("rules", yaml("""
                rules:
                - operations: [CREATE, UPDATE]
                  apiGroups: [networking.istio.io, security.istio.io, telemetry.istio.io]
                  apiVersions: ["*"]
                  resources: ["*"]
                """).get("rules"));
        webhook.put("failurePolicy", "Fail").put("sideEffects", "None");
        webhook.putArray("admissionReviewVersions").add("v1");
        return webhook;
    }

    /**
     * Istio's injector selectors: {@code rev.namespace} (namespace labelled {@code istio.io/rev=<rev>}) and
     * {@code rev.object} (pod labelled so, in a namespace labelled neither way); the default revision also answers
     * {@code istio-injection=enabled} namespaces and pods labelled {@code sidecar.istio.io/inject=true} elsewhere.
     * A pod labelled {@code sidecar.istio.io/inject=false} is never sent.
     */
    private ObjectNode mutatingWebhook() {
        ObjectNode config = yaml("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata: {labels: {app: sidecar-injector}}
                webhooks: []
                """);
        ObjectNode metadata = (ObjectNode) config.get("metadata");
        ObjectNode named = InstallManifest.YAML.createObjectNode().put("name", injector());
        named.setAll(metadata);
        config.set("metadata", named);
        ((ObjectNode) named.get("labels")).put("istio.io/rev", settings.revisionLabel());
        ArrayNode webhooks = (ArrayNode) config.get("webhooks");

        ObjectNode byNamespace = injection(webhooks.addObject(), "rev.namespace.sidecar-injector.istio.io");
        ArrayNode namespace = byNamespace.putObject("namespaceSelector").putArray("matchExpressions");
        revisionIs(namespace);
        expression(namespace, "istio-injection", "DoesNotExist");
        notOptedOut(byNamespace.putObject("objectSelector").putArray("matchExpressions"));

        ObjectNode byObject = injection(webhooks.addObject(), "rev.object.sidecar-injector.istio.io");
        ArrayNode objectNamespace = byObject.putObject("namespaceSelector").putArray("matchExpressions");
        expression(objectNamespace, "istio.io/rev", "DoesNotExist");
        expression(objectNamespace, "istio-injection", "DoesNotExist");
        ArrayNode object = byObject.putObject("objectSelector").putArray("matchExpressions");
        notOptedOut(object);
        revisionIs(object);

        if (settings.revision().isEmpty()) {
            ObjectNode enabled = injection(webhooks.addObject(), "namespace.sidecar-injector.istio.io");
            expression(enabled.putObject("namespaceSelector").putArray("matchExpressions"), "istio-injection", "In",
                    "enabled");
            notOptedOut(enabled.putObject("objectSelector").putArray("matchExpressions"));
            ObjectNode optedIn = injection(webhooks.addObject(), "object.sidecar-injector.istio.io");
            ArrayNode elsewhere = optedIn.putObject("namespaceSelector").putArray("matchExpressions");
            expression(elsewhere, "istio-injection", "DoesNotExist");
            expression(elsewhere, "istio.io/rev", "DoesNotExist");
            ArrayNode pod = optedIn.putObject("objectSelector").putArray("matchExpressions");
            expression(pod, "sidecar.istio.io/inject", "In", "true");
            expression(pod, "istio.io/rev", "DoesNotExist");
        }
        return config;
    }

    private ObjectNode injection(ObjectNode webhook, String name) {
        webhook.put("name", name);
        webhook.set("clientConfig", clientConfig("/inject"));
        webhook.set("rules", yaml("""
                rules:
                - {operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}
                """).get("rules"));
        webhook.put("failurePolicy", "Fail").put("reinvocationPolicy", "Never").put("sideEffects", "None");
        webhook.putArray("admissionReviewVersions").add("v1");
        return webhook;
    }

    /** The caBundle given, or empty for the control plane's leader to fill in (WebhookCaBundlePatcher). */
    private ObjectNode clientConfig(String path) {
        ObjectNode clientConfig = InstallManifest.YAML.createObjectNode();
        clientConfig.putObject("service").put("name", name()).put("namespace", InstallManifest.NAMESPACE)
                .put("path", path).put("port", 443);
        clientConfig.put("caBundle", settings.caBundle());
        return clientConfig;
    }

    private void revisionIs(ArrayNode expressions) {
        expression(expressions, "istio.io/rev", "In", settings.revisionLabel());
    }

    private static void notOptedOut(ArrayNode expressions) {
        expression(expressions, "sidecar.istio.io/inject", "NotIn", "false");
    }

    private static void expression(ArrayNode expressions, String key, String operator, String... values) {
        ObjectNode expression = expressions.addObject().put("key", key).put("operator", operator);
        if (values.length > 0) {
            ArrayNode array = expression.putArray("values");
            for (String value : values) {
                array.add(value);
            }
        }
    }
}
