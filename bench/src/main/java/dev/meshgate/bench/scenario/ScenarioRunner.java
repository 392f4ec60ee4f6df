package dev.meshgate.bench.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.meshgate.bench.BenchSettings;
import dev.meshgate.bench.load.OpenLoopGenerator;
import dev.meshgate.bench.load.Saturation;
import dev.meshgate.bench.process.ProcStat;
import dev.meshgate.bench.scenario.ScenarioSample.ProxyUsage;
import dev.meshgate.bench.scenario.Target.Metered;
import dev.meshgate.bench.timeline.TailTimeline;
import dev.meshgate.bench.timeline.TimelineRecording;
import dev.meshgate.bench.tools.Installer;

/**
 * Measures one scenario once: warm-up, then latency at the fixed rate (open loop), then saturation throughput
 * (closed loop), reading each proxy's CPU time before and after each run and its peak memory after each.
 */
public final class ScenarioRunner {

    private final BenchSettings settings;
    private final Scenario.Environment env;
    private final boolean timeline;

    /**
     * @param timeline whether to record the meshgate proxies' request timelines during the open-loop run
     *     ({@link TailTimeline})
     */
    public ScenarioRunner(BenchSettings settings, Scenario.Environment env, boolean timeline) {
        this.settings = settings;
        this.env = env;
        this.timeline = timeline;
    }

    /** Starts the scenario's processes, measures, stops them. */
    public ScenarioSample run(Scenario scenario) throws InterruptedException {
        try (Target target = scenario.start(env);
                Load load = Load.of(scenario.protocol(), target, settings, env.tools().path(Installer.Tool.WRK))) {
            return measure(scenario, target, load);
        }
    }

    private ScenarioSample measure(Scenario scenario, Target target, Load load) throws InterruptedException {
        List<TimelineRecording> recordings = timeline ? startTimelines(scenario, target) : List.of();
        double warmupSeconds = load.saturates() ? WarmUp.run(load, settings) : openLoopWarmUp(load);
        // The generator (this JVM) and its connections warm up too, or the first scenario measures their JIT.
        Duration generatorWarmUp = settings.warmup().compareTo(WarmUp.ROUND) < 0 ? settings.warmup() : WarmUp.ROUND;
        load.openLoop(settings.rate(), generatorWarmUp);

        double[] cpuBeforeOpen = cpu(target);
        Instant openStart = Instant.now();
        OpenLoopGenerator.Result open = load.openLoop(settings.rate(), settings.openLoop());
        Instant openEnd = Instant.now();
        double[] cpuAfterOpen = cpu(target);
        TailTimeline tail = recordings.isEmpty() ? null : analyze(recordings, openStart, openEnd);
        double[] peakAtRate = peak(target);

        Saturation closed = load.saturate(settings.closedLoop());
        double[] cpuAfterClosed = cpu(target);
        double[] peak = peak(target);

        List<ProxyUsage> usages = new ArrayList<>();
        for (int i = 0; i < target.proxies().size(); i++) {
            double perKiloOpen = (cpuAfterOpen[i] - cpuBeforeOpen[i]) / (open.completed() / 1000.0);
            double perKiloClosed = closed == null ? Double.NaN
                    : (cpuAfterClosed[i] - cpuAfterOpen[i]) / (closed.requests() / 1000.0);
            usages.add(new ProxyUsage(target.proxies().get(i).role(), perKiloOpen, perKiloClosed, peakAtRate[i],
                    peak[i]));
        }
        return new ScenarioSample(scenario.label(), warmupSeconds,
                closed == null ? Double.NaN : closed.requestsPerSecond(),
                closed == null ? 0 : closed.requests(),
                closed == null ? 0 : closed.errors(),
                closed == null ? Double.NaN : closed.cpuSeconds(),
                open.percentileMillis(50), open.percentileMillis(90), open.percentileMillis(99),
                open.percentileMillis(99.9), open.histogram().getMaxValue() / 1e6, open.due(), open.errors(),
                open.achievedRate(), open.cpuSeconds(), usages, tail);
    }

    /**
     * Starts a recording in each meshgate proxy of the path (not nginx, HAProxy or Caddy), in path order, before
     * the warm-up ({@link TimelineRecording}: starting it disturbs a proxy for a while).
     */
    private List<TimelineRecording> startTimelines(Scenario scenario, Target target) {
        List<TimelineRecording> recordings = new ArrayList<>();
        String run = scenario.label().replace('+', '_') + "-" + System.currentTimeMillis();
        for (Metered proxy : target.proxies()) {
            if (proxy.role().endsWith("sidecar") || proxy.role().equals("gateway")) {
                recordings.add(TimelineRecording.start(proxy.process().pid(), env.scratch("timeline")
                        .resolve(run + "-" + proxy.role().replace(' ', '_') + ".jfr")));
            }
        }
        return recordings;
    }

    private static TailTimeline analyze(List<TimelineRecording> recordings, Instant from, Instant to) {
        Path first = recordings.get(0).stop();
        Path second = recordings.size() > 1 ? recordings.get(1).stop() : null;
        try {
            return TailTimeline.analyze(first, second, from, to);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the timeline recordings " + first + ", " + second, e);
        }
    }

    /** Without wrk: the fixed open-loop warm-up at twice the rate. */
    private double openLoopWarmUp(Load load) throws InterruptedException {
        load.openLoop(settings.rate() * 2, settings.warmup());
        return settings.warmup().toSeconds();
    }

    private static double[] cpu(Target target) {
        return target.proxies().stream().map(Metered::process)
                .mapToDouble(process -> ProcStat.cpuSeconds(process.pid())).toArray();
    }

    private static double[] peak(Target target) {
        return target.proxies().stream().map(Metered::process)
                .mapToDouble(process -> ProcStat.peakRssMegabytes(process.pid())).toArray();
    }
}
