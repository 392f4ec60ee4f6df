package dev.meshgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.meshgate.bench.report.RunReport;
import dev.meshgate.bench.report.ScenarioSummary;
import dev.meshgate.bench.report.TargetCheck;
import dev.meshgate.bench.tools.Installer;

/**
 * The benchmark's smoke run, end to end with real processes: every part of the tool runs for a second or two and
 * produces its report. Asserts that each part measured something, never how fast anything is.
 */
class BenchSmokeIT {

    @TempDir
    Path results;

    @Test
    void smokeRunMeasuresEveryPartAndWritesTheReport() throws Exception {
        RunReport report = Bench.run("--smoke", "--results", results.toString());

        boolean wrk = Installer.ensure(false).has(Installer.Tool.WRK);
        assertThat(report.scenarios()).extracting(ScenarioSummary::scenario)
                .contains("direct", "nginx+nginx", "sidecar+sidecar", "gateway");
        assertThat(report.scenario("nginx+nginx").proxies()).extracting(ScenarioSummary.ProxySummary::role)
                .containsExactly("first nginx", "second nginx");
        assertThat(report.targets()).extracting(TargetCheck::target)
                .contains("two sidecars: added p99 <= 3x what two nginx hops add");
        if (Installer.ensure(false).has(Installer.Tool.CADDY)) {
            assertThat(report.scenarios()).extracting(ScenarioSummary::scenario).contains("caddy");
            assertThat(report.scenario("caddy").proxies()).extracting(ScenarioSummary.ProxySummary::role)
                    .containsExactly("caddy");
        }
        for (ScenarioSummary scenario : report.scenarios()) {
            assertThat(scenario.openErrors()).as("%s: requests unanswered or failed at the fixed rate",
                    scenario.scenario()).isZero();
            assertThat(scenario.p50().median()).as("%s p50", scenario.scenario()).isPositive();
            assertThat(scenario.p999().median()).as("%s p99.9 >= p50", scenario.scenario())
                    .isGreaterThanOrEqualTo(scenario.p50().median());
            if (wrk) {
                assertThat(scenario.throughput().median()).as("%s throughput", scenario.scenario()).isPositive();
                assertThat(scenario.closedErrors()).as("%s errors under saturation", scenario.scenario()).isZero();
            }
        }
        ScenarioSummary twoHops = report.scenario("sidecar+sidecar");
        assertThat(twoHops.proxies()).extracting(ScenarioSummary.ProxySummary::role)
                .containsExactly("client sidecar", "server sidecar");
        assertThat(twoHops.proxies().get(0).peakRssAtRateMb().median()).isPositive();
        assertThat(twoHops.proxies().get(0).cpuPer1kAtRate().median()).isPositive();
        assertThat(twoHops.addedOverDirectMillis()).containsKeys("p50", "p90", "p99", "p99.9");
        assertThat(report.samples()).allMatch(sample -> sample.timeline() == null);
        // gRPC unary calls and opaque TCP, each through both sidecars (the loop above: answered, without errors).
        for (String path : List.of("grpc-sidecar+sidecar", "tcp-sidecar+sidecar")) {
            ScenarioSummary protocol = report.scenario(path);
            assertThat(protocol).as(path).isNotNull();
            assertThat(protocol.proxies()).extracting(ScenarioSummary.ProxySummary::role)
                    .containsExactly("client sidecar", "server sidecar");
            assertThat(protocol.proxies()).allSatisfy(proxy -> assertThat(proxy.cpuPer1kAtRate().median())
                    .as("%s %s CPU", path, proxy.role()).isPositive());
        }
        // gRPC's closed loop is its own generator's, with or without wrk.
        assertThat(report.scenario("grpc-sidecar+sidecar").throughput().median()).isPositive();

        assertThat(report.startup().millis()).hasSize(1).allMatch(millis -> millis > 0);
        assertThat(report.controlPlane().result().allAckedMillis()).hasSize(1).allMatch(millis -> millis > 0);
        var controlPlane = report.controlPlane().result();
        assertThat(controlPlane.perProxyAckMillis()).hasSize(controlPlane.clients());
        // Full clients and light ones both connected, received and ACKed.
        assertThat(controlPlane.fullClients()).isPositive().isLessThan(controlPlane.clients());
        assertThat(controlPlane.heapAfterGcMb()).isPositive();
        assertThat(report.targets()).isNotEmpty();

        List<Path> files;
        try (var list = Files.list(results)) {
            files = list.toList();
        }
        assertThat(files).extracting(path -> path.getFileName().toString().replaceAll("^[0-9TZ]+", ""))
                .containsExactlyInAnyOrder(".json", ".md");
        Path markdown = files.stream().filter(path -> path.toString().endsWith(".md")).findFirst().orElseThrow();
        assertThat(Files.readString(markdown)).contains("| sidecar+sidecar |", "## Control plane", "## Machine");
    }

    /**
     * {@code --timeline} on a two-hop path: both sidecars recorded through jcmd and their requests joined by
     * {@code x-request-id}. A run of its own: starting Flight Recorder disturbs a proxy for longer than the smoke's
     * one-second warm-up, so the figures of this run are not checked, only that the analysis has its inputs.
     */
    @Test
    void aTimelineRunRecordsBothSidecarsAndJoinsTheirRequests(@TempDir Path timelineResults) throws Exception {
        RunReport report = Bench.run("--smoke", "--timeline", "--parts", "dataplane", "--scenarios",
                "direct,sidecar+sidecar", "--results", timelineResults.toString());

        var twoHops = report.samples().stream().filter(s -> s.scenario().equals("sidecar+sidecar")).findFirst()
                .orElseThrow().timeline();
        assertThat(twoHops).isNotNull();
        assertThat(twoHops.requests()).isPositive();
        assertThat(twoHops.slow()).isPositive();
        assertThat(twoHops.all().serverTotal()).as("requests joined with the server sidecar's").isPositive();
        assertThat(report.samples().stream().filter(s -> s.scenario().equals("direct")).findFirst().orElseThrow()
                .timeline()).as("no meshgate proxy on the direct path").isNull();
        try (var files = Files.list(timelineResults)) {
            Path markdown = files.filter(path -> path.toString().endsWith(".md")).findFirst().orElseThrow();
            assertThat(Files.readString(markdown)).contains("## Where the slowest 1 % wait", "| sidecar+sidecar | ");
        }
    }
}
