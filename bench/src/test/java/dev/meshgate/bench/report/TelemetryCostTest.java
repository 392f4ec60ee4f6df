package dev.meshgate.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.meshgate.bench.mesh.ProxyTelemetry;
import dev.meshgate.bench.scenario.Scenario;
import dev.meshgate.bench.scenario.ScenarioSample;
import dev.meshgate.bench.scenario.ScenarioSample.ProxyUsage;

class TelemetryCostTest {

    /** A scenario whose sidecars use {@code cpuPer1k} at the fixed rate and a fifth of it at saturation. */
    private static ScenarioSummary summary(String label, double p99, double... cpuPer1k) {
        List<ProxyUsage> proxies = Arrays.stream(cpuPer1k)
                .mapToObj(cpu -> new ProxyUsage("sidecar " + cpu, cpu, cpu / 5, 200, 200)).toList();
        return ScenarioSummary.of(label, "", List.of(new ScenarioSample(label, 10, 1000, 1000, 0, 1, 1, 2, p99, 5, 6,
                1000, 0, 1000, 1, proxies, null)));
    }

    @Test
    void everyHttpSidecarScenarioWithTelemetryHasABaselineOverTheSameSidecarsWithTelemetryOff() {
        for (Scenario scenario : Scenario.values()) {
            if (scenario.telemetry() != null && scenario.telemetry() != ProxyTelemetry.OFF && !scenario.mutualTls()
                    && scenario.protocol() == Scenario.Protocol.HTTP) {
                Scenario baseline = TelemetryCost.baselineOf(scenario);
                assertThat(baseline.telemetry()).isEqualTo(ProxyTelemetry.OFF);
                assertThat(baseline.sidecars()).isEqualTo(scenario.sidecars());
                assertThat(baseline.label()).isEqualTo(scenario.label().replaceFirst("(-nometrics|-trace100)?$",
                        "-notelemetry"));
            }
        }
        assertThat(Scenario.values()).extracting(Scenario::label).contains("sidecar-trace100",
                "sidecar+sidecar-trace100", "sidecar-notelemetry", "sidecar+sidecar-notelemetry");
    }

    @Test
    void aGrpcOrTcpPathIsNeverSetAgainstAnHttpBaseline() {
        assertThat(TelemetryCost.baselineOf(Scenario.GRPC_SIDECAR)).isNull();
        assertThat(TelemetryCost.baselineOf(Scenario.TCP_TWO_SIDECARS)).isNull();
        assertThat(TelemetryCost.of(List.of(summary("grpc-sidecar", 4.5, 0.55), summary("sidecar-notelemetry", 4.0, 0.5),
                summary("tcp-sidecar+sidecar", 12, 0.8, 0.7), summary("sidecar+sidecar-notelemetry", 10, 0.6, 0.6))))
                .isEmpty();
    }

    @Test
    void addedCpuIsThePathsSidecarsAgainstTheBaselineAndScenariosWithoutOneAreLeftOut() {
        List<TelemetryCost> rows = TelemetryCost.of(List.of(
                summary("direct", 1),
                summary("sidecar", 4.5, 0.55),
                summary("sidecar-notelemetry", 4.0, 0.5),
                summary("sidecar+sidecar-trace100", 12, 0.8, 0.7),
                summary("sidecar+sidecar-notelemetry", 10, 0.6, 0.6),
                summary("sidecar-trace100", 9, 0.9),
                summary("sidecar+sidecar-mtls", 20, 2, 2)));

        assertThat(rows).extracting(TelemetryCost::scenario)
                .containsExactly("sidecar", "sidecar-trace100", "sidecar+sidecar-trace100");
        TelemetryCost one = rows.get(0);
        assertThat(one.baseline()).isEqualTo("sidecar-notelemetry");
        assertThat(one.addedCpuPercent()).isCloseTo(10.0, within(1e-9));
        assertThat(one.addedP99Millis()).isCloseTo(0.5, within(1e-9));
        TelemetryCost two = rows.get(2);
        assertThat(two.cpuPer1k()).isCloseTo(1.5, within(1e-9));
        assertThat(two.baselineCpuPer1k()).isCloseTo(1.2, within(1e-9));
        assertThat(two.addedCpuPercent()).isCloseTo(25.0, within(1e-9));
        assertThat(two.saturationCpuPer1k()).isCloseTo(0.3, within(1e-9));
        assertThat(two.baselineSaturationCpuPer1k()).isCloseTo(0.24, within(1e-9));
        assertThat(two.addedSaturationCpuPercent()).isCloseTo(25.0, within(1e-9));
    }

    @Test
    void saturationCpuIsComparedApartFromTheFixedRateCpu() {
        ScenarioSummary measured = ScenarioSummary.of("sidecar", "", List.of(new ScenarioSample("sidecar", 10, 1000,
                1000, 0, 1, 1, 2, 3, 5, 6, 1000, 0, 1000, 1, List.of(new ProxyUsage("client sidecar", 0.2, 0.11, 200,
                        200)), null)));
        ScenarioSummary baseline = ScenarioSummary.of("sidecar-notelemetry", "", List.of(new ScenarioSample(
                "sidecar-notelemetry", 10, 1000, 1000, 0, 1, 1, 2, 3, 5, 6, 1000, 0, 1000, 1, List.of(
                        new ProxyUsage("client sidecar", 0.25, 0.1, 200, 200)), null)));

        TelemetryCost row = TelemetryCost.of(List.of(measured, baseline)).get(0);

        assertThat(row.addedCpuPercent()).isCloseTo(-20.0, within(1e-9));
        assertThat(row.addedSaturationCpuPercent()).isCloseTo(10.0, within(1e-9));
    }
}
