package dev.meshgate.bench.report;

import java.util.ArrayList;
import java.util.List;

import dev.meshgate.bench.mesh.ProxyTelemetry;
import dev.meshgate.bench.scenario.Scenario;

/**
 * Issue #9's "cost, measured": each sidecar scenario with telemetry against the same path with telemetry off
 * ({@link ProxyTelemetry#OFF}), as added CPU per request (the sum of the path's sidecars, medians) and added p99.
 * CPU per request is given twice: at the fixed rate (the latency run: a mostly idle proxy, whose few CPU-seconds
 * carry timer, GC and late-JIT work that varies by ±20 % between runs) and at saturation (a busy proxy: ten seconds
 * of wrk, where the per-request work dominates and runs agree within a few percent).
 *
 * @param scenario the scenario with telemetry
 * @param baseline the same path with metrics and tracing off
 * @param cpuPer1k the path's sidecars' CPU-s per 1,000 requests at the fixed rate (sum of medians)
 * @param baselineCpuPer1k the same for the baseline
 * @param addedCpuPercent {@code cpuPer1k / baselineCpuPer1k - 1}, in percent
 * @param saturationCpuPer1k the path's sidecars' CPU-s per 1,000 requests at saturation (sum of medians)
 * @param baselineSaturationCpuPer1k the same for the baseline
 * @param addedSaturationCpuPercent {@code saturationCpuPer1k / baselineSaturationCpuPer1k - 1}, in percent
 * @param addedP99Millis p99 at the fixed rate minus the baseline's (medians)
 */
public record TelemetryCost(String scenario, String baseline, double cpuPer1k, double baselineCpuPer1k,
        double addedCpuPercent, double saturationCpuPer1k, double baselineSaturationCpuPer1k,
        double addedSaturationCpuPercent, double addedP99Millis) {

    /** One row per measured sidecar scenario with telemetry whose baseline was measured too, in scenario order. */
    public static List<TelemetryCost> of(List<ScenarioSummary> summaries) {
        List<TelemetryCost> rows = new ArrayList<>();
        for (Scenario scenario : Scenario.values()) {
            if (scenario.telemetry() == null || scenario.telemetry() == ProxyTelemetry.OFF || scenario.mutualTls()) {
                continue;
            }
            Scenario baselineScenario = baselineOf(scenario);
            ScenarioSummary measured = find(summaries, scenario.label());
            ScenarioSummary baseline = baselineScenario == null ? null : find(summaries, baselineScenario.label());
            if (measured == null || baseline == null) {
                continue;
            }
            double cpu = cpuPer1k(measured, true);
            double baseCpu = cpuPer1k(baseline, true);
            double saturated = cpuPer1k(measured, false);
            double baseSaturated = cpuPer1k(baseline, false);
            rows.add(new TelemetryCost(measured.scenario(), baseline.scenario(), cpu, baseCpu, added(cpu, baseCpu),
                    saturated, baseSaturated, added(saturated, baseSaturated),
                    measured.p99().median() - baseline.p99().median()));
        }
        return rows;
    }

    /**
     * The scenario over the same sidecars in the same protocol with telemetry off, or null (the gRPC and TCP paths
     * have no such variant yet).
     */
    static Scenario baselineOf(Scenario scenario) {
        for (Scenario candidate : Scenario.values()) {
            if (candidate.telemetry() == ProxyTelemetry.OFF && candidate.sidecars() == scenario.sidecars()
                    && candidate.protocol() == scenario.protocol() && !candidate.mutualTls()) {
                return candidate;
            }
        }
        return null;
    }

    private static double cpuPer1k(ScenarioSummary summary, boolean atRate) {
        return summary.proxies().stream()
                .mapToDouble(p -> (atRate ? p.cpuPer1kAtRate() : p.cpuPer1kAtSaturation()).median()).sum();
    }

    private static double added(double cpu, double baseline) {
        return baseline == 0 ? Double.NaN : (cpu / baseline - 1) * 100;
    }

    private static ScenarioSummary find(List<ScenarioSummary> summaries, String label) {
        return summaries.stream().filter(s -> s.scenario().equals(label)).findFirst().orElse(null);
    }
}
