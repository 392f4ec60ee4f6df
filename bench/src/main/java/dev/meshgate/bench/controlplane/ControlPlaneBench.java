package dev.meshgate.bench.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import dev.meshgate.bench.BenchSettings;
import dev.meshgate.bench.mesh.MeshJvm;
import dev.meshgate.bench.process.Child;
import dev.meshgate.bench.process.FreePorts;
import dev.meshgate.bench.process.ProcStat;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The control plane under a large mesh: the real config-server jar over a directory of {@link MeshYaml} files,
 * {@link DiscoveryFleet} clients connected, then one file rewritten at a time and timed from the write to every
 * client's ACK. A step that does not finish within {@link #WAIT}, or a light client's connection that fails, ends
 * the measurement, and the result says so. Last, the control plane's live heap: {@code jcmd GC.class_histogram}
 * (a full collection first), kept in the log directory.
 */
public final class ControlPlaneBench {

    /** The longest wait for the first sync or for one change. */
    public static final Duration WAIT = Duration.ofMinutes(6);
    /**
     * The control plane's heap for the large mesh: with the 96 MB the demo gave it, it ran out of memory at 1,000
     * services; the launcher's own limit is for small meshes.
     */
    public static final String HEAP = "1g";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final BenchSettings settings;
    private final MeshJvm jvm;
    private final Path runDir;
    private final Path logDir;
    private final HttpClient http = HttpClient.newHttpClient();

    public ControlPlaneBench(BenchSettings settings, MeshJvm jvm, Path runDir, Path logDir) {
        this.settings = settings;
        this.jvm = jvm.withMaxHeap(HEAP);
        this.runDir = runDir;
        this.logDir = logDir;
    }

    public ControlPlaneResult run() throws InterruptedException {
        MeshYaml mesh = new MeshYaml(settings.services(), settings.endpointsPerService(), settings.routesPerService());
        Path configDir = runDir.resolve("control-plane-config");
        for (int s = 0; s < mesh.services(); s++) {
            write(configDir.resolve(MeshYaml.fileName(s)), mesh.service(s, 0));
        }
        int port = FreePorts.next();
        try (Child controlPlane = Child.start("config-server-large", jvm.command(jvm.configServerJar(), List.of(
                "--meshgate.control-plane.port=" + port, "--meshgate.control-plane.config-dir=" + configDir,
                "--meshgate.control-plane.plaintext=true", "--meshgate.control-plane.tls-port=0")),
                logDir)) {
            if (await(() -> status(port, "/actuator/health") == 200, controlPlane, null) != null) {
                throw new IllegalStateException("the control plane did not become healthy within " + WAIT);
            }
            long connectStart = System.nanoTime();
            try (DiscoveryFleet fleet = DiscoveryFleet.connect("127.0.0.1:" + port, settings.discoveryClients())) {
                Measured measured = new Measured();
                String failed = await(() -> fleet.allAppliedOtherThan(null), controlPlane, fleet);
                if (failed != null) {
                    measured.unfinished = "first views: " + failed;
                } else {
                    measured.initialSync = millis(lastApplied(fleet) - connectStart);
                    measured.startupCpu = ProcStat.cpuSeconds(controlPlane.pid());
                    measured.viewKilobytes = get(port, "/debug/view/" + fleet.members().get(0).id()).length() / 1024.0;
                    changes(mesh, configDir, port, fleet, controlPlane, measured);
                    measured.heapAfterGc = liveHeapMegabytes(controlPlane);
                }
                int services = mesh.services();
                return new ControlPlaneResult(services, services * mesh.endpointsPerService(), services,
                        services * mesh.routesPerService(), settings.discoveryClients(), measured.initialSync,
                        measured.allAcked, measured.perProxy, measured.confirmed, measured.cpuPerChange,
                        measured.startupCpu, ProcStat.peakRssMegabytes(controlPlane.pid()), measured.viewKilobytes,
                        jvm.flagsFor(jvm.configServerJar()), measured.fleetCpuPerChange,
                        DiscoveryFleet.full(settings.discoveryClients()), measured.heapAfterGc, measured.unfinished,
                        measured.lightKilobytesPerChange);
            }
        }
    }

    /** What has been measured so far. */
    private static final class Measured {
        double initialSync = Double.NaN;
        double startupCpu = Double.NaN;
        double viewKilobytes = Double.NaN;
        double cpuPerChange = Double.NaN;
        double fleetCpuPerChange = Double.NaN;
        double heapAfterGc = Double.NaN;
        double lightKilobytesPerChange = Double.NaN;
        final List<Double> allAcked = new ArrayList<>();
        final List<Double> perProxy = new ArrayList<>();
        final List<Double> confirmed = new ArrayList<>();
        String unfinished = "";
    }

    private void changes(MeshYaml mesh, Path configDir, int port, DiscoveryFleet fleet, Child controlPlane,
            Measured measured) throws InterruptedException {
        Set<String> ids = fleet.members().stream().map(DiscoveryFleet.Member::id).collect(Collectors.toSet());
        double cpuBefore = ProcStat.cpuSeconds(controlPlane.pid());
        double fleetCpuBefore = ProcStat.thisJvmCpuSeconds();
        long lightCharsBefore = fleet.lightCharsReceived();
        int done = 0;
        for (int change = 1; change <= settings.changes(); change++) {
            String previous = fleet.members().get(0).appliedSnapshot();
            int service = (change * 37) % mesh.services();
            long written = System.nanoTime();
            write(configDir.resolve(MeshYaml.fileName(service)), mesh.service(service, change));
            String failed = await(() -> fleet.allAppliedOtherThan(previous), controlPlane, fleet);
            if (failed != null) {
                measured.unfinished = "change " + change + ": " + failed;
                break;
            }
            measured.allAcked.add(millis(lastApplied(fleet) - written));
            fleet.members().forEach(m -> measured.perProxy.add(millis(m.appliedNanos() - written)));
            failed = await(() -> allSynced(port, ids, previous), controlPlane, fleet);
            if (failed != null) {
                measured.unfinished = "change " + change + ": /debug/proxies did not show all SYNCED: " + failed;
                break;
            }
            measured.confirmed.add(millis(System.nanoTime() - written));
            done++;
            // Past the debounce window, so that the next change is a burst of its own.
            Thread.sleep(settings.smoke() ? 200 : 1_000);
        }
        if (done > 0) {
            measured.cpuPerChange = (ProcStat.cpuSeconds(controlPlane.pid()) - cpuBefore) / done;
            measured.fleetCpuPerChange = (ProcStat.thisJvmCpuSeconds() - fleetCpuBefore) / done;
            measured.lightKilobytesPerChange = (fleet.lightCharsReceived() - lightCharsBefore) / 1024.0 / done;
        }
    }

    private static long lastApplied(DiscoveryFleet fleet) {
        return fleet.members().stream().mapToLong(DiscoveryFleet.Member::appliedNanos).max().orElseThrow();
    }

    private boolean allSynced(int port, Set<String> ids, String previous) {
        JsonNode report = JSON.readTree(get(port, "/debug/proxies"));
        String snapshot = report.path("snapshotVersion").asString();
        if (snapshot == null || snapshot.equals(previous)) {
            return false;
        }
        int synced = 0;
        for (JsonNode proxy : report.path("proxies")) {
            if (ids.contains(proxy.path("id").asString()) && proxy.path("connected").asBoolean()
                    && "SYNCED".equals(proxy.path("status").asString())
                    && snapshot.equals(proxy.path("snapshotVersion").asString())) {
                synced++;
            }
        }
        return synced == ids.size();
    }

    private int status(int port, String path) {
        try {
            return http.send(request(port, path), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private String get(int port, String path) {
        try {
            return http.send(request(port, path), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .build();
    }

    /**
     * Polls every 5 ms (10 ms for HTTP); null once the condition holds, else why not: {@link #WAIT} passed, or a
     * client of {@code fleet} failed.
     */
    private static @Nullable String await(BooleanSupplier condition, Child process, @Nullable DiscoveryFleet fleet)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            process.assertAlive();
            String problem = fleet == null ? null : fleet.problem();
            if (problem != null) {
                return problem;
            }
            if (System.nanoTime() > deadline) {
                return "not done within " + WAIT;
            }
            Thread.sleep(5);
        }
        return null;
    }

    /**
     * The control plane's live heap in MB: the total of {@code jcmd PID GC.class_histogram}, which collects the
     * whole heap first; the histogram goes to the log directory. NaN if jcmd fails.
     */
    private double liveHeapMegabytes(Child process) throws InterruptedException {
        Path histogram = logDir.resolve("config-server-large.histogram.txt");
        try {
            Process jcmd = new ProcessBuilder("jcmd", Long.toString(process.pid()), "GC.class_histogram")
                    .redirectErrorStream(true).redirectOutput(histogram.toFile()).start();
            if (!jcmd.waitFor(2, java.util.concurrent.TimeUnit.MINUTES) || jcmd.exitValue() != 0) {
                jcmd.destroy();
                return Double.NaN;
            }
            return HeapHistogram.totalBytes(Files.readString(histogram)) / (1024.0 * 1024.0);
        } catch (IOException | IllegalArgumentException e) {
            return Double.NaN;
        }
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    /** Writes by renaming a hidden temporary file, so the control plane never reads a half-written file. */
    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.writeString(temporary, text);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
