package dev.meshgate.it.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;

import dev.meshgate.testing.FreePorts;

/** The config server (control plane) in directory mode, and a client of its debug endpoints. */
public final class ControlPlane implements AutoCloseable {

    private final ConfigDirectory config;
    private final Path logDirectory;
    private final int port;
    private final List<String> extraArguments;
    private JavaProcess process;
    private int starts;

    private ControlPlane(ConfigDirectory config, Path logDirectory, int port, List<String> extraArguments) {
        this.config = config;
        this.logDirectory = logDirectory;
        this.port = port;
        this.extraArguments = List.copyOf(extraArguments);
    }

    /**
     * Starts a config server over {@code config} on a free port, with further {@code --meshgate.control-plane.*}
     * arguments; see {@link #awaitReady()}.
     */
    public static ControlPlane start(ConfigDirectory config, Path logDirectory, List<String> extraArguments) {
        ControlPlane controlPlane = new ControlPlane(config, logDirectory, FreePorts.next(), extraArguments);
        controlPlane.launch();
        return controlPlane;
    }

    private void launch() {
        starts++;
        String name = starts == 1 ? "config-server" : "config-server-" + starts;
        List<String> args = new ArrayList<>(List.of(
                "--meshgate.control-plane.port=" + port,
                "--meshgate.control-plane.config-dir=" + config.root(),
                // The harness's proxies speak plaintext discovery (development mode); TLS on any free port.
                "--meshgate.control-plane.plaintext=true",
                "--meshgate.control-plane.tls-port=0"));
        args.addAll(extraArguments);
        process = JavaProcess.start(name, Repository.configServerJar(), args, logDirectory);
    }

    /** Waits until {@code /actuator/health} answers 200. */
    public void awaitReady() {
        Readiness.awaitHttpOk(process, port, "/actuator/health");
    }

    /** The {@code host:port} proxies dial ({@code meshgate.proxy.discovery-address}). */
    public String discoveryAddress() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public JavaProcess process() {
        return process;
    }

    /** Kills the control plane at once (SIGKILL), as a crash or an OOM kill would. */
    public void kill() {
        process.kill();
    }

    /** Starts it again on the same port over the same directory, as a supervisor would after a crash. */
    public void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("the control plane is still running: " + process);
        }
        launch();
        awaitReady();
    }

    /** {@code GET /debug/proxies}. */
    public ProxiesReport proxies() {
        process.assertAlive();
        return AdminClient.getJson(port, "/debug/proxies", ProxiesReport.class);
    }

    /** {@code GET /debug/meshconfig}: the MeshConfig in force, the settings it gives, its file's diagnostics. */
    public tools.jackson.databind.JsonNode meshConfig() {
        process.assertAlive();
        return AdminClient.getJson(port, "/debug/meshconfig", tools.jackson.databind.JsonNode.class);
    }

    /** {@code GET /debug/diagnostics}. */
    public DiagnosticsReport diagnostics() {
        process.assertAlive();
        return AdminClient.getJson(port, "/debug/diagnostics", DiagnosticsReport.class);
    }

    /**
     * Waits until every one of {@code proxyIds} is connected and SYNCED on the current mesh snapshot, and that
     * snapshot is not {@code previousSnapshot} (null: any snapshot). Returns the report that satisfied it.
     */
    public ProxiesReport awaitSynced(Collection<String> proxyIds, @Nullable String previousSnapshot,
            Duration atMost) {
        AtomicReference<ProxiesReport> satisfied = new AtomicReference<>();
        Readiness.waitUpTo(atMost)
                .alias("proxies " + proxyIds + " SYNCED on a snapshot other than " + previousSnapshot)
                .untilAsserted(() -> {
                    ProxiesReport report = proxies();
                    assertSynced(report, proxyIds, previousSnapshot);
                    satisfied.set(report);
                });
        return satisfied.get();
    }

    /** Asserts that {@code report} shows every one of {@code proxyIds} connected and SYNCED on its snapshot. */
    public static void assertSynced(ProxiesReport report, Collection<String> proxyIds,
            @Nullable String previousSnapshot) {
        assertThat(report.snapshotVersion()).as("mesh snapshotVersion").isNotNull();
        if (previousSnapshot != null) {
            assertThat(report.snapshotVersion()).as("mesh snapshotVersion after the change")
                    .isNotEqualTo(previousSnapshot);
        }
        for (String id : proxyIds) {
            assertThat(report.proxy(id)).as("proxy %s in %s", id, report.proxies()).isPresent();
            ProxyStatus proxy = report.proxy(id).orElseThrow();
            assertThat(proxy.connected()).as("%s connected", proxy).isTrue();
            assertThat(proxy.syncedOn(report.snapshotVersion()))
                    .as("%s SYNCED on snapshot %s", proxy, report.snapshotVersion()).isTrue();
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
