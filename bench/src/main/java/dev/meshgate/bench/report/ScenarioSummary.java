package dev.meshgate.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import dev.meshgate.bench.scenario.ScenarioSample;
import dev.meshgate.bench.scenario.ScenarioSample.ProxyUsage;

/**
 * One scenario over every repetition: each figure as median, min and max; latency added over direct (difference
 * of the medians); and each figure's median as a ratio to direct's and to nginx's (keys of {@code ratios}:
 * {@code <figure>.vsDirect}, {@code <figure>.vsNginx}; CPU and memory have no "direct" to compare with).
 */
public record ScenarioSummary(String scenario, String path, int repetitions, Stat warmupSeconds, Stat throughput, Stat p50, Stat p90,
        Stat p99, Stat p999, Stat max, Map<String, Double> addedOverDirectMillis, long closedErrors, long openErrors,
        Stat achievedRate, Stat wrkCpuSeconds, Stat generatorCpuSeconds, List<ProxySummary> proxies,
        Map<String, Double> ratios) {

    /** One proxy process's figures over the repetitions. */
    public record ProxySummary(String role, Stat cpuPer1kAtRate, Stat cpuPer1kAtSaturation, Stat peakRssAtRateMb,
            Stat peakRssMb) {
    }

    static ScenarioSummary of(String scenario, String path, List<ScenarioSample> samples) {
        List<ProxySummary> proxies = new ArrayList<>();
        if (!samples.isEmpty()) {
            for (int i = 0; i < samples.get(0).proxies().size(); i++) {
                int index = i;
                proxies.add(new ProxySummary(samples.get(0).proxies().get(i).role(),
                        proxyStat(samples, index, ProxyUsage::cpuPer1kAtRate),
                        proxyStat(samples, index, ProxyUsage::cpuPer1kAtSaturation),
                        proxyStat(samples, index, ProxyUsage::peakRssAtRateMb),
                        proxyStat(samples, index, ProxyUsage::peakRssMb)));
            }
        }
        return new ScenarioSummary(scenario, path, samples.size(), stat(samples, ScenarioSample::warmupSeconds),
                stat(samples, ScenarioSample::throughput),
                stat(samples, ScenarioSample::p50), stat(samples, ScenarioSample::p90),
                stat(samples, ScenarioSample::p99), stat(samples, ScenarioSample::p999),
                stat(samples, ScenarioSample::max), Map.of(),
                samples.stream().mapToLong(ScenarioSample::closedErrors).sum(),
                samples.stream().mapToLong(ScenarioSample::openErrors).sum(),
                stat(samples, ScenarioSample::achievedRate), stat(samples, ScenarioSample::wrkCpuSeconds),
                stat(samples, ScenarioSample::generatorCpuSeconds), proxies, Map.of());
    }

    /** This summary with the added latency and the ratios filled in from direct's and nginx's (either may be null). */
    ScenarioSummary compared(ScenarioSummary direct, ScenarioSummary nginx) {
        Map<String, Double> added = new LinkedHashMap<>();
        Map<String, Double> ratios = new LinkedHashMap<>();
        Map<String, Stat> latency = latencies();
        latency.forEach((name, stat) -> {
            if (direct != null) {
                added.put(name, stat.median() - direct.latencies().get(name).median());
            }
        });
        Map<String, Stat> figures = new LinkedHashMap<>();
        figures.put("throughput", throughput);
        figures.putAll(latency);
        figures.forEach((name, stat) -> {
            if (direct != null) {
                ratios.put(name + ".vsDirect", stat.ratioTo(direct.figures().get(name)));
            }
            if (nginx != null) {
                ratios.put(name + ".vsNginx", stat.ratioTo(nginx.figures().get(name)));
            }
        });
        ProxySummary nginxProxy = nginx == null || nginx.proxies().isEmpty() ? null : nginx.proxies().get(0);
        if (nginxProxy != null) {
            for (ProxySummary proxy : proxies) {
                String role = proxy.role().replace(' ', '_');
                ratios.put(role + ".cpuPer1kAtRate.vsNginx", proxy.cpuPer1kAtRate().ratioTo(nginxProxy.cpuPer1kAtRate()));
                ratios.put(role + ".cpuPer1kAtSaturation.vsNginx",
                        proxy.cpuPer1kAtSaturation().ratioTo(nginxProxy.cpuPer1kAtSaturation()));
                ratios.put(role + ".peakRssAtRateMb.vsNginx",
                        proxy.peakRssAtRateMb().ratioTo(nginxProxy.peakRssAtRateMb()));
                ratios.put(role + ".peakRssMb.vsNginx", proxy.peakRssMb().ratioTo(nginxProxy.peakRssMb()));
            }
        }
        return new ScenarioSummary(scenario, path, repetitions, warmupSeconds, throughput, p50, p90, p99, p999, max, added,
                closedErrors, openErrors, achievedRate, wrkCpuSeconds, generatorCpuSeconds, proxies, ratios);
    }

    Map<String, Stat> latencies() {
        Map<String, Stat> latency = new LinkedHashMap<>();
        latency.put("p50", p50);
        latency.put("p90", p90);
        latency.put("p99", p99);
        latency.put("p99.9", p999);
        return latency;
    }

    private Map<String, Stat> figures() {
        Map<String, Stat> figures = new LinkedHashMap<>();
        figures.put("throughput", throughput);
        figures.putAll(latencies());
        return figures;
    }

    private static Stat stat(List<ScenarioSample> samples, ToDoubleFunction<ScenarioSample> figure) {
        return Stat.of(samples.stream().map(s -> figure.applyAsDouble(s)).toList());
    }

    private static Stat proxyStat(List<ScenarioSample> samples, int index, ToDoubleFunction<ProxyUsage> figure) {
        return Stat.of(samples.stream().map(s -> figure.applyAsDouble(s.proxies().get(index))).toList());
    }
}
