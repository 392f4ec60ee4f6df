package dev.meshgate.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.meshgate.bench.machine.Machine;
import dev.meshgate.bench.micro.Microbenchmarks.Score;
import dev.meshgate.bench.scenario.Scenario;
import dev.meshgate.bench.scenario.ScenarioSample;

/**
 * Everything one run measured, as written to {@code bench/results/<timestamp>.json}: the machine, the settings,
 * each scenario's samples and summary, start-to-ready, the control plane, the microbenchmarks, and the targets.
 */
public record RunReport(String startedAt, String finishedAt, String commit, String command, boolean smoke,
        Machine machine, Settings settings, Map<String, List<String>> meshJvmFlags, Map<String, String> skipped,
        List<ScenarioSummary> scenarios, List<ScenarioSample> samples, StartupSummary startup,
        ControlPlaneSummary controlPlane, List<Score> microbenchmarks, List<TargetCheck> targets) {

    /** The settings in plain units. */
    public record Settings(int repetitions, int rate, int connections, long warmupSeconds, long openLoopSeconds,
            long closedLoopSeconds, int startups, int services, int endpointsPerService, int routesPerService,
            int discoveryClients, int changes) {
    }

    /** The summary of the scenario labelled {@code label}, or null. */
    public ScenarioSummary scenario(String label) {
        return scenarios.stream().filter(s -> s.scenario().equals(label)).findFirst().orElse(null);
    }

    private static ScenarioSummary find(List<ScenarioSummary> summaries, String label) {
        return summaries.stream().filter(s -> s.scenario().equals(label)).findFirst().orElse(null);
    }

    /** Summarises the samples (grouped by scenario, in the order given) and checks the targets. */
    public static RunReport of(String startedAt, String finishedAt, String commit, String command, boolean smoke,
            Machine machine, Settings settings, Map<String, List<String>> flags, Map<String, String> skipped,
            Map<String, String> paths, List<ScenarioSample> samples, StartupSummary startup,
            ControlPlaneSummary controlPlane, List<Score> micro) {
        Map<String, List<ScenarioSample>> byScenario = new LinkedHashMap<>();
        paths.keySet().forEach(label -> byScenario.put(label, new ArrayList<>()));
        samples.forEach(sample -> byScenario.computeIfAbsent(sample.scenario(), s -> new ArrayList<>()).add(sample));
        List<ScenarioSummary> plain = new ArrayList<>();
        byScenario.forEach((label, list) -> {
            if (!list.isEmpty()) {
                plain.add(ScenarioSummary.of(label, paths.getOrDefault(label, ""), list));
            }
        });
        // Each path against the direct path and nginx's of its protocol (HTTP, gRPC or TCP).
        List<ScenarioSummary> compared = plain.stream().map(s -> {
            Scenario.Protocol protocol = Scenario.labelled(s.scenario()).map(Scenario::protocol)
                    .orElse(Scenario.Protocol.HTTP);
            return s.compared(find(plain, protocol.direct()), find(plain, protocol.nginx()));
        }).toList();
        RunReport report = new RunReport(startedAt, finishedAt, commit, command, smoke, machine, settings,
                Map.copyOf(flags), Map.copyOf(skipped), compared, List.copyOf(samples), startup, controlPlane,
                List.copyOf(micro), List.of());
        return new RunReport(startedAt, finishedAt, commit, command, smoke, machine, settings, report.meshJvmFlags(),
                report.skipped(), compared, report.samples(), startup, controlPlane, report.microbenchmarks(),
                TargetCheck.of(report));
    }
}
