package dev.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

class AnalyzeCommandTest {

    private static final String GOOD_VS = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: reviews
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews}
            """;

    private static final String BAD_WEIGHTS = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: ratings
              namespace: prod
            spec:
              hosts: [ratings]
              http:
              - route:
                - destination: {host: ratings}
                  weight: 0
                - destination: {host: ratings}
                  weight: 0
            """;

    @TempDir
    Path dir;

    @Test
    void validDirectoryPrintsOnlyTheSummaryAndSucceeds() throws IOException {
        write("vs.yaml", GOOD_VS);
        write("nested/dr.yml", """
                apiVersion: networking.istio.io/v1beta1
                kind: DestinationRule
                metadata: {name: reviews}
                spec:
                  host: reviews
                """);
        write("notes.txt", "not config: ignored");

        Run run = Run.of("analyze", dir.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines()).containsExactly("2 resources, 0 errors, 0 warnings");
    }

    @Test
    void errorsArePrintedInTheOneFormatAndFailTheRun() throws IOException {
        write("a/good.yaml", GOOD_VS);
        write("b/bad.yaml", BAD_WEIGHTS);

        Run run = Run.of("analyze", dir.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line)
                .startsWith("ERROR [").contains("] VirtualService prod/ratings spec.http[0].route", "total destination weight = 0"));
        assertThat(run.outLines().get(run.outLines().size() - 1)).matches("2 resources, [1-9]\\d* errors, \\d+ warnings");
    }

    @Test
    void unparseableFileIsReportedWithItsName() throws IOException {
        write("broken.yaml", "kind: VirtualService\nmetadata: {name: x\n  spec: [\n");

        Run run = Run.of("analyze", dir.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line).startsWith("ERROR [").contains("broken.yaml"));
    }

    @Test
    void warningsAloneDoNotFailTheRun() throws IOException {
        write("vs.json", """
                {"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"reviews"},
                 "spec":{"hosts":["reviews"],"colour":"blue","http":[{"route":[{"destination":{"host":"reviews"}}]}]}}
                """);

        Run run = Run.of("analyze", dir.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line).startsWith("WARNING [").contains("colour"));
        assertThat(run.outLines().get(run.outLines().size() - 1)).matches("1 resources, 0 errors, [1-9]\\d* warnings");
    }

    @Test
    void anInstallerResourceGetsAnInformationalNoteNotAWarning() throws IOException {
        write("operator.yaml", """
                apiVersion: install.istio.io/v1alpha1
                kind: IstioOperator
                metadata: {name: demo, namespace: istio-system}
                spec: {profile: demo}
                """);

        Run run = Run.of("analyze", dir.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line).startsWith("INFO [MG0028] IstioOperator"));
        assertThat(run.outLines().get(run.outLines().size() - 1)).isEqualTo("0 resources, 0 errors, 0 warnings, 1 notes");
    }

    @Test
    void theDemoConfigIsClean() {
        Run run = Run.of("analyze", Path.of("..", "samples", "mesh").toString());

        assertThat(run.outLines()).containsExactly("8 resources, 0 errors, 0 warnings");
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void filesDirectoriesAndStdinAreValidatedTogether() throws IOException {
        write("one/vs.yaml", GOOD_VS);
        write("dr.txt", """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews}
                spec: {host: reviews}
                """);

        Run run = Run.withStdin(BAD_WEIGHTS, "analyze", dir.resolve("one").toString(), dir.resolve("dr.txt").toString(),
                "-");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line)
                .contains("VirtualService prod/ratings spec.http[0].route").endsWith("(<stdin>:1)"));
        assertThat(run.outLines().get(run.outLines().size() - 1)).startsWith("3 resources, ");
    }

    @Test
    void aDirectoryContributesTheFilesTheControlPlaneReads() throws IOException {
        write("vs.yaml", GOOD_VS);
        write(".git/bad.yaml", BAD_WEIGHTS);
        write("nested/.hidden/bad.yaml", BAD_WEIGHTS);
        write(".bad.yaml", BAD_WEIGHTS);
        write("bad.yaml~", BAD_WEIGHTS);
        write("#bad.yaml#", BAD_WEIGHTS);

        Run run = Run.of("analyze", dir.toString());

        assertThat(run.outLines()).containsExactly("1 resources, 0 errors, 0 warnings");
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void diagnosticsNameTheFileAsGivenOnTheCommandLine() throws IOException {
        write("b/bad.yaml", BAD_WEIGHTS);

        Run run = Run.of("analyze", dir.toString());

        assertThat(run.outLines()).anySatisfy(line -> assertThat(line)
                .endsWith("(" + dir.toString().replace('\\', '/') + "/b/bad.yaml:1)"));
    }

    @Test
    void jsonOutputCarriesCountsAndDiagnostics() throws IOException {
        write("bad.yaml", BAD_WEIGHTS);

        Run run = Run.of("analyze", "-o", "json", dir.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        JsonNode doc = JsonMapper.builder().build().readTree(run.out());
        assertThat(doc.path("resources").asInt()).isEqualTo(1);
        assertThat(doc.path("errors").asInt()).isPositive();
        JsonNode first = doc.path("diagnostics").get(0);
        assertThat(first.path("severity").asString()).isEqualTo("ERROR");
        assertThat(first.path("kind").asString()).isEqualTo("VirtualService");
        assertThat(first.path("resource").asString()).isEqualTo("prod/ratings");
        assertThat(first.path("field").asString()).startsWith("spec.http[0].route");
        assertThat(first.path("code").asString()).startsWith("MG");
    }

    @Test
    void yamlOutputOfACleanConfigSucceeds() throws IOException {
        write("vs.yaml", GOOD_VS);

        Run run = Run.of("analyze", "--output", "yaml", dir.toString());

        assertThat(run.exitCode()).isZero();
        JsonNode doc = YAMLMapper.builder().build().readTree(run.out());
        assertThat(doc.path("resources").asInt()).isEqualTo(1);
        assertThat(doc.path("errors").asInt()).isZero();
        assertThat(doc.path("diagnostics").isEmpty()).isTrue();
    }

    private void write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
