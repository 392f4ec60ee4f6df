package dev.meshgate.bench.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The control plane under a large mesh: the real config-server jar over a directory of {@link MeshYaml} files,
 * {@link DiscoveryFleet} clients connected, then one file rewritten at a time and timed from the write to every
 * client's ACK.
 */
public final class ControlPlaneBench {

    private static final Duration WAIT = Duration.ofMinutes(5);
    /** The control plane's heap for the large mesh (with the demo's 96 MB it runs out of memory at 1,000 services). */
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
                "--meshgate.control-plane.port=" + port, "--meshgate.control-plane.config-dir=" + configDir)),
                logDir)) {
            await(() -> status(port, "/actuator/health") == 200, controlPlane, "control plane healthy");
            long connectStart = System.nanoTime();
            try (DiscoveryFleet fleet = DiscoveryFleet.connect("127.0.0.1:" + port, settings.discoveryClients())) {
                await(() -> fleet.allAppliedOtherThan(null), controlPlane, "every client's first view");
                double initialSync = millis(lastApplied(fleet) - connectStart);
                double startupCpu = ProcStat.cpuSeconds(controlPlane.pid());
                String firstView = get(port, "/debug/view/" + fleet.members().get(0).id());
                double viewKilobytes = firstView.length() / 1024.0;

                List<Double> allAcked = new ArrayList<>();
                List<Double> perProxy = new ArrayList<>();
                List<Double> confirmed = new ArrayList<>();
                double cpuBefore = ProcStat.cpuSeconds(controlPlane.pid());
                for (int change = 1; change <= settings.changes(); change++) {
                    String previous = fleet.members().get(0).appliedSnapshot();
                    int service = (change * 37) % mesh.services();
                    long written = System.nanoTime();
                    write(configDir.resolve(MeshYaml.fileName(service)), mesh.service(service, change));
                    await(() -> fleet.allAppliedOtherThan(previous), controlPlane, "every ACK of change " + change);
                    allAcked.add(millis(lastApplied(fleet) - written));
                    fleet.members().forEach(m -> perProxy.add(millis(m.appliedNanos() - written)));
                    Set<String> ids = fleet.members().stream().map(DiscoveryFleet.Member::id)
                            .collect(Collectors.toSet());
                    await(() -> allSynced(port, ids, previous), controlPlane, "/debug/proxies SYNCED");
                    confirmed.add(millis(System.nanoTime() - written));
                    // Past the debounce window, so that the next change is a burst of its own.
                    Thread.sleep(settings.smoke() ? 200 : 1_000);
                }
                double cpuPerChange = (ProcStat.cpuSeconds(controlPlane.pid()) - cpuBefore) / settings.changes();
                int services = mesh.services();
                return new ControlPlaneResult(services, services * mesh.endpointsPerService(), services,
                        services * mesh.routesPerService(), settings.discoveryClients(), initialSync, allAcked,
                        perProxy, confirmed, cpuPerChange, startupCpu,
                        ProcStat.peakRssMegabytes(controlPlane.pid()), viewKilobytes, jvm.flags());
            }
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
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .build();
    }

    private static void await(BooleanSupplier condition, Child process, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            process.assertAlive();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + WAIT + " waiting for " + what);
            }
            Thread.sleep(5);
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
            Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
