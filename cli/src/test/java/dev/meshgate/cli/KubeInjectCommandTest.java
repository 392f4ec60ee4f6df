package dev.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.meshgate.core.inject.InterceptionRules;
import dev.meshgate.core.inject.SidecarInjector;
import dev.meshgate.core.inject.SidecarTemplate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** {@code meshctl kube-inject}: the printed manifests parsed back and checked document by document. */
class KubeInjectCommandTest {

    static final YAMLMapper YAML = YAMLMapper.builder().build();
    static final Path APP = Path.of("src", "test", "resources", "kube-inject", "app.yaml");

    @Test
    void everyPodTemplateIsInjectedAndEverythingElsePassesThroughInOrder() throws Exception {
        Run run = Run.of("kube-inject", "-f", APP.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<JsonNode> docs = documents(run.out());
        assertThat(docs).extracting(d -> d.path("kind").asString() + "/" + d.path("metadata").path("name").asString())
                .containsExactly("ServiceAccount/reviews", "Service/reviews", "Deployment/reviews-v1", "Pod/client",
                        "Job/load", "CronJob/nightly", "Deployment/legacy");
        List<JsonNode> input = documents(Files.readString(APP));
        assertThat(docs.get(0)).isEqualTo(input.get(0));
        assertThat(docs.get(1)).isEqualTo(input.get(1));
        assertThat(docs.get(6)).as("opted out").isEqualTo(input.get(6));

        assertThat(initContainers(docs.get(2).path("spec").path("template"))).containsExactly("istio-init",
                "istio-proxy");
        assertThat(initContainers(docs.get(3))).containsExactly("istio-init", "istio-proxy");
        assertThat(initContainers(docs.get(4).path("spec").path("template"))).containsExactly("istio-init",
                "istio-proxy");
        assertThat(initContainers(docs.get(5).path("spec").path("jobTemplate").path("spec").path("template")))
                .containsExactly("istio-init", "istio-proxy");

        JsonNode reviews = docs.get(2).path("spec").path("template");
        assertThat(reviews.path("spec").path("containers").get(0)).isEqualTo(
                input.get(2).path("spec").path("template").path("spec").path("containers").get(0));
        assertThat(reviews.path("spec").path("initContainers").get(1).path("restartPolicy").asString())
                .isEqualTo("Always");
        assertThat(reviews.path("metadata").path("annotations").path("prometheus.io/path").asString())
                .isEqualTo("/stats/prometheus");
        assertThat(reviews.path("spec").path("initContainers").get(0).path("env").get(0).path("value").asString())
                .contains("-A ISTIO_OUTPUT -p tcp --dport 3306 -j RETURN");
    }

    @Test
    void theOutputIsWhatTheWebhooksTemplateMakes() throws Exception {
        Run run = Run.of("kube-inject", "-f", APP.toString());
        List<JsonNode> input = documents(Files.readString(APP));
        SidecarInjector injector = new SidecarInjector(SidecarTemplate.defaults());
        for (JsonNode doc : input) {
            injector.injectManifest((ObjectNode) doc, warning -> {
                throw new AssertionError(warning.format());
            });
        }
        assertThat(documents(run.out())).isEqualTo(input);
    }

    @Test
    void stdinIsReadWithDashAndImagesCanBeChosen() throws Exception {
        Run run = Run.withStdin(Files.readString(APP), "kube-inject", "-f", "-", "--proxy-image",
                "registry.local/meshgate/sidecar:dev", "--discovery-address", "meshgate.mesh:15010");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode proxy = documents(run.out()).get(3).path("spec").path("initContainers").get(1);
        assertThat(proxy.path("image").asString()).isEqualTo("registry.local/meshgate/sidecar:dev");
        assertThat(proxy.path("args").toString()).contains("--meshgate.proxy.discovery-address=meshgate.mesh:15010");
    }

    @Test
    void aRevisionsSidecarDialsThatRevisionsControlPlaneAndThePodRecordsTheRevision() throws Exception {
        Run run = Run.of("kube-inject", "-f", APP.toString(), "--revision", "canary");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode pod = documents(run.out()).get(3).path("spec");
        JsonNode metadata = documents(run.out()).get(3).path("metadata");
        assertThat(pod.path("initContainers").get(1).path("args").toString())
                .contains("--meshgate.proxy.discovery-address=istiod-canary.istio-system.svc:15012");
        assertThat(metadata.path("annotations").path("istio.io/rev").asString()).isEqualTo("canary");
        assertThat(metadata.path("annotations").path("sidecar.istio.io/status").asString())
                .contains("\"revision\":\"canary\"");
        // Without --revision: the default revision, as Istio's injector records it.
        JsonNode plain = documents(Run.of("kube-inject", "-f", APP.toString()).out()).get(3).path("metadata");
        assertThat(plain.path("annotations").path("istio.io/rev").asString()).isEqualTo("default");
        assertThat(Run.of("kube-inject", "-f", APP.toString(), "--revision", "Canary!").exitCode())
                .isEqualTo(Meshctl.USAGE);
    }

    @Test
    void aMalformedAnnotationFailsWithOneLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                  namespace: shop
                  annotations: {%s: "http"}
                spec:
                  containers: [{name: web, image: web}]
                """.formatted(InterceptionRules.INCLUDE_INBOUND_PORTS));
        Run run = Run.of("kube-inject", "-f", bad.toString());
        assertThat(run.exitCode()).isEqualTo(Meshctl.FAILED);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).containsExactly("meshctl kube-inject: ERROR [MG1010] Pod shop/web "
                + "metadata.annotations[traffic.sidecar.istio.io/includeInboundPorts]: \"http\" "
                + "(expected: comma-separated ports 1-65535 or *)");
    }

    @Test
    void withoutAFileItIsAUsageError() {
        Run run = Run.of("kube-inject");
        assertThat(run.exitCode()).isEqualTo(Meshctl.USAGE);
        assertThat(run.errLines().get(0)).isEqualTo("meshctl: kube-inject: -f FILE (or -f - for stdin) is required");
    }

    static List<JsonNode> documents(String yaml) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    static List<String> initContainers(JsonNode pod) {
        List<String> names = new ArrayList<>();
        pod.path("spec").path("initContainers").forEach(c -> names.add(c.path("name").asString()));
        return names;
    }
}
