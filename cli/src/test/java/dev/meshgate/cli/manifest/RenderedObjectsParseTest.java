package dev.meshgate.cli.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.util.Yaml;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every object {@code manifest generate} renders is read by the official Kubernetes client's typed model (the classes
 * the API server's OpenAPI describes) and written back unchanged: a misspelt or misplaced field, which the model
 * would drop, fails here. The Istio resources of the tutorial have no class in that model; the CRDs' schemas judge
 * them.
 */
class RenderedObjectsParseTest {

    @ParameterizedTest
    @ValueSource(strings = {"profile=default", "profile=demo", "revision=canary"})
    void everyRenderedObjectParsesWithTheOfficialModelAndLosesNoField(String set) throws Exception {
        ManifestGenerateTest.Generated run = ManifestGenerateTest.generate("--set", set);
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> typed = new ArrayList<>();
        for (JsonNode object : ManifestGenerateTest.documents(run.out())) {
            if (object.path("apiVersion").asString().contains(".istio.io/")) {
                continue;
            }
            String kind = object.path("kind").asString() + "/" + object.at("/metadata/name").asString();
            Object parsed = Yaml.load(ManifestGenerateTest.YAML.writeValueAsString(object));
            assertThat(parsed).as(kind).isInstanceOf(KubernetesObject.class);
            assertThat(parsed.getClass().getPackageName()).as(kind).isEqualTo("io.kubernetes.client.openapi.models");
            JsonNode back = ManifestGenerateTest.YAML.readTree(Yaml.dump(parsed));
            // The model writes absent maps and lists as empty ones: compare without those, on both sides.
            assertThat(withoutEmpty(back)).as(kind).isEqualTo(withoutEmpty(object));
            typed.add(kind);
        }
        assertThat(typed).anyMatch(k -> k.startsWith("Deployment/istiod"))
                .anyMatch(k -> k.startsWith("PodDisruptionBudget/istiod"))
                .anyMatch(k -> k.startsWith("HorizontalPodAutoscaler/istio-ingressgateway"))
                .anyMatch(k -> k.startsWith("MutatingWebhookConfiguration/"));
    }

    private static JsonNode withoutEmpty(JsonNode node) {
        JsonNode copy = node.deepCopy();
        prune(copy);
        return copy;
    }

    private static void prune(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (String name : new ArrayList<>(object.propertyNames())) {
                prune(object.get(name));
                if (object.get(name).isContainer() && object.get(name).isEmpty()) {
                    object.remove(name);
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(RenderedObjectsParseTest::prune);
        }
    }
}
