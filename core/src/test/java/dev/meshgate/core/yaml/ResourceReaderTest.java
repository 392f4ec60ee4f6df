package dev.meshgate.core.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;

import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.gateway.Gateway;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.validation.Diagnostic;

import org.junit.jupiter.api.Test;

class ResourceReaderTest {

    private static List<String> formatted(ResourceReader.ReadResult result) {
        return result.diagnostics().stream().map(Diagnostic::format).toList();
    }

    @Test
    void readsEveryDocumentWithItsLineAndDefaultNamespace() {
        String yaml = """
                # leading comment
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: reviews
                spec:
                  hosts: [reviews]
                ---

                apiVersion: networking.istio.io/v1alpha3
                kind: DestinationRule
                metadata:
                  name: reviews
                  namespace: bookinfo
                  labels: {team: a}
                spec:
                  host: reviews
                  subsets:
                  - name: v1
                    labels: {version: v1}
                --- # trailing comment on the separator
                ---
                apiVersion: networking.istio.io/v1beta1
                kind: Gateway
                metadata: {name: gw}
                spec:
                  selector: {istio: ingressgateway}
                """;
        ResourceReader.ReadResult result = ResourceReader.read("mesh.yaml", yaml);

        assertThat(result.diagnostics()).isEmpty();
        assertThat(result.resources()).extracting(Resource::kind, Resource::key, Resource::source).containsExactly(
                tuple(Kind.VirtualService, "default/reviews", "mesh.yaml:2"),
                tuple(Kind.DestinationRule, "bookinfo/reviews", "mesh.yaml:10"),
                tuple(Kind.Gateway, "default/gw", "mesh.yaml:23"));
        assertThat(((VirtualService) result.resources().get(0).spec()).hosts()).containsExactly("reviews");
        DestinationRule rule = (DestinationRule) result.resources().get(1).spec();
        assertThat(rule.subsets().get(0).labels()).containsEntry("version", "v1");
        assertThat(result.resources().get(1).metadata().labels()).containsEntry("team", "a");
        assertThat(((Gateway) result.resources().get(2).spec()).selector()).containsEntry("istio", "ingressgateway");
        assertThat(result.resources().get(1).apiVersion()).isEqualTo("networking.istio.io/v1alpha3");
    }

    @Test
    void absentListsAndMapsAreEmptyAndAbsentMessagesNull() {
        ResourceReader.ReadResult result = ResourceReader.read("vs.yaml", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: a}
                spec:
                  http:
                  - route:
                    - destination: {host: a}
                """);
        VirtualService spec = (VirtualService) result.resources().get(0).spec();
        assertThat(spec.hosts()).isEmpty();
        assertThat(spec.gateways()).isEmpty();
        assertThat(spec.http().get(0).match()).isEmpty();
        assertThat(spec.http().get(0).retries()).isNull();
        assertThat(spec.http().get(0).route().get(0).weight()).isNull();
        assertThat(spec.http().get(0).route().get(0).destination().port()).isNull();
    }

    @Test
    void readsJsonObjectsAndArrays() {
        String json = """
                {"apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry",
                 "metadata": {"name": "httpbin"},
                 "spec": {"hosts": ["httpbin.org"], "resolution": "DNS",
                          "ports": [{"number": 80, "name": "http", "protocol": "HTTP"}]}}
                """;
        ResourceReader.ReadResult single = ResourceReader.read("se.json", json);
        assertThat(single.diagnostics()).isEmpty();
        assertThat(single.resources()).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Kind.ServiceEntry);
            assertThat(r.source()).isEqualTo("se.json:1");
        });

        ResourceReader.ReadResult array = ResourceReader.read("all.json", "[\n" + json + ",\n" + json.replace(
                "httpbin\"}", "httpbin-2\"}") + "]");
        assertThat(array.diagnostics()).isEmpty();
        assertThat(array.resources()).extracting(Resource::key, Resource::source)
                .containsExactly(tuple("default/httpbin", "all.json:2"),
                        tuple("default/httpbin-2", "all.json:7"));
    }

    @Test
    void readsTheItemsOfAKubernetesList() {
        ResourceReader.ReadResult result = ResourceReader.read("list.yaml", """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: networking.istio.io/v1
                  kind: WorkloadEntry
                  metadata: {name: a}
                  spec: {address: 10.0.0.1}
                - apiVersion: apps/v1
                  kind: Deployment
                  metadata: {name: b}
                - apiVersion: networking.istio.io/v1
                  kind: WorkloadEntry
                  metadata: {name: c, namespace: vm}
                  spec: {address: 10.0.0.2}
                """);
        assertThat(result.resources()).extracting(Resource::key, Resource::source).containsExactly(
                tuple("default/a", "list.yaml:4"),
                tuple("vm/c", "list.yaml:11"));
        assertThat(formatted(result)).containsExactly("WARNING [MG0005] Deployment default/b: ignored: meshgate "
                + "reads Istio resources only (apps/v1) (list.yaml:8)");
    }

    @Test
    void unparseableDocumentIsReportedWithLineAndOthersStillLoad() {
        ResourceReader.ReadResult result = ResourceReader.read("broken.yaml", """
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: before}
                spec: {address: 10.0.0.1}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: broken
                spec: {address: 10.0.0.2}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: after}
                spec: {address: 10.0.0.3}
                """);
        assertThat(result.resources()).extracting(Resource::key).containsExactly("default/before", "default/after");
        assertThat(result.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("MG0002");
            assertThat(d.severity()).isEqualTo(Diagnostic.Severity.ERROR);
            assertThat(d.source()).matches("broken\\.yaml:(8|9)");
            assertThat(d.message()).startsWith("invalid YAML: ");
        });
    }

    @Test
    void unknownFieldsAreWarningsWithPathAndLineAndTheResourceIsKept() {
        ResourceReader.ReadResult result = ResourceReader.read("vs.yaml", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews, uid: abc}
                spec:
                  hosts: [reviews]
                  http:
                  - retires: 3
                    route:
                    - destination: {host: reviews}
                """);
        assertThat(result.resources()).hasSize(1);
        assertThat(formatted(result)).containsExactly("WARNING [MG0006] VirtualService default/reviews "
                + "spec.http[0].retires: unknown field (vs.yaml:7)");
    }

    @Test
    void anUnknownFieldAfterAListIsNamedAtItsOwnLevel() {
        ResourceReader.ReadResult result = ResourceReader.read("vs.yaml", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews}
                spec:
                  gateways: [a, b]
                  hostz: [reviews]
                  hosts: [reviews]
                """);
        assertThat(formatted(result)).contains("WARNING [MG0006] VirtualService default/reviews "
                + "spec.hostz: unknown field (vs.yaml:6)");
    }

    @Test
    void wrongTypesAreErrorsWithPathAndValueAndTheResourceIsLeftOut() {
        ResourceReader.ReadResult result = ResourceReader.read("vs.yaml", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews}
                spec:
                  hosts: [reviews]
                  http:
                  - match:
                    - port: "eighty"
                    route:
                    - destination: {host: reviews}
                      weight: ninety
                """);
        assertThat(result.resources()).isEmpty();
        assertThat(formatted(result)).containsExactly(
                "ERROR [MG0007] VirtualService default/reviews spec.http[0].match[0].port: wrong type: \"eighty\" "
                        + "(expected an integer) (vs.yaml:8)",
                "ERROR [MG0007] VirtualService default/reviews spec.http[0].route[0].weight: wrong type: \"ninety\" "
                        + "(expected an integer) (vs.yaml:11)");
    }

    @Test
    void missingIdentityUnknownKindsAndForeignObjectsAreReported() {
        ResourceReader.ReadResult result = ResourceReader.read("mixed.yaml", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                spec: {hosts: [a]}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualSvc
                metadata: {name: x}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                ---
                apiVersion: networking.istio.io/v1alpha3
                kind: EnvoyFilter
                metadata: {name: lua}
                """);
        assertThat(result.resources()).isEmpty();
        assertThat(result.diagnostics()).extracting(Diagnostic::code, Diagnostic::severity).containsExactly(
                tuple("MG0003", Diagnostic.Severity.ERROR),
                tuple("MG0004", Diagnostic.Severity.ERROR),
                tuple("MG0005", Diagnostic.Severity.WARNING),
                tuple("MG0009", Diagnostic.Severity.WARNING));
        assertThat(result.diagnostics().get(0).message()).isEqualTo("missing metadata.name");
        assertThat(result.diagnostics().get(1).message()).startsWith("unknown kind \"VirtualSvc\"");
        assertThat(result.diagnostics().get(2).message()).startsWith("ignored: meshgate reads Istio resources only");
    }

    @Test
    void numericLabelValuesKeepTheirDigitsAsWritten() {
        ResourceReader.ReadResult result = ResourceReader.read("dr.yaml", """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata:
                  name: app
                  labels: {release: 2.10}
                spec:
                  host: app
                  subsets:
                  - name: v1
                    labels: {version: 1.10, build: 7}
                """);
        assertThat(result.diagnostics()).isEmpty();
        DestinationRule rule = (DestinationRule) result.resources().get(0).spec();
        assertThat(rule.subsets().get(0).labels()).containsEntry("version", "1.10").containsEntry("build", "7");
        assertThat(result.resources().get(0).metadata().labels()).containsEntry("release", "2.10");
    }

    @Test
    void yamlAliasesAreRejectedRatherThanReadAsTheAnchorName() {
        ResourceReader.ReadResult result = ResourceReader.read("sc.yaml", """
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: s}
                spec:
                  egress:
                  - hosts: &h ["./*"]
                  - hosts: *h
                """);
        assertThat(result.resources()).isEmpty();
        assertThat(formatted(result)).containsExactly("ERROR [MG0002] Sidecar default/s spec.egress[1].hosts: YAML "
                + "aliases (*anchor) are not supported; write the value out (sc.yaml:1)");
    }

    @Test
    void yamlDirectivesAreAccepted() {
        ResourceReader.ReadResult result = ResourceReader.read("d.yaml", """
                %YAML 1.2
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: a}
                spec: {address: 10.0.0.1}
                """);
        assertThat(result.diagnostics()).isEmpty();
        assertThat(result.resources()).extracting(Resource::source).containsExactly("d.yaml:3");
    }

    @Test
    void emptyTextAndCommentOnlyDocumentsYieldNothing() {
        assertThat(ResourceReader.read("empty.yaml", "").resources()).isEmpty();
        ResourceReader.ReadResult comments = ResourceReader.read("c.yaml", "# nothing\n---\n# still nothing\n");
        assertThat(comments.resources()).isEmpty();
        assertThat(comments.diagnostics()).isEmpty();
    }

    @Test
    void neverThrowsOnGarbage() {
        for (String garbage : List.of("\t\tkey: [", "{\"a\": ", "---\n- - - :", "\u0000\u0001", "a: *unknown",
                "[1, 2, 3]", "42", "apiVersion: [1]\nkind: {a: b}")) {
            ResourceReader.ReadResult result = ResourceReader.read("g.yaml", garbage);
            assertThat(result.resources()).as(garbage).isEmpty();
            assertThat(result.diagnostics()).as(garbage).isNotEmpty()
                    .allSatisfy(d -> assertThat(d.severity()).isEqualTo(Diagnostic.Severity.ERROR));
        }
    }

    @Test
    void lineOfFindsWhereAnHttpEntryOfAResourceWasWritten() {
        String text = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: a}
                spec: {hosts: [a], http: [{route: [{destination: {host: a}}]}]}
                ---
                # b
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: b}
                spec:
                  hosts: [b]
                  http:
                  - name: first
                    route: [{destination: {host: b}}]
                  - name: second
                    route: [{destination: {host: b}}]
                """;
        List<Resource<?>> read = ResourceReader.read("vs.yaml", text).resources();
        assertThat(read).extracting(Resource::source).containsExactly("vs.yaml:1", "vs.yaml:7");

        assertThat(ResourceReader.lineOf(text, 7, List.of("spec", "http", 1))).isEqualTo(15);
        assertThat(ResourceReader.lineOf(text, 7, List.of("spec", "http", 0))).isEqualTo(13);
        assertThat(ResourceReader.lineOf(text, 1, List.of("spec", "http", 0))).isEqualTo(4);
        // a path that is not there: the resource's own line
        assertThat(ResourceReader.lineOf(text, 7, List.of("spec", "tcp", 0))).isEqualTo(10);
        assertThat(ResourceReader.lineOf(text, 99, List.of("spec"))).isEqualTo(99);
    }
}
