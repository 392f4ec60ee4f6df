package dev.meshgate.core.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class DiagnosticCodeTest {

    @Test
    void codesAreUniqueAndWellFormed() {
        assertThat(Arrays.stream(DiagnosticCode.values()).map(DiagnosticCode::code))
                .doesNotHaveDuplicates()
                .allMatch(code -> code.matches("MG[0-9]{4}"));
    }

    @Test
    void codesAreGroupedByKind() {
        for (DiagnosticCode code : DiagnosticCode.values()) {
            String group = code.code().substring(0, 4);
            String prefix = code.name().substring(0, code.name().indexOf('_'));
            switch (prefix) {
                case "VS" -> assertThat(group).as(code.name()).isEqualTo("MG01");
                case "DR" -> assertThat(group).as(code.name()).isEqualTo("MG02");
                case "GW" -> assertThat(group).as(code.name()).isEqualTo("MG03");
                case "SE", "WE" -> assertThat(group).as(code.name()).isEqualTo("MG04");
                case "SIDECAR" -> assertThat(group).as(code.name()).isEqualTo("MG05");
                case "MESH" -> assertThat(group).as(code.name()).isEqualTo("MG06");
                case "TELEMETRY" -> assertThat(group).as(code.name()).isEqualTo("MG07");
                case "KUBERNETES" -> assertThat(group).as(code.name()).isEqualTo("MG10");
                case "TCP", "TLS" -> assertThat(code.code()).as(code.name()).isBetween("MG1120", "MG1139");
                // protocol selection and sniffing (MeshConfig protocolDetectionTimeout among them)
                case "PROTOCOL" -> assertThat(code.code()).as(code.name()).isBetween("MG0340", "MG0349");
                case "AUTHZ", "RA", "PA", "MTLS" -> assertThat(group).as(code.name()).isEqualTo("MG08");
                case "SECURITY" -> assertThat(code.code()).as(code.name()).isBetween("MG0800", "MG0849");
                default -> assertThat(group).as(code.name()).isIn("MG00", "MG09");
            }
        }
    }

    @Test
    void everyCodeIsDocumentedForUsers() throws java.io.IOException {
        String docs = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/diagnostics.md"));
        for (DiagnosticCode code : DiagnosticCode.values()) {
            assertThat(docs).as("docs/diagnostics.md").contains("| " + code.code() + " | " + code.severity() + " | `"
                    + code.name() + "` |");
        }
    }

    @Test
    void diagnosticsTakeTheSeverityOfTheirCode() {
        assertThat(DiagnosticCode.UNSUPPORTED_FIELD.diagnostic("VirtualService", "default/a", "spec.tcp", "m", null)
                .severity()).isEqualTo(Diagnostic.Severity.WARNING);
        assertThat(DiagnosticCode.VS_ROUTE_WEIGHTS_SUM.diagnostic(null, null, null, "m", null).format())
                .isEqualTo("ERROR [MG0103]: m");
    }
}
