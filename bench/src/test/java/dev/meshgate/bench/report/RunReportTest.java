package dev.meshgate.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.bench.scenario.ScenarioSample;

class RunReportTest {

    private static ScenarioSample sample(String label, double throughput, double p50) {
        return new ScenarioSample(label, 10, throughput, 1000, 0, 1, p50, p50, p50, p50, p50, 1000, 0, 1000, 1,
                List.of(), null);
    }

    /** gRPC and TCP paths against their own direct path and nginx, never HTTP's. */
    @Test
    void eachPathIsComparedWithTheDirectPathAndNginxOfItsProtocol() {
        List<ScenarioSample> samples = List.of(sample("direct", 40_000, 0.2), sample("nginx", 20_000, 0.4),
                sample("grpc-direct", 30_000, 0.3), sample("grpc-nginx", 15_000, 0.5),
                sample("grpc-sidecar", 5_000, 0.9), sample("tcp-direct", 40_000, 0.25),
                sample("tcp-sidecar+sidecar", 10_000, 0.75));
        Map<String, String> paths = new LinkedHashMap<>();
        samples.forEach(s -> paths.put(s.scenario(), ""));

        RunReport report = RunReport.of("start", "end", "c", "bench", false, null,
                new RunReport.Settings(1, 1000, 32, 30, 15, 10, 1, 1, 1, 1, 1, 1), Map.of(), Map.of(), paths, samples,
                null, null, List.of());

        ScenarioSummary grpc = report.scenario("grpc-sidecar");
        assertThat(grpc.addedOverDirectMillis().get("p50")).isCloseTo(0.6, within(1e-9));
        assertThat(grpc.ratios().get("throughput.vsDirect")).isCloseTo(5_000.0 / 30_000, within(1e-9));
        assertThat(grpc.ratios().get("throughput.vsNginx")).isCloseTo(5_000.0 / 15_000, within(1e-9));
        ScenarioSummary tcp = report.scenario("tcp-sidecar+sidecar");
        assertThat(tcp.addedOverDirectMillis().get("p50")).isCloseTo(0.5, within(1e-9));
        assertThat(tcp.ratios()).as("no tcp-nginx measured").doesNotContainKey("throughput.vsNginx");
        assertThat(report.scenario("nginx").addedOverDirectMillis().get("p50")).isCloseTo(0.2, within(1e-9));
    }
}
