package dev.meshgate.cli.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.meshgate.core.resource.Kind;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The CRDs' schemas, read from {@code manifest generate}'s output, are structural (every node typed unless it keeps
 * unknown fields) and judge resources as the API server would with strict field validation: the repository's Istio
 * YAML (the tutorial's {@code samples/mesh}, the bookinfo resources of the simulation tests, the translation
 * fixtures' inputs) passes, resources with a top-level field of the wrong type fail. No API server runs here:
 * {@link #check} applies the OpenAPI subset the schemas use (type, properties, additionalProperties, items,
 * x-kubernetes-preserve-unknown-fields) with Kubernetes' meaning.
 */
class CrdSchemaTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void everySchemaIsStructural() throws Exception {
        for (Map.Entry<String, JsonNode> schema : schemas().entrySet()) {
            List<String> problems = new ArrayList<>();
            structural(schema.getValue(), schema.getKey(), problems);
            assertThat(problems).as(schema.getKey()).isEmpty();
        }
        assertThat(schemas()).hasSize(java.util.Arrays.stream(Kind.values()).mapToInt(k -> k.versions().size()).sum());
    }

    @Test
    void theRepositorysIstioYamlPassesEveryServedVersionsSchema() throws Exception {
        Map<String, JsonNode> schemas = schemas();
        List<Path> files = new ArrayList<>();
        files.addAll(yamlUnder(ROOT.resolve("samples/mesh")));
        files.addAll(yamlUnder(ROOT.resolve("proxy/src/test/resources/simulation")));
        try (Stream<Path> inputs = Files.walk(ROOT.resolve("core/src/test/resources/fixtures/translate"))) {
            inputs.filter(p -> p.getFileName().toString().equals("input.yaml")).forEach(files::add);
        }
        int checked = 0;
        for (Path file : files) {
            for (JsonNode resource : ManifestGenerateTest.documents(Files.readString(file))) {
                JsonNode schema = schemas.get(key(resource));
                if (schema == null) {
                    continue;
                }
                List<String> problems = new ArrayList<>();
                check(schema, resource, "", problems);
                assertThat(problems).as(file + " " + key(resource)).isEmpty();
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(50);
    }

    @Test
    void aTopLevelFieldOfTheWrongTypeIsRefusedAndAnUnmodelledIstioFieldKept() throws Exception {
        assertThat(problems("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web}
                spec: {hosts: web, http: [{route: [{destination: {host: web}}]}]}
                """)).containsExactly(".spec.hosts: string (expected: array)");
        assertThat(problems("""
                apiVersion: networking.istio.io/v1beta1
                kind: DestinationRule
                metadata: {name: web}
                spec: {host: [web], subsets: {name: v1}}
                """)).containsExactly(".spec.host: array (expected: string)", ".spec.subsets: object (expected: array)");
        assertThat(problems("""
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw}
                spec: {selector: {istio: [ingressgateway]}, servers: [{port: {number: 80}}]}
                """)).containsExactly(".spec.selector.istio: array (expected: string)");
        assertThat(problems("""
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: vm}
                spec: {address: 10.0.0.1, ports: {http: eighty}, weight: "1"}
                """)).containsExactly(".spec.ports.http: string (expected: integer)",
                        ".spec.weight: string (expected: integer)");
        assertThat(problems("""
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default}
                spec: STRICT
                """)).containsExactly(".spec: string (expected: object)");
        assertThat(problems("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: db}
                spec: {hosts: [db.example.com], ports: [{number: 5432, name: tcp, protocol: TCP}]}
                specs: {}
                """)).containsExactly(".specs: unknown field");
        // A field Istio defines that meshgate does not model stays (the validating webhook reports it unsupported).
        assertThat(problems("""
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default}
                spec: {egress: [{hosts: ["./*"]}], futureField: {a: 1}}
                """)).isEmpty();
    }

    private static List<String> problems(String yaml) throws Exception {
        JsonNode resource = ManifestGenerateTest.documents(yaml).get(0);
        JsonNode schema = schemas().get(key(resource));
        assertThat(schema).as(key(resource)).isNotNull();
        List<String> problems = new ArrayList<>();
        check(schema, resource, "", problems);
        return problems;
    }

    /** By apiVersion/kind: each served version's schema, from the CRDs {@code manifest generate} prints. */
    private static Map<String, JsonNode> schemas() throws Exception {
        Map<String, JsonNode> schemas = new java.util.TreeMap<>();
        for (JsonNode crd : ManifestGenerateTest.documents(ManifestGenerateTest.generate().out())) {
            if (!crd.path("kind").asString().equals("CustomResourceDefinition")) {
                continue;
            }
            for (JsonNode version : crd.at("/spec/versions")) {
                schemas.put(crd.at("/spec/group").asString() + "/" + version.path("name").asString() + "/"
                        + crd.at("/spec/names/kind").asString(), version.at("/schema/openAPIV3Schema"));
            }
        }
        return schemas;
    }

    private static String key(JsonNode resource) {
        return resource.path("apiVersion").asString() + "/" + resource.path("kind").asString();
    }

    /** Kubernetes' structural rule: every property, item and additional property has a type or keeps unknowns. */
    private static void structural(JsonNode schema, String path, List<String> problems) {
        if (!schema.has("type") && !schema.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
            problems.add(path + ": no type");
        }
        schema.path("properties").properties().forEach(p -> structural(p.getValue(), path + "." + p.getKey(),
                problems));
        if (schema.has("items")) {
            structural(schema.get("items"), path + "[]", problems);
        }
        if (schema.path("additionalProperties").isObject()) {
            structural(schema.get("additionalProperties"), path + ".*", problems);
        }
        if (schema.has("properties") && schema.has("additionalProperties")) {
            problems.add(path + ": properties and additionalProperties together");
        }
    }

    /** What the API server's schema validation (strict field validation) says about {@code value}. */
    static void check(JsonNode schema, JsonNode value, String path, List<String> problems) {
        String type = schema.path("type").asString("");
        String actual = value.isObject() ? "object" : value.isArray() ? "array" : value.isString() ? "string"
                : value.isIntegralNumber() ? "integer" : value.isNumber() ? "number" : value.isBoolean() ? "boolean"
                : "null";
        boolean matches = type.isEmpty() || type.equals(actual) || (type.equals("number") && actual.equals("integer"));
        if (!matches) {
            problems.add(path + ": " + actual + " (expected: " + type + ")");
            return;
        }
        if (value.isObject()) {
            boolean root = path.isEmpty();
            value.properties().forEach(field -> {
                String name = field.getKey();
                if (root && List.of("apiVersion", "kind", "metadata").contains(name)) {
                    return;
                }
                JsonNode property = schema.path("properties").get(name);
                if (property == null && schema.path("additionalProperties").isObject()) {
                    property = schema.get("additionalProperties");
                }
                if (property != null) {
                    check(property, field.getValue(), path + "." + name, problems);
                } else if (!schema.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
                    problems.add(path + "." + name + ": unknown field");
                }
            });
        } else if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                check(schema.get("items"), value.get(i), path + "[" + i + "]", problems);
            }
        }
    }

    private static List<Path> yamlUnder(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }
}
