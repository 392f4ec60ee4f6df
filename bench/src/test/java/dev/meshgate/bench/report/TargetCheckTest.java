package dev.meshgate.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.bench.scenario.ScenarioSample;

/** Issue #13's targets as the report judges them: two hops against two nginx hops, CPU at the fixed rate. */
class TargetCheckTest {

    private static ScenarioSample sample(String label, double p90, double p99) {
        return new ScenarioSample(label, 10, 10_000, 1000, 0, 1, p90 / 2, p90, p99, p99, p99, 1000, 0, 1000, 1,
                List.of(), null);
    }

    private static ScenarioSample proxied(String label, double throughput, ScenarioSample.ProxyUsage... proxies) {
        return new ScenarioSample(label, 10, throughput, 1000, 0, 1, 0.5, 1, 2, 3, 3, 1000, 0, 1000, 1,
                List.of(proxies), null);
    }

    private static ScenarioSample.ProxyUsage usage(String role, double cpuAtRate, double cpuAtSaturation) {
        return new ScenarioSample.ProxyUsage(role, cpuAtRate, cpuAtSaturation, 150, 160);
    }

    private static RunReport report(ScenarioSample... samples) {
        Map<String, String> paths = new LinkedHashMap<>();
        for (ScenarioSample s : samples) {
            paths.put(s.scenario(), "");
        }
        return RunReport.of("start", "end", "c", "bench", false, null,
                new RunReport.Settings(1, 1000, 32, 30, 15, 10, 1, 1, 1, 1, 1, 1), Map.of(), Map.of(), paths,
                List.of(samples), null, null, List.of());
    }

    private static TargetCheck target(RunReport report, String start) {
        return report.targets().stream().filter(t -> t.target().startsWith(start)).findFirst().orElseThrow();
    }

    @Test
    void twoSidecarsAreJudgedByWhatTheyAddOverDirectAgainstThreeTimesWhatTwoNginxHopsAdd() {
        // direct p90 0.20, p99 0.50; two nginx hops add 0.10 / 0.30; two sidecars 0.25 / 1.20.
        RunReport report = report(sample("direct", 0.20, 0.50), sample("nginx+nginx", 0.30, 0.80),
                sample("sidecar+sidecar", 0.45, 1.70));

        assertThat(target(report, "two sidecars: added p90 <= 3x what two nginx hops add"))
                .isEqualTo(new TargetCheck("two sidecars: added p90 <= 3x what two nginx hops add",
                        "+0.25 ms vs +0.10 ms (2.5x)", "met"));
        assertThat(target(report, "two sidecars: added p99 <= 3x what two nginx hops add"))
                .isEqualTo(new TargetCheck("two sidecars: added p99 <= 3x what two nginx hops add",
                        "+1.20 ms vs +0.30 ms (4.0x)", "not met"));
        assertThat(target(report, "two sidecars: added p90 at 1000 requests/s <= 0.5 ms").status()).isEqualTo("met");
        assertThat(target(report, "two sidecars: added p99 at 1000 requests/s <= 1.0 ms").status())
                .isEqualTo("not met");
    }

    @Test
    void withoutTwoNginxHopsOrWhenTheyAddNothingMeasurableThereIsNoRatio() {
        RunReport without = report(sample("direct", 0.20, 0.50), sample("sidecar+sidecar", 0.45, 1.70));
        assertThat(target(without, "two sidecars: added p99 <= 3x"))
                .extracting(TargetCheck::measured, TargetCheck::status)
                .containsExactly("no nginx+nginx in this run", "not measured");

        RunReport noise = report(sample("direct", 0.20, 0.50), sample("nginx+nginx", 0.30, 0.40),
                sample("sidecar+sidecar", 0.45, 1.70));
        assertThat(target(noise, "two sidecars: added p99 <= 3x"))
                .extracting(TargetCheck::measured, TargetCheck::status)
                .containsExactly("+1.20 ms vs -0.10 ms: two nginx hops added nothing measurable, no ratio",
                        "not measured");
    }

    @Test
    void whenTwoSidecarsAddNothingDirectWasStarvedAndNoRowJudgesThem() {
        RunReport starved = report(sample("direct", 0.60, 9.00), sample("nginx+nginx", 0.70, 9.50),
                sample("sidecar+sidecar", 0.90, 4.00));

        assertThat(target(starved, "two sidecars: added p99 at 1000 requests/s <= 1.0 ms"))
                .extracting(TargetCheck::measured, TargetCheck::status)
                .containsExactly("-5.00 ms: direct was slower than the path through two proxies, a starved run",
                        "not measured");
        assertThat(target(starved, "two sidecars: added p99 <= 3x").status()).isEqualTo("not measured");
        assertThat(target(starved, "two sidecars: added p90 at 1000 requests/s <= 0.5 ms").status())
                .isEqualTo("met");
    }

    @Test
    void cpuIsJudgedAtTheFixedRateOverMutualTlsByTheBusierSidecar() {
        RunReport mutual = report(sample("direct", 0.20, 0.50),
                proxied("sidecar", 17_000, usage("sidecar", 0.19, 0.07)),
                proxied("sidecar+sidecar-mtls", 7_000, usage("client sidecar", 0.28, 0.10),
                        usage("server sidecar", 0.30, 0.11)));
        assertThat(target(mutual, "sidecar <= 0.20 CPU-s per 1,000 requests at 1000 requests/s"))
                .extracting(TargetCheck::measured, TargetCheck::status)
                .containsExactly("0.300 (sidecar+sidecar-mtls, server sidecar); 0.110 at saturation", "not met");

        // Plaintext alone can show the target missed, never met.
        RunReport under = report(sample("direct", 0.20, 0.50), proxied("sidecar", 17_000, usage("sidecar", 0.19, 0.07)));
        assertThat(target(under, "sidecar <= 0.20 CPU-s").status()).isEqualTo("not measured");
        RunReport over = report(sample("direct", 0.20, 0.50), proxied("sidecar", 17_000, usage("sidecar", 0.24, 0.07)));
        assertThat(target(over, "sidecar <= 0.20 CPU-s").status()).isEqualTo("not met");
    }

    @Test
    void oneSidecarIsJudgedAgainstSixtyPercentOfNginx() {
        RunReport report = report(sample("direct", 0.20, 0.50), proxied("nginx", 40_000),
                proxied("sidecar", 22_000, usage("sidecar", 0.19, 0.07)));
        assertThat(target(report, "one sidecar: >= 60 % of nginx's proxy throughput"))
                .extracting(TargetCheck::measured, TargetCheck::status)
                .containsExactly("55 % (22000 vs 40000 requests/s)", "not met");
    }
}
