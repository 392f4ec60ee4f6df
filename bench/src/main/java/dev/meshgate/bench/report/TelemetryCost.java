package dev.meshgate.bench.report;

import java.util.ArrayList;
import java.util.List;

import dev.meshgate.bench.mesh.ProxyTelemetry;
import dev.meshgate.bench.scenario.Scenario;

/**
 * Issue #9's "cost, measured": each sidecar scenario with telemetry against the same path with telemetry off
 * ({@link ProxyTelemetry#OFF}), as added CPU per request (the sum of the path's sidecars, medians) and added p99.
 *
 * @param scenario the scenario with telemetry
 * @param baseline the same path with metrics and tracing off
 * @param cpuPer1k the path's sidecars' CPU-s per 1,000 requests at the fixed rate (sum of medians)
 * @param baselineCpuPer1k the same for the baseline
 * @param addedCpuPercent {@code cpuPer1k / baselineCpuPer1k - 1}, in percent
 * @param addedP99Millis p99 at the fixed rate minus the baseline's (medians)
 */
public record TelemetryCost(String scenario, String baseline, double cpuPer1k, double baselineCpuPer1k,
        double addedCpuPercent, double addedP99Millis) {

    /** One row per measured sidecar scenario with telemetry whose baseline was measured too, in scenario order. */
    public static List<TelemetryCost> of(List<ScenarioSummary> summaries) {
        List<TelemetryCost> rows = new ArrayList<>();
        for (Scenario scenario : Scenario.values()) {
            if (scenario.telemetry() == null || scenario.telemetry() == ProxyTelemetry.OFF) {
                continue;
            }
            ScenarioSummary measured = find(summaries, scenario.label());
            ScenarioSummary baseline = find(summaries, baselineOf(scenario).label());
            if (measured == null || baseline == null) {
                continue;
            }
            double cpu = cpuPer1k(measured);
            double baseCpu = cpuPer1k(baseline);
            rows.add(new TelemetryCost(measured.scenario(), baseline.scenario(), cpu, baseCpu,
                    baseCpu == 0 ? Double.NaN : (cpu / baseCpu - 1) * 100,
                    measured.p99().median() - baseline.p99().median()));
        }
        return rows;
    }

    /** The scenario over the same sidecars with telemetry off. */
    static Scenario baselineOf(Scenario scenario) {
        for (Scenario candidate : Scenario.values()) {
            if (candidate.telemetry() == ProxyTelemetry.OFF && candidate.sidecars() == scenario.sidecars()) {
                return candidate;
            }
        }
        throw new IllegalStateException("no telemetry-off scenario over " + scenario.sidecars() + " sidecars");
    }

    private static double cpuPer1k(ScenarioSummary summary) {
        return summary.proxies().stream().mapToDouble(p -> p.cpuPer1kAtRate().median()).sum();
    }

    private static ScenarioSummary find(List<ScenarioSummary> summaries, String label) {
        return summaries.stream().filter(s -> s.scenario().equals(label)).findFirst().orElse(null);
    }
}
