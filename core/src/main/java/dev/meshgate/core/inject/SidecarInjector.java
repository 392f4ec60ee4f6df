package dev.meshgate.core.inject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import java.util.function.Consumer;

import dev.meshgate.core.validation.Diagnostic;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one injection template: adds meshgate's sidecar to a pod, in the spirit of Istio's {@code sidecar} template.
 * {@code meshctl kube-inject} applies it to every pod template of a manifest, the control plane's {@code /inject}
 * webhook to the pods the API server sends it.
 *
 * <p>What a pod gets:
 * <ul>
 * <li>{@code istio-init}, the interception init container: {@link InterceptionRules} fed to {@code
 * iptables-restore}, with NET_ADMIN/NET_RAW only;</li>
 * <li>{@code istio-proxy} as a native sidecar (an init container with {@code restartPolicy: Always}, before the
 * pod's own init containers), so the app starts after it is ready and Jobs complete: the sidecar app, user/group
 * 1337, its identity from the downward API (pod name, namespace, service account, each template label), ports 15001
 * (outbound), 15006 (inbound), 15020 (the admin port: {@code /stats/prometheus}, actuator), 15021 (Istio's health
 * port: {@code /healthz/ready}, 200 once the proxy applied a view) and 15090 ({@code http-envoy-prom}: Envoy's
 * {@code /stats/prometheus}, which Istio's Prometheus jobs find by that port name), resources from Istio's
 * {@code sidecar.istio.io/proxyCPU}, {@code proxyMemory}, {@code proxyCPULimit}, {@code proxyMemoryLimit}
 * annotations, startup and readiness probes on 15021 {@code /healthz/ready}, as Istio's;</li>
 * <li>the {@code istio-podinfo} downward-API volume (labels, annotations) at {@code /etc/istio/pod};</li>
 * <li>the {@code istio-token} projected volume at {@value #CREDENTIALS_PATH}, the sidecar's credentials directory:
 * {@code token}, the pod's service-account token for the audience {@code istio-ca} (Istio's third-party JWT,
 * 12 h, renewed by the kubelet), and {@code root-cert.pem} from the ConfigMap {@code istio-ca-root-cert} that the
 * control plane writes into every namespace. With them the sidecar gets its workload certificate from the CA over
 * TLS (15012; the CA checks the token with a TokenReview) and speaks discovery over TLS, never plaintext 15010;</li>
 * <li>annotations {@code sidecar.istio.io/status} and {@code istio.io/rev} (the injecting revision), {@code prometheus.io/scrape|port|path} (unless the pod sets its
 * own scrape annotations: meshgate does not merge the app's metrics as pilot-agent does) pointing at 15020
 * {@code /stats/prometheus} as Istio's do: the admin port serves the proxy's metrics there, the same text as 15090,
 * so a scrape configuration written for Istio's annotations finds them unchanged, {@code
 * kubectl.kubernetes.io/default-container}; labels {@code security.istio.io/tlsMode} and the canonical service
 * and revision.</li>
 * </ul>
 * {@code proxy.istio.io/config} is read for the fields the sidecar has an equivalent of ({@link ProxyConfigAnnotation});
 * the others are returned as warnings. Not as Istio: 15020 does not merge the app's own metrics into the proxy's; the
 * other {@code sidecar.istio.io/*} annotations are not read.
 */
public final class SidecarInjector {

    public static final String INJECT = "sidecar.istio.io/inject";
    public static final String STATUS = "sidecar.istio.io/status";
    /** The revision label of namespaces and pods, and the injected pod's annotation naming its injector's revision. */
    public static final String REVISION = "istio.io/rev";
    public static final String PROXY_CONTAINER = "istio-proxy";
    public static final String INIT_CONTAINER = "istio-init";
    public static final String PODINFO_VOLUME = "istio-podinfo";
    /** The projected volume of the sidecar's credentials: service-account token and mesh root. */
    public static final String CREDENTIALS_VOLUME = "istio-token";
    public static final String CREDENTIALS_PATH = "/var/run/secrets/meshgate";
    /** istiod's audience for the tokens proxies show its CA. */
    public static final String TOKEN_AUDIENCE = "istio-ca";
    /** The ConfigMap holding the mesh's root certificate in every namespace (Istio's name). */
    public static final String ROOT_CERT_CONFIG_MAP = "istio-ca-root-cert";
    public static final String ROOT_CERT_KEY = "root-cert.pem";
    /** The sidecar's admin port in a pod (pilot-agent's status port): metrics and health. */
    public static final int ADMIN_PORT = 15020;
    public static final String METRICS_PATH = "/stats/prometheus";
    /** Istio's health port (pilot-agent's readiness) and Envoy's prometheus port, served by the proxy itself. */
    public static final int HEALTH_PORT = 15021;
    public static final String READY_PATH = "/healthz/ready";
    public static final int STATS_PORT = 15090;
    static final String RULES_ENV = "MESHGATE_IPTABLES_RULES";

    /** The workload kinds whose pod template is injected, and where the template is. */
    private static final Map<String, List<String>> TEMPLATES = Map.of(
            "Pod", List.of(),
            "Deployment", List.of("spec", "template"),
            "StatefulSet", List.of("spec", "template"),
            "DaemonSet", List.of("spec", "template"),
            "ReplicaSet", List.of("spec", "template"),
            "ReplicationController", List.of("spec", "template"),
            "Job", List.of("spec", "template"),
            "CronJob", List.of("spec", "jobTemplate", "spec", "template"));
    private static final Set<String> TRUE = Set.of("y", "yes", "true", "on");
    private static final Set<String> FALSE = Set.of("n", "no", "false", "off");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final SidecarTemplate template;

    public SidecarInjector(SidecarTemplate template) {
        this.template = template;
    }

    /**
     * Istio's pod-level policy once the namespace selected the pod: the {@code sidecar.istio.io/inject} label (or
     * the deprecated annotation, read when there is no label) set to false opts out; a pod already injected, or on
     * the host's network, is left alone.
     */
    public static boolean wanted(JsonNode pod) {
        JsonNode metadata = pod.path("metadata");
        if (metadata.path("annotations").has(STATUS) || pod.path("spec").path("hostNetwork").asBoolean(false)) {
            return false;
        }
        String value = metadata.path("labels").has(INJECT) ? metadata.path("labels").path(INJECT).asString("")
                : metadata.path("annotations").path(INJECT).asString("");
        return !FALSE.contains(value.toLowerCase(Locale.ROOT));
    }

    /**
     * Whether the pod asks for injection itself (label or deprecated annotation true), the object selector of
     * Istio's webhook for namespaces without {@code istio-injection}.
     */
    public static boolean requested(JsonNode pod) {
        JsonNode metadata = pod.path("metadata");
        String value = metadata.path("labels").has(INJECT) ? metadata.path("labels").path(INJECT).asString("")
                : metadata.path("annotations").path(INJECT).asString("");
        return TRUE.contains(value.toLowerCase(Locale.ROOT));
    }

    /** The kinds whose pods {@link #injectManifest} injects. */
    public static Set<String> workloadKinds() {
        return new TreeSet<>(TEMPLATES.keySet());
    }

    /**
     * Injects every pod template of one manifest document (a workload, a {@code List} of them) that is
     * {@link #wanted}; other documents are left as they are.
     *
     * @param warnings told each warning of an injection (an unsupported {@code proxy.istio.io/config} field)
     * @return how many pod templates were injected
     */
    public int injectManifest(ObjectNode document, Consumer<Diagnostic> warnings) {
        String kind = document.path("kind").asString("");
        if (kind.equals("List")) {
            int injected = 0;
            for (JsonNode item : document.path("items")) {
                if (item instanceof ObjectNode object) {
                    injected += injectManifest(object, warnings);
                }
            }
            return injected;
        }
        List<String> path = TEMPLATES.get(kind);
        if (path == null) {
            return 0;
        }
        JsonNode pod = document;
        for (String step : path) {
            pod = pod.path(step);
        }
        if (!(pod instanceof ObjectNode podTemplate) || !wanted(podTemplate)) {
            return 0;
        }
        String name = document.path("metadata").path("name").asString("");
        String namespace = document.path("metadata").path("namespace").asString("default");
        inject(podTemplate, kind, name.isEmpty() ? null : namespace + "/" + name, name).forEach(warnings);
        return 1;
    }

    /**
     * Adds the sidecar to a pod or pod template (an object with {@code metadata} and {@code spec}), in place.
     *
     * @param kind the workload's kind and {@code key} its namespace/name, for a diagnostic
     * @param workloadName the canonical service name when the labels give none
     * @return the warnings of the injection (fields of {@code proxy.istio.io/config} it does not honour)
     * @throws InjectionException when an interception annotation or {@code proxy.istio.io/config} is malformed
     *     (nothing is changed then)
     */
    public List<Diagnostic> inject(ObjectNode pod, String kind, @Nullable String key, String workloadName) {
        ObjectNode metadata = object(pod, "metadata");
        Map<String, String> annotations = strings(metadata.path("annotations"));
        InterceptionRules rules = InterceptionRules.of(annotations, kind, key);
        ProxyConfigAnnotation proxyConfig = ProxyConfigAnnotation.of(annotations, kind, key);
        ObjectNode spec = object(pod, "spec");
        ObjectNode labels = object(metadata, "labels");
        labels.put("security.istio.io/tlsMode", "istio");
        if (!labels.has("service.istio.io/canonical-name")) {
            labels.put("service.istio.io/canonical-name", firstOf(labels, workloadName,
                    "app.kubernetes.io/name", "app"));
        }
        if (!labels.has("service.istio.io/canonical-revision")) {
            labels.put("service.istio.io/canonical-revision", firstOf(labels, "latest",
                    "app.kubernetes.io/version", "version"));
        }
        ArrayNode containers = array(spec, "containers");
        List<ObjectNode> initContainers = new ArrayList<>();
        initContainers.add(initContainer(rules));
        initContainers.add(proxyContainer(strings(labels), annotations, proxyConfig, containers));
        ArrayNode inits = array(spec, "initContainers");
        for (int i = initContainers.size() - 1; i >= 0; i--) {
            inits.insert(0, initContainers.get(i));
        }
        ObjectNode podinfo = array(spec, "volumes").addObject();
        podinfo.put("name", PODINFO_VOLUME);
        ArrayNode items = podinfo.putObject("downwardAPI").putArray("items");
        items.addObject().put("path", "labels").putObject("fieldRef").put("fieldPath", "metadata.labels");
        items.addObject().put("path", "annotations").putObject("fieldRef").put("fieldPath", "metadata.annotations");
        ObjectNode credentials = array(spec, "volumes").addObject();
        credentials.put("name", CREDENTIALS_VOLUME);
        ArrayNode sources = credentials.putObject("projected").putArray("sources");
        sources.addObject().putObject("serviceAccountToken").put("audience", TOKEN_AUDIENCE)
                .put("expirationSeconds", 43200).put("path", "token");
        ObjectNode rootCert = sources.addObject().putObject("configMap");
        rootCert.put("name", ROOT_CERT_CONFIG_MAP);
        rootCert.putArray("items").addObject().put("key", ROOT_CERT_KEY).put("path", ROOT_CERT_KEY);

        ObjectNode podAnnotations = object(metadata, "annotations");
        if (!podAnnotations.has("prometheus.io/scrape")) {
            podAnnotations.put("prometheus.io/scrape", "true");
            podAnnotations.put("prometheus.io/port", Integer.toString(ADMIN_PORT));
            podAnnotations.put("prometheus.io/path", METRICS_PATH);
        }
        if (!containers.isEmpty() && !podAnnotations.has("kubectl.kubernetes.io/default-container")) {
            podAnnotations.put("kubectl.kubernetes.io/default-container", containers.get(0).path("name").asString());
            podAnnotations.put("kubectl.kubernetes.io/default-logs-container",
                    containers.get(0).path("name").asString());
        }
        ObjectNode status = NODES.objectNode();
        status.putArray("initContainers").add(INIT_CONTAINER).add(PROXY_CONTAINER);
        status.putArray("containers");
        status.putArray("volumes").add(PODINFO_VOLUME).add(CREDENTIALS_VOLUME);
        status.putNull("imagePullSecrets");
        status.put("revision", template.revision());
        podAnnotations.put(STATUS, status.toString());
        // As Istio's injector: which revision injected the pod (its sidecar dials that revision's control plane).
        podAnnotations.put(REVISION, template.revision());
        return proxyConfig.warnings;
    }

    private ObjectNode initContainer(InterceptionRules rules) {
        ObjectNode init = NODES.objectNode();
        init.put("name", INIT_CONTAINER);
        init.put("image", template.initImage());
        init.putArray("command").add("sh").add("-c")
                .add("printf '%s' \"$" + RULES_ENV + "\" | iptables-restore --noflush");
        init.putArray("env").addObject().put("name", RULES_ENV).put("value", rules.iptablesRestore());
        ObjectNode resources = init.putObject("resources");
        resources.putObject("requests").put("cpu", "10m").put("memory", "16Mi");
        resources.putObject("limits").put("cpu", "100m").put("memory", "64Mi");
        ObjectNode security = init.putObject("securityContext");
        security.put("runAsUser", 0).put("runAsGroup", 0).put("runAsNonRoot", false)
                .put("privileged", false).put("allowPrivilegeEscalation", false);
        ObjectNode capabilities = security.putObject("capabilities");
        capabilities.putArray("add").add("NET_ADMIN").add("NET_RAW");
        capabilities.putArray("drop").add("ALL");
        return init;
    }

    private ObjectNode proxyContainer(Map<String, String> labels, Map<String, String> annotations,
            ProxyConfigAnnotation proxyConfig, ArrayNode containers) {
        ObjectNode proxy = NODES.objectNode();
        proxy.put("name", PROXY_CONTAINER);
        proxy.put("image", template.proxyImage());
        proxy.put("restartPolicy", "Always");
        ArrayNode args = proxy.putArray("args");
        args.add("--meshgate.proxy.name=$(POD_NAME)");
        args.add("--meshgate.proxy.namespace=$(POD_NAMESPACE)");
        args.add("--meshgate.proxy.service-account=$(SERVICE_ACCOUNT)");
        args.add("--meshgate.proxy.discovery-address=" + template.discoveryAddress());
        args.add("--meshgate.proxy.credentials=" + CREDENTIALS_PATH);
        args.add("--meshgate.proxy.admin-port=" + ADMIN_PORT);
        args.add("--meshgate.proxy.probe-ports.health=" + HEALTH_PORT);
        args.add("--meshgate.proxy.probe-ports.stats=" + STATS_PORT);
        args.add("--meshgate.proxy.probe-ports.address=0.0.0.0");
        args.add("--meshgate.sidecar.outbound-port=" + InterceptionRules.OUTBOUND_PORT);
        args.add("--meshgate.sidecar.inbound-port=" + InterceptionRules.INBOUND_PORT);
        args.add("--meshgate.sidecar.bind-address=0.0.0.0");
        args.add("--meshgate.sidecar.interception=REDIRECT");
        Integer appPort = firstContainerPort(containers);
        if (appPort != null) {
            args.add("--meshgate.sidecar.app-port=" + appPort);
        }
        if (proxyConfig.terminationDrainDuration != null) {
            // Requests in flight get this long to complete when the proxy stops (its graceful shutdown phase).
            args.add("--spring.lifecycle.timeout-per-shutdown-phase="
                    + proxyConfig.terminationDrainDuration.toMillis() + "ms");
        }
        ArrayNode env = proxy.putArray("env");
        fieldRef(env, "POD_NAME", "metadata.name");
        fieldRef(env, "POD_NAMESPACE", "metadata.namespace");
        fieldRef(env, "INSTANCE_IP", "status.podIP");
        fieldRef(env, "SERVICE_ACCOUNT", "spec.serviceAccountName");
        proxyConfig.metadata.forEach((name, value) -> env.addObject().put("name", name).put("value", value));
        int i = 0;
        for (String label : new TreeSet<>(labels.keySet())) {
            String variable = "MESHGATE_LABEL_" + i++;
            fieldRef(env, variable, "metadata.labels['" + label + "']");
            args.add("--meshgate.proxy.labels[" + label + "]=$(" + variable + ")");
        }
        ArrayNode ports = proxy.putArray("ports");
        port(ports, InterceptionRules.OUTBOUND_PORT, "outbound");
        port(ports, InterceptionRules.INBOUND_PORT, "inbound");
        port(ports, ADMIN_PORT, "http-status");
        port(ports, HEALTH_PORT, "health");
        port(ports, STATS_PORT, "http-envoy-prom");
        ObjectNode resources = proxy.putObject("resources");
        ObjectNode requests = resources.putObject("requests");
        requests.put("cpu", annotations.getOrDefault("sidecar.istio.io/proxyCPU", "100m"));
        requests.put("memory", annotations.getOrDefault("sidecar.istio.io/proxyMemory", "256Mi"));
        if (annotations.containsKey("sidecar.istio.io/proxyCPULimit")
                || annotations.containsKey("sidecar.istio.io/proxyMemoryLimit")) {
            ObjectNode limits = resources.putObject("limits");
            if (annotations.containsKey("sidecar.istio.io/proxyCPULimit")) {
                limits.put("cpu", annotations.get("sidecar.istio.io/proxyCPULimit"));
            }
            if (annotations.containsKey("sidecar.istio.io/proxyMemoryLimit")) {
                limits.put("memory", annotations.get("sidecar.istio.io/proxyMemoryLimit"));
            }
        }
        // As Istio's native sidecar: the app's containers start once the startup probe passes.
        probe(proxy.putObject("startupProbe"), 1, 600);
        probe(proxy.putObject("readinessProbe"), 15, 4);
        ObjectNode security = proxy.putObject("securityContext");
        security.put("runAsUser", InterceptionRules.PROXY_UID).put("runAsGroup", InterceptionRules.PROXY_UID)
                .put("runAsNonRoot", true).put("allowPrivilegeEscalation", false).put("privileged", false);
        security.putObject("capabilities").putArray("drop").add("ALL");
        ArrayNode mounts = proxy.putArray("volumeMounts");
        mounts.addObject().put("name", PODINFO_VOLUME).put("mountPath", "/etc/istio/pod").put("readOnly", true);
        mounts.addObject().put("name", CREDENTIALS_VOLUME).put("mountPath", CREDENTIALS_PATH).put("readOnly", true);
        return proxy;
    }

    private static void probe(ObjectNode probe, int periodSeconds, int failureThreshold) {
        probe.putObject("httpGet").put("path", READY_PATH).put("port", HEALTH_PORT);
        probe.put("periodSeconds", periodSeconds).put("timeoutSeconds", 3).put("failureThreshold", failureThreshold);
    }

    private static void port(ArrayNode ports, int port, String name) {
        ports.addObject().put("containerPort", port).put("name", name).put("protocol", "TCP");
    }

    private static void fieldRef(ArrayNode env, String name, String fieldPath) {
        env.addObject().put("name", name).putObject("valueFrom").putObject("fieldRef").put("fieldPath", fieldPath);
    }

    private static @Nullable Integer firstContainerPort(ArrayNode containers) {
        for (JsonNode container : containers) {
            for (JsonNode port : container.path("ports")) {
                if (port.path("containerPort").canConvertToInt() && port.path("containerPort").asInt() > 0) {
                    return port.path("containerPort").asInt();
                }
            }
        }
        return null;
    }

    private static String firstOf(ObjectNode labels, String fallback, String... keys) {
        for (String key : keys) {
            String value = labels.path(key).asString("");
            if (!value.isEmpty()) {
                return value;
            }
        }
        return fallback;
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            map.put(entry.getKey(), entry.getValue().asString(""));
        }
        return map;
    }

    private static ObjectNode object(ObjectNode parent, String name) {
        JsonNode child = parent.get(name);
        if (child instanceof ObjectNode object) {
            return object;
        }
        return parent.putObject(name);
    }

    private static ArrayNode array(ObjectNode parent, String name) {
        JsonNode child = parent.get(name);
        if (child instanceof ArrayNode array) {
            return array;
        }
        return parent.putArray(name);
    }
}
