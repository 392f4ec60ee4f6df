package dev.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MeshctlTest {

    @Test
    void noArgumentsPrintsUsageAndSucceeds() {
        Run run = Run.of();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("usage: meshctl <command>").contains("analyze [-o text|json|yaml] [--mesh-config FILE] PATH...", "proxy-status", "demo");
    }

    @Test
    void helpPrintsUsage() {
        assertThat(Run.of("help").out()).startsWith("usage: meshctl");
    }

    @Test
    void unknownCommandIsAUsageError() {
        Run run = Run.of("anlyze", "x");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines().get(0)).isEqualTo("meshctl: unknown command: anlyze");
        assertThat(run.err()).doesNotContain("Exception");
    }

    @Test
    void analyzeWithoutAPathIsAUsageError() {
        assertThat(Run.of("analyze").exitCode()).isEqualTo(2);
        Run missing = Run.of("analyze", "/no/such/dir");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.errLines().get(0)).isEqualTo("meshctl: analyze: no such file or directory: /no/such/dir");
        assertThat(Run.of("analyze", "-o", "xml", ".").errLines().get(0))
                .isEqualTo("meshctl: -o: xml (expected: text, json or yaml)");
    }

    @Test
    void badControlPlaneAddressIsAUsageError() {
        Run run = Run.of("proxy-status", "--control-plane", "nohost");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines().get(0)).isEqualTo("meshctl: --control-plane: nohost (expected: host:port)");
    }
}
