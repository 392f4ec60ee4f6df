package dev.meshgate.core.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Golden-style checks of the injected pod (parsed, field by field) for every workload kind. */
class SidecarInjectorTest {

    /** Fails a test on any injection warning it does not expect. */
    static final java.util.function.Consumer<dev.meshgate.core.validation.Diagnostic> NO_WARNINGS = warning -> {
        throw new AssertionError("unexpected warning: " + warning.format());
    };

    static final YAMLMapper YAML = YAMLMapper.builder().build();
    static final SidecarInjector INJECTOR = new SidecarInjector(SidecarTemplate.defaults());

    static final String POD_TEMPLATE = """
            metadata:
              labels: {app: reviews, version: v2}
            spec:
              initContainers:
              - {name: migrate, image: busybox}
              containers:
              - name: reviews
                image: docker.io/istio/examples-bookinfo-reviews-v2:1.20.3
                ports: [{containerPort: 9080}]
            """;

    static ObjectNode workload(String kind) {
        String template = POD_TEMPLATE.indent(switch (kind) {
            case "Pod" -> 0;
            case "CronJob" -> 8;
            default -> 4;
        });
        String head = "apiVersion: v1\nkind: " + kind + "\nmetadata: {name: reviews-v2, namespace: shop}\n";
        String body = switch (kind) {
            case "Pod" -> template.replace("metadata:\n  labels", "metadata:\n  name: reviews-v2\n  namespace: shop\n"
                    + "  labels").replaceFirst("^", "apiVersion: v1\nkind: Pod\n");
            case "CronJob" -> head + "spec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n"
                    + template;
            default -> head + "spec:\n  template:\n" + template;
        };
        return (ObjectNode) YAML.readTree(body);
    }

    static JsonNode podOf(JsonNode workload) {
        return switch (workload.path("kind").asString()) {
            case "Pod" -> workload;
            case "CronJob" -> workload.path("spec").path("jobTemplate").path("spec").path("template");
            default -> workload.path("spec").path("template");
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"})
    void everyWorkloadKindGetsTheNativeSidecarAndTheInterceptionInitContainer(String kind) {
        ObjectNode workload = workload(kind);
        assertThat(INJECTOR.injectManifest(workload, NO_WARNINGS)).isEqualTo(1);
        JsonNode pod = podOf(workload);
        JsonNode spec = pod.path("spec");

        assertThat(names(spec.path("initContainers"))).containsExactly("istio-init", "istio-proxy", "migrate");
        assertThat(names(spec.path("containers"))).containsExactly("reviews");

        JsonNode init = spec.path("initContainers").get(0);
        assertThat(init.path("image").asString()).isEqualTo("meshgate/proxy-init:0.1.0-SNAPSHOT");
        assertThat(init.path("command").get(2).asString()).contains("iptables-restore");
        assertThat(init.path("env").get(0).path("value").asString())
                .isEqualTo(InterceptionRules.of(Map.of(), kind, null).iptablesRestore());
        assertThat(strings(init.path("securityContext").path("capabilities").path("add")))
                .containsExactly("NET_ADMIN", "NET_RAW");

        JsonNode proxy = spec.path("initContainers").get(1);
        assertThat(proxy.path("image").asString()).isEqualTo("meshgate/sidecar:0.1.0-SNAPSHOT");
        assertThat(proxy.path("restartPolicy").asString()).isEqualTo("Always");
        assertThat(proxy.path("securityContext").path("runAsUser").asInt()).isEqualTo(1337);
        assertThat(proxy.path("securityContext").path("runAsGroup").asInt()).isEqualTo(1337);
        assertThat(ports(proxy)).containsExactly(Map.entry(15001, "outbound"), Map.entry(15006, "inbound"),
                Map.entry(15020, "http-status"), Map.entry(15021, "health"), Map.entry(15090, "http-envoy-prom"));
        assertThat(env(proxy)).containsEntry("POD_NAME", "metadata.name")
                .containsEntry("POD_NAMESPACE", "metadata.namespace")
                .containsEntry("SERVICE_ACCOUNT", "spec.serviceAccountName")
                .containsEntry("INSTANCE_IP", "status.podIP")
                .containsValue("metadata.labels['app']").containsValue("metadata.labels['version']");
        List<String> args = strings(proxy.path("args"));
        assertThat(args).contains("--meshgate.proxy.name=$(POD_NAME)", "--meshgate.proxy.namespace=$(POD_NAMESPACE)",
                "--meshgate.proxy.service-account=$(SERVICE_ACCOUNT)",
                "--meshgate.proxy.discovery-address=istiod.istio-system.svc:15012",
                "--meshgate.proxy.credentials=/var/run/secrets/meshgate",
                "--meshgate.proxy.admin-port=15020", "--meshgate.sidecar.app-port=9080",
                // Istio's probe target and Envoy's metrics port, on the pod's IP for the kubelet and Prometheus.
                "--meshgate.proxy.probe-ports.health=15021", "--meshgate.proxy.probe-ports.stats=15090",
                "--meshgate.proxy.probe-ports.address=0.0.0.0",
                "--meshgate.sidecar.bind-address=0.0.0.0",
                // The init container's rules redirect the pod's TCP: the sidecar dispatches by original destination.
                "--meshgate.sidecar.interception=REDIRECT");
        // Each label reaches the proxy through the downward API variable that holds it.
        String appVariable = env(proxy).entrySet().stream()
                .filter(e -> e.getValue().equals("metadata.labels['app']")).findFirst().orElseThrow().getKey();
        assertThat(args).contains("--meshgate.proxy.labels[app]=$(" + appVariable + ")");
        for (String probe : List.of("startupProbe", "readinessProbe")) {
            assertThat(proxy.path(probe).path("httpGet").path("port").asInt()).as(probe).isEqualTo(15021);
            assertThat(proxy.path(probe).path("httpGet").path("path").asString()).as(probe).isEqualTo("/healthz/ready");
        }
        assertThat(proxy.path("volumeMounts").get(0).path("mountPath").asString()).isEqualTo("/etc/istio/pod");

        assertThat(names(spec.path("volumes"))).containsExactly("istio-podinfo", "istio-token");
        // The sidecar's credentials: its projected service-account token for the CA, and the mesh root.
        JsonNode sources = spec.path("volumes").get(1).at("/projected/sources");
        assertThat(sources.get(0).path("serviceAccountToken").path("audience").asString()).isEqualTo("istio-ca");
        assertThat(sources.get(0).path("serviceAccountToken").path("path").asString()).isEqualTo("token");
        assertThat(sources.get(1).at("/configMap/name").asString()).isEqualTo("istio-ca-root-cert");
        assertThat(sources.get(1).at("/configMap/items/0/path").asString()).isEqualTo("root-cert.pem");
        assertThat(proxy.path("volumeMounts").get(1).path("name").asString()).isEqualTo("istio-token");
        assertThat(proxy.path("volumeMounts").get(1).path("mountPath").asString())
                .isEqualTo("/var/run/secrets/meshgate");
        JsonNode annotations = pod.path("metadata").path("annotations");
        assertThat(annotations.path("prometheus.io/scrape").asString()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/port").asString()).isEqualTo("15020");
        assertThat(annotations.path("prometheus.io/path").asString()).isEqualTo("/stats/prometheus");
        assertThat(annotations.path("kubectl.kubernetes.io/default-container").asString()).isEqualTo("reviews");
        JsonNode status = YAML.readTree(annotations.path("sidecar.istio.io/status").asString());
        assertThat(strings(status.path("initContainers"))).containsExactly("istio-init", "istio-proxy");
        assertThat(strings(status.path("volumes"))).containsExactly("istio-podinfo", "istio-token");
        JsonNode labels = pod.path("metadata").path("labels");
        assertThat(labels.path("security.istio.io/tlsMode").asString()).isEqualTo("istio");
        assertThat(labels.path("service.istio.io/canonical-name").asString()).isEqualTo("reviews");
        assertThat(labels.path("service.istio.io/canonical-revision").asString()).isEqualTo("v2");
    }

    @Test
    void injectingTwiceInjectsOnce() {
        ObjectNode workload = workload("Deployment");
        INJECTOR.injectManifest(workload, NO_WARNINGS);
        JsonNode once = workload.deepCopy();
        assertThat(INJECTOR.injectManifest(workload, NO_WARNINGS)).isZero();
        assertThat(workload).isEqualTo(once);
    }

    @ParameterizedTest
    @ValueSource(strings = {"labels: {sidecar.istio.io/inject: \"false\"}",
            "annotations: {sidecar.istio.io/inject: \"false\"}", "labels: {sidecar.istio.io/inject: \"off\"}"})
    void aPodThatOptsOutIsLeftAlone(String optOut) {
        ObjectNode workload = (ObjectNode) YAML.readTree("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: legacy}
                spec:
                  template:
                    metadata:
                      %s
                    spec:
                      containers: [{name: app, image: app}]
                """.formatted(optOut));
        JsonNode before = workload.deepCopy();
        assertThat(INJECTOR.injectManifest(workload, NO_WARNINGS)).isZero();
        assertThat(workload).isEqualTo(before);
    }

    @Test
    void theLabelDecidesOverTheDeprecatedAnnotation() {
        ObjectNode pod = (ObjectNode) YAML.readTree("""
                metadata:
                  labels: {sidecar.istio.io/inject: "true"}
                  annotations: {sidecar.istio.io/inject: "false"}
                spec: {containers: [{name: app, image: app}]}
                """);
        assertThat(SidecarInjector.wanted(pod)).isTrue();
        assertThat(SidecarInjector.requested(pod)).isTrue();
    }

    @Test
    void hostNetworkPodsAndOtherKindsAreLeftAlone() {
        ObjectNode hostNetwork = workload("Pod");
        ((ObjectNode) hostNetwork.get("spec")).put("hostNetwork", true);
        assertThat(INJECTOR.injectManifest(hostNetwork, NO_WARNINGS)).isZero();
        ObjectNode service = (ObjectNode) YAML.readTree("apiVersion: v1\nkind: Service\nmetadata: {name: reviews}\n"
                + "spec: {ports: [{port: 9080}]}");
        JsonNode before = service.deepCopy();
        assertThat(INJECTOR.injectManifest(service, NO_WARNINGS)).isZero();
        assertThat(service).isEqualTo(before);
    }

    @Test
    void aListIsInjectedItemByItem() {
        ObjectNode list = (ObjectNode) YAML.readTree("apiVersion: v1\nkind: List\nitems: []");
        list.withArray("items").add(workload("Deployment")).add(workload("Job"));
        assertThat(INJECTOR.injectManifest(list, NO_WARNINGS)).isEqualTo(2);
    }

    @Test
    void proxyResourcesFollowIstiosAnnotationsAndTheAppsOwnScrapeAnnotationsStay() {
        ObjectNode pod = workload("Pod");
        ((ObjectNode) pod.get("metadata")).putObject("annotations").put("sidecar.istio.io/proxyCPU", "250m")
                .put("sidecar.istio.io/proxyMemoryLimit", "1Gi").put("prometheus.io/scrape", "true")
                .put("prometheus.io/port", "9090");
        INJECTOR.injectManifest(pod, NO_WARNINGS);
        JsonNode resources = pod.path("spec").path("initContainers").get(1).path("resources");
        assertThat(resources.path("requests").path("cpu").asString()).isEqualTo("250m");
        assertThat(resources.path("requests").path("memory").asString()).isEqualTo("256Mi");
        assertThat(resources.path("limits").path("memory").asString()).isEqualTo("1Gi");
        assertThat(resources.path("limits").has("cpu")).isFalse();
        assertThat(pod.path("metadata").path("annotations").path("prometheus.io/port").asString()).isEqualTo("9090");
    }

    @Test
    void aMalformedInterceptionAnnotationIsReportedAndNothingIsChanged() {
        ObjectNode workload = workload("Deployment");
        ((ObjectNode) workload.path("spec").path("template").path("metadata")).putObject("annotations")
                .put("traffic.sidecar.istio.io/excludeOutboundPorts", "3306,mysql");
        JsonNode before = workload.deepCopy();
        assertThatThrownBy(() -> INJECTOR.injectManifest(workload, NO_WARNINGS)).isInstanceOf(InjectionException.class)
                .hasMessage("ERROR [MG1010] Deployment shop/reviews-v2 metadata.annotations[traffic.sidecar.istio.io/"
                        + "excludeOutboundPorts]: \"3306,mysql\" (expected: comma-separated ports 1-65535)");
        assertThat(workload).isEqualTo(before);
    }

    @Test
    void proxyConfigAnnotationSetsTheProxysMetadataAndDrainAndWarnsOfWhatItCannotHonour() {
        ObjectNode workload = workload("Deployment");
        ((ObjectNode) workload.path("spec").path("template").path("metadata")).putObject("annotations")
                .put("proxy.istio.io/config", """
                        proxyMetadata: {ISTIO_META_DNS_CAPTURE: "true", LEVEL: 3}
                        terminationDrainDuration: 45s
                        holdApplicationUntilProxyStarts: false
                        concurrency: 2
                        """);
        List<String> warnings = new ArrayList<>();
        assertThat(INJECTOR.injectManifest(workload, warning -> warnings.add(warning.format()))).isEqualTo(1);

        JsonNode proxy = workload.at("/spec/template/spec/initContainers").get(1);
        assertThat(proxy.path("name").asString()).isEqualTo("istio-proxy");
        Map<String, String> values = new java.util.HashMap<>();
        proxy.path("env").forEach(env -> {
            if (env.has("value")) {
                values.put(env.path("name").asString(), env.path("value").asString());
            }
        });
        assertThat(values).containsEntry("ISTIO_META_DNS_CAPTURE", "true").containsEntry("LEVEL", "3");
        assertThat(strings(proxy.path("args"))).contains("--spring.lifecycle.timeout-per-shutdown-phase=45000ms");
        assertThat(warnings).containsExactly(
                "WARNING [MG1020] Deployment shop/reviews-v2 metadata.annotations[proxy.istio.io/config]"
                        + ".holdApplicationUntilProxyStarts: false cannot be honoured: the native sidecar's startup "
                        + "probe always holds the app's containers until the proxy is ready",
                "WARNING [MG1020] Deployment shop/reviews-v2 metadata.annotations[proxy.istio.io/config].concurrency: "
                        + "unsupported: not read by meshgate's sidecar (supported: proxyMetadata, "
                        + "terminationDrainDuration, holdApplicationUntilProxyStarts)");
    }

    @Test
    void aMalformedProxyConfigAnnotationRefusesTheInjection() {
        ObjectNode workload = workload("Deployment");
        ((ObjectNode) workload.path("spec").path("template").path("metadata")).putObject("annotations")
                .put("proxy.istio.io/config", "terminationDrainDuration: soon");
        JsonNode before = workload.deepCopy();
        assertThatThrownBy(() -> INJECTOR.injectManifest(workload, NO_WARNINGS)).isInstanceOf(InjectionException.class)
                .hasMessage("ERROR [MG1021] Deployment shop/reviews-v2 metadata.annotations[proxy.istio.io/config]"
                        + ".terminationDrainDuration: \"soon\" (expected: a duration such as 5s)");
        assertThat(workload).isEqualTo(before);

        ((ObjectNode) workload.at("/spec/template/metadata/annotations")).put("proxy.istio.io/config", "- a list");
        assertThatThrownBy(() -> INJECTOR.injectManifest(workload, NO_WARNINGS)).isInstanceOf(InjectionException.class)
                .hasMessageContaining("[MG1021]").hasMessageContaining("expected a ProxyConfig map, got array");
    }

    static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(item -> names.add(item.path("name").asString()));
        return names;
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(item -> values.add(item.asString()));
        return values;
    }

    static List<Map.Entry<Integer, String>> ports(JsonNode container) {
        List<Map.Entry<Integer, String>> ports = new ArrayList<>();
        container.path("ports").forEach(p -> ports.add(Map.entry(p.path("containerPort").asInt(),
                p.path("name").asString())));
        return ports;
    }

    static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asString(),
                e.path("valueFrom").path("fieldRef").path("fieldPath").asString()));
        return env;
    }
}
