package dev.meshgate.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.bench.scenario.ScenarioSample;

/** Issue #13's two-hop target: two sidecars against two nginx hops of the same run. */
class TargetCheckTest {

    private static ScenarioSample sample(String label, double p90, double p99) {
        return new ScenarioSample(label, 10, 10_000, 1000, 0, 1, p90 / 2, p90, p99, p99, p99, 1000, 0, 1000, 1,
                List.of(), null);
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
}
