package dev.meshgate.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one benchmark run does. {@link #full} is the documented run (minutes); {@link #smoke} the seconds-long
 * version CI runs to keep the tool working, whose figures mean nothing.
 *
 * @param rate the fixed offered rate of the open-loop latency measurement, requests per second
 * @param connections connections of both load generators, the same for every scenario
 * @param warmup the longest warm-up before measuring ({@link dev.meshgate.bench.scenario.WarmUp}: closed-loop rounds
 *     until the throughput is steady; without wrk, open-loop load at twice the rate for this long)
 * @param startups how many sidecar starts the start-to-ready median is taken over
 * @param services services (and VirtualServices) of the control-plane benchmark's mesh
 * @param endpointsPerService endpoints of each service
 * @param routesPerService http routes of each VirtualService of the control-plane benchmark
 * @param discoveryClients discovery clients connected to the control plane ({@code --proxies}): a few full, the rest
 *     light ({@link dev.meshgate.bench.controlplane.DiscoveryFleet})
 * @param changes file changes timed from write to the last ACK
 * @param jmh whether to run the JMH microbenchmarks (short iterations)
 */
public record BenchSettings(boolean smoke, int repetitions, int rate, int connections, Duration warmup,
        Duration openLoop, Duration closedLoop, int startups, int services, int endpointsPerService,
        int routesPerService, int discoveryClients, int changes, boolean jmh, boolean install, Path resultsDir,
        List<String> scenarios, List<String> parts) {

    /** The parts of a run, in the order they run. */
    public static final List<String> ALL_PARTS = List.of("dataplane", "startup", "controlplane", "jmh");

    public BenchSettings {
        scenarios = List.copyOf(scenarios);
        parts = List.copyOf(parts);
    }

    /** Whether this run includes {@code part} (one of {@link #ALL_PARTS}). */
    public boolean includes(String part) {
        return parts.contains(part) && (!part.equals("jmh") || jmh);
    }

    public static BenchSettings full(Path resultsDir) {
        // A control-plane change takes one to a few seconds at 2,000 proxies on 2 cores (one translation per
        // translation key, deltas): 10 changes, so that the percentiles are over more than the first change, which
        // is the slowest (docs/performance.md); 2 routes per VirtualService (the JMH mesh has 10). Issue #13's
        // control-plane target is at 2,000 proxies.
        return new BenchSettings(false, 3, 1_000, 32, Duration.ofSeconds(120), Duration.ofSeconds(15),
                Duration.ofSeconds(10), 5, 1_000, 10, 2, 2_000, 10, true, true, resultsDir, List.of(), ALL_PARTS);
    }

    public static BenchSettings smoke(Path resultsDir) {
        // Two hops rather than one: the smoke starts the server sidecar too, and every JVM start costs seconds. gRPC
        // and TCP only through two sidecars, without their direct paths: what they add is checked in full runs.
        return new BenchSettings(true, 1, 200, 4, Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(1), 1, 20, 2, 2, 4, 1, false, false, resultsDir,
                List.of("direct", "nginx", "nginx+nginx", "haproxy", "caddy", "sidecar+sidecar", "sidecar+sidecar-mtls",
                        "gateway", "grpc-sidecar+sidecar", "tcp-sidecar+sidecar"), ALL_PARTS);
    }

    public BenchSettings withRepetitions(int value) {
        return new BenchSettings(smoke, value, rate, connections, warmup, openLoop, closedLoop, startups, services,
                endpointsPerService, routesPerService, discoveryClients, changes, jmh, install, resultsDir, scenarios, parts);
    }

    public BenchSettings withJmh(boolean value) {
        return new BenchSettings(smoke, repetitions, rate, connections, warmup, openLoop, closedLoop, startups,
                services, endpointsPerService, routesPerService, discoveryClients, changes, value, install, resultsDir,
                scenarios, parts);
    }

    public BenchSettings withInstall(boolean value) {
        return new BenchSettings(smoke, repetitions, rate, connections, warmup, openLoop, closedLoop, startups,
                services, endpointsPerService, routesPerService, discoveryClients, changes, jmh, value, resultsDir,
                scenarios, parts);
    }

    public BenchSettings withScenarios(List<String> value) {
        return new BenchSettings(smoke, repetitions, rate, connections, warmup, openLoop, closedLoop, startups,
                services, endpointsPerService, routesPerService, discoveryClients, changes, jmh, install, resultsDir,
                List.copyOf(value), parts);
    }

    public BenchSettings withResultsDir(Path value) {
        return new BenchSettings(smoke, repetitions, rate, connections, warmup, openLoop, closedLoop, startups,
                services, endpointsPerService, routesPerService, discoveryClients, changes, jmh, install, value,
                scenarios, parts);
    }

    public BenchSettings withParts(List<String> value) {
        for (String part : value) {
            if (!ALL_PARTS.contains(part)) {
                throw new IllegalArgumentException("unknown part " + part + " (expected: " + ALL_PARTS + ")");
            }
        }
        return new BenchSettings(smoke, repetitions, rate, connections, warmup, openLoop, closedLoop, startups,
                services, endpointsPerService, routesPerService, discoveryClients, changes, jmh, install, resultsDir,
                scenarios, value);
    }

    public BenchSettings withDiscoveryClients(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("--proxies: " + value + " (expected: >= 1)");
        }
        return new BenchSettings(smoke, repetitions, rate, connections, warmup, openLoop, closedLoop, startups,
                services, endpointsPerService, routesPerService, value, changes, jmh, install, resultsDir, scenarios,
                parts);
    }

    public BenchSettings withChanges(int value) {
        return new BenchSettings(smoke, repetitions, rate, connections, warmup, openLoop, closedLoop, startups,
                services, endpointsPerService, routesPerService, discoveryClients, value, jmh, install, resultsDir,
                scenarios, parts);
    }
}
