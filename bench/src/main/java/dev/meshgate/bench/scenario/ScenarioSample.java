package dev.meshgate.bench.scenario;

import java.util.List;

import dev.meshgate.bench.timeline.TailTimeline;

/**
 * What one repetition of one scenario measured. Latencies in milliseconds, from the open-loop run at the fixed
 * rate; throughput from wrk's closed-loop run. NaN where a figure could not be taken (wrk missing).
 *
 * @param warmupSeconds how long the warm-up ran before anything was measured ({@link WarmUp})
 * @param wrkCpuSeconds CPU wrk itself used during the closed-loop run
 * @param generatorCpuSeconds CPU the open-loop generator (this JVM) used during the open-loop run
 * @param timeline where the slowest requests of the open-loop run waited ({@code --timeline}), or null
 */
public record ScenarioSample(String scenario, double warmupSeconds, double throughput, long closedRequests, long closedErrors,
        double wrkCpuSeconds, double p50, double p90, double p99, double p999, double max, long openRequests,
        long openErrors, double achievedRate, double generatorCpuSeconds, List<ProxyUsage> proxies,
        TailTimeline timeline) {

    /**
     * The resources of one proxy process (with its worker processes) on the path.
     *
     * @param cpuPer1kAtRate CPU-seconds per 1,000 requests during the open-loop run at the fixed rate
     * @param cpuPer1kAtSaturation CPU-seconds per 1,000 requests during the closed-loop run
     * @param peakRssAtRateMb peak resident memory (VmHWM) after warm-up and the run at the fixed rate
     * @param peakRssMb peak resident memory after the saturation run too
     */
    public record ProxyUsage(String role, double cpuPer1kAtRate, double cpuPer1kAtSaturation, double peakRssAtRateMb,
            double peakRssMb) {
    }

    public ScenarioSample {
        proxies = List.copyOf(proxies);
    }
}
