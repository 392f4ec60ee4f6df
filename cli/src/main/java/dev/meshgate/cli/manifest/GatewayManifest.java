package dev.meshgate.cli.manifest;

import static dev.meshgate.cli.manifest.InstallManifest.yaml;

import java.util.List;

import dev.meshgate.core.inject.SidecarInjector;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An ingress or egress gateway as Istio installs it ({@code istio-ingressgateway}, {@code istio-egressgateway}): the
 * gateway app under the label {@code istio: ingressgateway|egressgateway} that Gateway selectors match, its
 * ServiceAccount, a Role reading the TLS Secrets of its namespace (Istio's {@code istio-ingressgateway-sds}: the
 * gateway serves {@code credentialName} from them, {@code --meshgate.gateway.kubernetes-secrets=true}), its
 * Deployment (ready on 15021 {@code /healthz/ready}, metrics on 15090), Service (LoadBalancer 80/443/15021 for the
 * ingress, ClusterIP 80/443 for the egress), HorizontalPodAutoscaler and PodDisruptionBudget.
 */
final class GatewayManifest {

    /** Istio's ingress gateway. */
    static final GatewayManifest INGRESS = new GatewayManifest("istio-ingressgateway", "ingressgateway",
            "LoadBalancer");
    /** Istio's egress gateway. */
    static final GatewayManifest EGRESS = new GatewayManifest("istio-egressgateway", "egressgateway", "ClusterIP");

    private final String base;
    private final String istioLabel;
    private final String serviceType;

    private GatewayManifest(String base, String istioLabel, String serviceType) {
        this.base = base;
        this.istioLabel = istioLabel;
        this.serviceType = serviceType;
    }

    List<ObjectNode> objects(InstallSettings settings) {
        String name = settings.revisioned(base);
        String account = name + "-service-account";
        ObjectNode labels = InstallManifest.YAML.createObjectNode();
        labels.put("app", base).put("istio", istioLabel).put("istio.io/rev", settings.revisionLabel());

        ObjectNode serviceAccount = object("v1", "ServiceAccount", account, labels);
        ObjectNode role = object("rbac.authorization.k8s.io/v1", "Role", name + "-sds", labels);
        role.set("rules", yaml("""
                rules:
                - apiGroups: [""]
                  resources: [secrets]
                  verbs: [get, watch, list]
                """).get("rules"));
        ObjectNode binding = object("rbac.authorization.k8s.io/v1", "RoleBinding", name + "-sds", labels);
        binding.putObject("roleRef").put("apiGroup", "rbac.authorization.k8s.io").put("kind", "Role")
                .put("name", name + "-sds");
        binding.putArray("subjects").addObject().put("kind", "ServiceAccount").put("name", account);

        ObjectNode deployment = object("apps/v1", "Deployment", name, labels);
        ObjectNode spec = deployment.putObject("spec");
        spec.putObject("selector").set("matchLabels", labels);
        ObjectNode template = spec.putObject("template");
        ObjectNode podLabels = labels.deepCopy();
        podLabels.put("sidecar.istio.io/inject", "false");
        ObjectNode podMetadata = template.putObject("metadata");
        podMetadata.set("labels", podLabels);
        podMetadata.set("annotations", yaml("""
                {prometheus.io/scrape: "true", prometheus.io/port: "15090", prometheus.io/path: /stats/prometheus}
                """));
        ObjectNode pod = template.putObject("spec");
        pod.put("serviceAccountName", account);
        ObjectNode container = pod.putArray("containers").addObject();
        container.put("name", "istio-proxy").put("image", settings.image("gateway"));
        ArrayNode args = container.putArray("args");
        args.add("--meshgate.proxy.name=$(POD_NAME)");
        args.add("--meshgate.proxy.namespace=$(POD_NAMESPACE)");
        args.add("--meshgate.proxy.service-account=$(SERVICE_ACCOUNT)");
        args.add("--meshgate.proxy.labels[app]=" + base);
        args.add("--meshgate.proxy.labels[istio]=" + istioLabel);
        args.add("--meshgate.proxy.discovery-address=" + settings.revisioned(ControlPlaneManifest.CONTROL_PLANE)
                + "." + InstallManifest.NAMESPACE + ".svc:15012");
        args.add("--meshgate.proxy.credentials=" + SidecarInjector.CREDENTIALS_PATH);
        args.add("--meshgate.proxy.probe-ports.health=" + SidecarInjector.HEALTH_PORT);
        args.add("--meshgate.proxy.probe-ports.stats=15090");
        args.add("--meshgate.proxy.probe-ports.address=0.0.0.0");
        args.add("--meshgate.gateway.bind-address=0.0.0.0");
        args.add("--meshgate.gateway.kubernetes-secrets=true");
        container.set("env", yaml("""
                env:
                - name: POD_NAME
                  valueFrom: {fieldRef: {fieldPath: metadata.name}}
                - name: POD_NAMESPACE
                  valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
                - name: SERVICE_ACCOUNT
                  valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}
                """).get("env"));
        // Gateway server port 80 listens on 8080 and 443 on 8443 (GatewayProperties): no privileged port needed.
        container.set("ports", yaml("""
                ports:
                - {containerPort: 8080, name: http2, protocol: TCP}
                - {containerPort: 8443, name: https, protocol: TCP}
                - {containerPort: 15021, name: status-port, protocol: TCP}
                - {containerPort: 15090, name: http-envoy-prom, protocol: TCP}
                """).get("ports"));
        container.set("readinessProbe", yaml("""
                {httpGet: {path: /healthz/ready, port: 15021}, periodSeconds: 2, timeoutSeconds: 3, failureThreshold: 30}
                """));
        container.set("resources", yaml("""
                {requests: {cpu: 100m, memory: 256Mi}, limits: {cpu: "2", memory: 1Gi}}
                """));
        container.set("securityContext", yaml("""
                {runAsUser: 1337, runAsGroup: 1337, runAsNonRoot: true, allowPrivilegeEscalation: false,
                 privileged: false, capabilities: {drop: [ALL]}}
                """));
        container.putArray("volumeMounts").addObject().put("name", SidecarInjector.CREDENTIALS_VOLUME)
                .put("mountPath", SidecarInjector.CREDENTIALS_PATH).put("readOnly", true);
        // The token it proves its identity with to the control plane's CA, and the mesh root it trusts it by.
        ObjectNode volume = pod.putArray("volumes").addObject();
        volume.put("name", SidecarInjector.CREDENTIALS_VOLUME);
        ArrayNode sources = volume.putObject("projected").putArray("sources");
        sources.addObject().putObject("serviceAccountToken").put("audience", SidecarInjector.TOKEN_AUDIENCE)
                .put("expirationSeconds", 43200).put("path", "token");
        ObjectNode rootCert = sources.addObject().putObject("configMap");
        rootCert.put("name", SidecarInjector.ROOT_CERT_CONFIG_MAP);
        rootCert.putArray("items").addObject().put("key", SidecarInjector.ROOT_CERT_KEY)
                .put("path", SidecarInjector.ROOT_CERT_KEY);

        ObjectNode service = object("v1", "Service", name, labels);
        ObjectNode serviceSpec = service.putObject("spec");
        serviceSpec.put("type", serviceType);
        serviceSpec.set("selector", labels);
        ArrayNode ports = serviceSpec.putArray("ports");
        if (serviceType.equals("LoadBalancer")) {
            ports.addObject().put("name", "status-port").put("port", 15021).put("targetPort", 15021)
                    .put("protocol", "TCP");
        }
        ports.addObject().put("name", "http2").put("port", 80).put("targetPort", 8080).put("protocol", "TCP");
        ports.addObject().put("name", "https").put("port", 443).put("targetPort", 8443).put("protocol", "TCP");

        ObjectNode autoscaler = object("autoscaling/v2", "HorizontalPodAutoscaler", name, labels);
        autoscaler.set("spec", yaml("""
                minReplicas: 1
                maxReplicas: 5
                scaleTargetRef: {apiVersion: apps/v1, kind: Deployment}
                metrics:
                - type: Resource
                  resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
                """));
        ((ObjectNode) autoscaler.at("/spec/scaleTargetRef")).put("name", name);

        ObjectNode budget = object("policy/v1", "PodDisruptionBudget", name, labels);
        budget.putObject("spec").put("minAvailable", 1).putObject("selector").set("matchLabels", labels);
        return List.of(serviceAccount, role, binding, deployment, service, autoscaler, budget);
    }

    private static ObjectNode object(String apiVersion, String kind, String name, ObjectNode labels) {
        ObjectNode object = InstallManifest.YAML.createObjectNode();
        object.put("apiVersion", apiVersion).put("kind", kind);
        ObjectNode metadata = object.putObject("metadata");
        metadata.put("name", name).put("namespace", InstallManifest.NAMESPACE);
        metadata.set("labels", labels.deepCopy());
        return object;
    }
}
