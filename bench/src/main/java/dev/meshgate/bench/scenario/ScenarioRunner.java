package dev.meshgate.bench.scenario;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.meshgate.bench.BenchSettings;
import dev.meshgate.bench.load.OpenLoopGenerator;
import dev.meshgate.bench.load.Wrk;
import dev.meshgate.bench.process.ProcStat;
import dev.meshgate.bench.scenario.ScenarioSample.ProxyUsage;
import dev.meshgate.bench.scenario.Target.Metered;
import dev.meshgate.bench.tools.Installer;
import dev.meshgate.bench.tools.Nginx;

/**
 * Measures one scenario once: warm-up, then latency at the fixed rate (open loop), then saturation throughput
 * (closed loop), reading each proxy's CPU time before and after each run and its peak memory after each.
 */
public final class ScenarioRunner {

    private final BenchSettings settings;
    private final Scenario.Environment env;

    public ScenarioRunner(BenchSettings settings, Scenario.Environment env) {
        this.settings = settings;
        this.env = env;
    }

    /** Starts the scenario's processes, measures, stops them. */
    public ScenarioSample run(Scenario scenario) throws InterruptedException {
        try (Target target = scenario.start(env)) {
            return measure(scenario, target);
        }
    }

    private ScenarioSample measure(Scenario scenario, Target target) throws InterruptedException {
        OpenLoopGenerator generator = new OpenLoopGenerator(target.port(), target.host(), Nginx.PAYLOAD_PATH,
                settings.connections());
        Path wrk = env.tools().path(Installer.Tool.WRK);
        double warmupSeconds = wrk == null ? openLoopWarmUp(generator) : WarmUp.run(wrk, target, settings);
        // The generator (this JVM) and its connections warm up too, or the first scenario measures their JIT.
        Duration generatorWarmUp = settings.warmup().compareTo(WarmUp.ROUND) < 0 ? settings.warmup() : WarmUp.ROUND;
        generator.run(settings.rate(), generatorWarmUp);

        double[] cpuBeforeOpen = cpu(target);
        OpenLoopGenerator.Result open = generator.run(settings.rate(), settings.openLoop());
        double[] cpuAfterOpen = cpu(target);
        double[] peakAtRate = peak(target);

        Wrk.Result closed = wrk == null ? null
                : Wrk.run(wrk, target.port(), target.host(), Nginx.PAYLOAD_PATH, settings.connections(),
                        settings.closedLoop());
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
                open.achievedRate(), open.cpuSeconds(), usages);
    }

    /** Without wrk: the fixed open-loop warm-up at twice the rate. */
    private double openLoopWarmUp(OpenLoopGenerator generator) throws InterruptedException {
        generator.run(settings.rate() * 2, settings.warmup());
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
