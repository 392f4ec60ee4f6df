package dev.meshgate.core.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.yaml.ResourceReader;

import org.junit.jupiter.api.Test;

class MeshValidatorTest {

    private static MeshValidator.ValidationResult validate(String yaml) {
        ResourceReader.ReadResult read = ResourceReader.read("t.yaml", yaml);
        assertThat(read.diagnostics()).isEmpty();
        return MeshValidator.validate(read.resources());
    }

    @Test
    void errorsKeepTheResourceOutWarningsDoNotAndTheRestStillShips() {
        MeshValidator.ValidationResult result = validate("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: bad}
                spec:
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: reviews}
                      weight: 0
                    - destination: {host: reviews}
                      weight: 0
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: warned}
                spec:
                  hosts: [ratings]
                  http:
                  - route:
                    - destination: {host: ratings}
                    fault: {delay: {exponentialDelay: 1s, percentage: {value: 1}}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: fine}
                spec: {host: ratings}
                """);
        assertThat(result.accepted()).extracting(Resource::key).containsExactly("default/warned", "default/fine");
        assertThat(result.hasErrors()).isTrue();
        assertThat(result.diagnostics()).extracting(Diagnostic::format).containsExactly(
                "ERROR [MG0103] VirtualService default/bad spec.http[0].route: total destination weight = 0 (expected "
                        + "at least one destination with a weight above 0; weights are relative, they need not sum to "
                        + "100) (t.yaml:1)",
                "WARNING [MG0001] VirtualService default/warned spec.http[0].fault.delay.exponentialDelay: "
                        + "unsupported: spec.http[0].fault.delay.exponentialDelay is not implemented yet; ignored "
                        + "(t.yaml:13)");
    }

    @Test
    void aMemoValidatesOnlyTheResourcesItHasNotSeenAndGivesWhatAFreshValidationGives() {
        String warned = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: warned}
                spec:
                  hosts: [ratings]
                  http:
                  - route:
                    - destination: {host: ratings}
                    fault: {delay: {exponentialDelay: 1s, percentage: {value: 1}}}
                """;
        List<Resource<?>> unchanged = ResourceReader.read("a.yaml", warned).resources();
        List<Resource<?>> first = new ArrayList<>(unchanged);
        first.addAll(ResourceReader.read("b.yaml", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: edited}
                spec:
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: reviews}
                      weight: 0
                """).resources());
        List<Resource<?>> second = new ArrayList<>(unchanged);
        second.addAll(ResourceReader.read("b.yaml", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: edited}
                spec:
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: reviews}
                """).resources());
        MeshValidator.Memo memo = new MeshValidator.Memo();

        MeshValidator.ValidationResult before = MeshValidator.validate(first, List.of(), memo);
        MeshValidator.ValidationResult after = MeshValidator.validate(second, List.of(), memo);

        assertThat(before.diagnostics()).isEqualTo(MeshValidator.validate(first).diagnostics());
        assertThat(after.diagnostics()).isEqualTo(MeshValidator.validate(second).diagnostics());
        assertThat(after.accepted()).extracting(Resource::key).containsExactly("default/warned", "default/edited");
        // The unchanged resource's warning is the one found the first time: it was not validated again.
        assertThat(after.diagnostics()).singleElement().isSameAs(before.diagnostics().stream()
                .filter(d -> "default/warned".equals(d.resource())).findFirst().orElseThrow());
        assertThat(MeshValidator.validate(second).diagnostics().get(0)).isNotSameAs(after.diagnostics().get(0));
    }

    @Test
    void everyProblemOfAResourceIsCollected() {
        MeshValidator.ValidationResult result = validate("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: many}
                spec:
                  subsets:
                  - {name: v1}
                  - {name: v1}
                  - {labels: {a: b}}
                  trafficPolicy:
                    outlierDetection: {interval: soon}
                    tls: {mode: MUTUAL, caCrl: /crl.pem}
                """);
        assertThat(result.accepted()).isEmpty();
        assertThat(result.diagnostics()).extracting(Diagnostic::code)
                .containsExactly("MG0201", "MG0203", "MG0202", "MG0020", "MG0851", "MG0851");
    }

    @Test
    void diagnosticsAreSortedStablyWhateverTheInputOrder() {
        String a = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: a}
                spec:
                  hosts: [a]
                  http:
                  - route: [{destination: {host: a}}]
                    timeout: 0s
                  - route: [{destination: {host: a}}]
                    timeout: 0s
                """;
        String lots = new StringBuilder(a).append("---\n").append(a.replace("name: a", "name: b").replace("hosts: [a]", "hosts: [b]")).toString();
        List<Resource<?>> resources = new ArrayList<>(ResourceReader.read("t.yaml", lots).resources());
        List<Diagnostic> forward = MeshValidator.validate(resources).diagnostics();
        Collections.reverse(resources);
        List<Diagnostic> backward = MeshValidator.validate(resources).diagnostics();
        assertThat(forward).extracting(Diagnostic::resource, Diagnostic::field).containsExactly(
                tuple("default/a", "spec.http[0].timeout"),
                tuple("default/a", "spec.http[1].timeout"),
                tuple("default/b", "spec.http[0].timeout"),
                tuple("default/b", "spec.http[1].timeout"));
        assertThat(backward).isEqualTo(forward);
    }

    @Test
    void naturalOrderComparesIndexesAsNumbers() {
        assertThat(MeshValidator.compareNatural("spec.http[2]", "spec.http[10]")).isNegative();
        assertThat(MeshValidator.compareNatural("f.yaml:12", "f.yaml:9")).isPositive();
        assertThat(MeshValidator.compareNatural("a", "a")).isZero();
    }
}
