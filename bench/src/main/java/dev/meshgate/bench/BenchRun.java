package dev.meshgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.meshgate.bench.controlplane.ControlPlaneBench;
import dev.meshgate.bench.machine.Machine;
import dev.meshgate.bench.mesh.BenchMesh;
import dev.meshgate.bench.mesh.GrpcProbe;
import dev.meshgate.bench.mesh.HttpProbe;
import dev.meshgate.bench.mesh.MeshJvm;
import dev.meshgate.bench.micro.Microbenchmarks;
import dev.meshgate.bench.micro.Microbenchmarks.Score;
import dev.meshgate.bench.process.Child;
import dev.meshgate.bench.process.FreePorts;
import dev.meshgate.bench.report.ControlPlaneSummary;
import dev.meshgate.bench.report.MarkdownReport;
import dev.meshgate.bench.report.RunReport;
import dev.meshgate.bench.report.StartupSummary;
import dev.meshgate.bench.scenario.Scenario;
import dev.meshgate.bench.scenario.ScenarioRunner;
import dev.meshgate.bench.scenario.ScenarioSample;
import dev.meshgate.bench.startup.StartToReady;
import dev.meshgate.bench.tools.Installer;
import dev.meshgate.bench.tools.GrpcBackend;
import dev.meshgate.bench.tools.JavaBackend;
import dev.meshgate.bench.tools.Nginx;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * One benchmark run, in order: tools, backend, the data-plane scenarios (repeated), sidecar start-to-ready, the
 * control plane, the microbenchmarks; then the report, written as JSON and markdown under the results directory.
 */
final class BenchRun {

    private final BenchSettings settings;
    private final MeshJvm jvm;
    private final String command;
    private final boolean timeline;

    BenchRun(BenchSettings settings, MeshJvm jvm, String command, boolean timeline) {
        this.settings = settings;
        this.jvm = jvm;
        this.command = command;
        this.timeline = timeline;
    }

    RunReport run() throws Exception {
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Machine machine = Machine.describe();
        Installer tools = Installer.ensure(settings.install());
        Map<String, String> skipped = new LinkedHashMap<>();
        tools.missing().forEach((tool, why) -> skipped.put(tool.executable(), why));
        Path runDir = Files.createTempDirectory("meshgate-bench-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path logDir = runDir.resolve("logs");
        say("logs and scratch files in " + runDir);

        List<ScenarioSample> samples = new ArrayList<>();
        Map<String, String> paths = new LinkedHashMap<>();
        StartupSummary startup = null;
        if (settings.includes("dataplane") || settings.includes("startup")) {
            int backendPort = FreePorts.next();
            int grpcBackendPort = FreePorts.next();
            try (AutoCloseable backend = startBackend(tools, runDir, backendPort, logDir, skipped);
                    AutoCloseable grpcBackend = startGrpcBackend(grpcBackendPort, logDir);
                    BenchMesh mesh = BenchMesh.start(jvm, runDir.resolve("mesh-config"), backendPort, grpcBackendPort,
                            logDir)) {
                if (settings.includes("dataplane")) {
                    runScenarios(new ScenarioRunner(settings, new Scenario.Environment(tools, backendPort,
                            grpcBackendPort, mesh, settings.connections(), runDir, logDir), timeline), tools, samples,
                            paths, skipped);
                }
                if (settings.includes("startup")) {
                    say("sidecar start-to-ready, " + settings.startups() + " starts...");
                    startup = StartupSummary.of(StartToReady.measure(mesh, settings.startups()));
                }
            }
        }
        ControlPlaneSummary controlPlane = null;
        if (settings.includes("controlplane")) {
            say("control plane: " + settings.services() + " services, " + settings.discoveryClients()
                    + " clients...");
            controlPlane = ControlPlaneSummary.of(new ControlPlaneBench(settings, jvm, runDir, logDir).run());
        }
        List<Score> micro = List.of();
        if (settings.includes("jmh")) {
            say("JMH microbenchmarks...");
            micro = Microbenchmarks.runShort();
        }
        RunReport report = RunReport.of(started.toString(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                commit(), command, settings.smoke(), machine.finished(), plainSettings(), jvm.describe(), skipped, paths,
                samples, startup, controlPlane, micro);
        write(report, started);
        return report;
    }

    private void runScenarios(ScenarioRunner runner, Installer tools, List<ScenarioSample> samples,
            Map<String, String> paths, Map<String, String> skipped) throws InterruptedException {
        for (int repetition = 1; repetition <= settings.repetitions(); repetition++) {
            for (Scenario scenario : selected()) {
                paths.put(scenario.label(), scenario.path());
                if (scenario.needs() != null && !tools.has(scenario.needs())) {
                    skipped.put(scenario.label(), scenario.needs().executable() + " is missing");
                    continue;
                }
                say("repetition " + repetition + "/" + settings.repetitions() + ": " + scenario.label() + "...");
                ScenarioSample sample = runner.run(scenario);
                say(String.format("  %s: %.0f requests/s; at %d/s p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms",
                        scenario.label(), sample.throughput(), settings.rate(), sample.p50(), sample.p99(),
                        sample.p999()));
                samples.add(sample);
            }
        }
    }

    private List<Scenario> selected() {
        if (settings.scenarios().isEmpty()) {
            // The -churn paths only when named: a full run is long enough without them.
            return List.of(Scenario.values()).stream()
                    .filter(scenario -> scenario.protocol() != Scenario.Protocol.TCP_CHURN).toList();
        }
        List<Scenario> selected = new ArrayList<>();
        for (String label : settings.scenarios()) {
            selected.add(Scenario.labelled(label)
                    .orElseThrow(() -> new IllegalArgumentException("unknown scenario " + label)));
        }
        return selected;
    }

    /** nginx serving the 1 KB file; the in-JVM stand-in only when nginx is missing. */
    private AutoCloseable startBackend(Installer tools, Path runDir, int port, Path logDir,
            Map<String, String> skipped) throws InterruptedException {
        if (tools.has(Installer.Tool.NGINX)) {
            Child nginx = Nginx.startBackend(tools.path(Installer.Tool.NGINX), runDir.resolve("nginx-backend"), port,
                    logDir);
            HttpProbe.awaitOk(port, "backend", Nginx.PAYLOAD_PATH, 30_000, nginx::assertAlive);
            return nginx;
        }
        skipped.put("backend", "nginx is missing: the backend is a stand-in inside the benchmark's JVM, "
                + "figures are not comparable");
        say("nginx is missing: using the in-JVM stand-in backend");
        return new JavaBackend(port);
    }

    /** The gRPC backend (its own JVM), when a gRPC scenario runs; otherwise nothing. */
    private AutoCloseable startGrpcBackend(int port, Path logDir) {
        if (!settings.includes("dataplane")
                || selected().stream().noneMatch(scenario -> scenario.protocol() == Scenario.Protocol.GRPC)) {
            return () -> { };
        }
        Child backend = GrpcBackend.start(port, logDir);
        GrpcProbe.awaitOk(port, BenchMesh.GRPC_HOST, 60_000, backend::assertAlive);
        return backend;
    }

    private RunReport.Settings plainSettings() {
        return new RunReport.Settings(settings.repetitions(), settings.rate(), settings.connections(),
                settings.warmup().toSeconds(), settings.openLoop().toSeconds(), settings.closedLoop().toSeconds(),
                settings.startups(), settings.services(), settings.endpointsPerService(), settings.routesPerService(),
                settings.discoveryClients(), settings.changes());
    }

    private void write(RunReport report, Instant started) throws IOException {
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(started);
        Files.createDirectories(settings.resultsDir());
        Path json = settings.resultsDir().resolve(stamp + ".json");
        Path markdown = settings.resultsDir().resolve(stamp + ".md");
        Files.writeString(json, JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build()
                .writeValueAsString(report) + "\n");
        String md = MarkdownReport.render(report);
        Files.writeString(markdown, md);
        System.out.println();
        System.out.println(md);
        say("results: " + markdown + " and " + json);
    }

    private String commit() {
        try {
            Process process = new ProcessBuilder("git", "-C", jvm.repository().toString(), "describe", "--always",
                    "--dirty").redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes()).trim();
            return process.waitFor() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    static void say(String line) {
        System.out.println("bench: " + line);
    }
}
