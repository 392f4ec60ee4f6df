package dev.meshgate.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.meshgate.cli.CommandException;
import dev.meshgate.core.mesh.MeshConfig;
import dev.meshgate.core.validation.MeshConfigValidator;
import dev.meshgate.core.networking.serviceentry.WorkloadEntry;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.yaml.ResourceReader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoPlanTest {

    private static final Path MESH = Path.of("..", "samples", "mesh");

    @Test
    void everyPortIsUsedOnce() {
        List<Integer> ports = DemoPlan.of(Path.of("."), MESH).ports().stream().map(DemoPlan.PortUse::port).toList();
        assertThat(new HashSet<>(ports)).hasSameSizeAs(ports);
    }

    @Test
    void workloadEntriesPointAtTheSidecarInboundPortsWithTheSidecarsLabels() throws IOException {
        List<Resource<?>> resources = new ArrayList<>();
        try (Stream<Path> files = Files.list(MESH)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                resources.addAll(ResourceReader.read(file.getFileName().toString(), Files.readString(file)).resources());
            }
        }
        List<Map.Entry<String, WorkloadEntry>> entries = resources.stream().filter(r -> r.kind() == Kind.WorkloadEntry)
                .map(r -> Map.entry(r.metadata().name(), (WorkloadEntry) r.spec())).toList();

        assertThat(entries).hasSize(DemoPlan.WORKLOADS.size());
        for (DemoPlan.Workload workload : DemoPlan.WORKLOADS) {
            WorkloadEntry entry = entries.stream().filter(e -> e.getKey().equals(workload.name())).findFirst()
                    .orElseThrow().getValue();
            assertThat(entry.address()).isEqualTo("127.0.0.1");
            assertThat(entry.ports()).containsExactly(Map.entry("http", workload.inboundPort()));
            assertThat(entry.labels()).containsExactlyInAnyOrderEntriesOf(
                    Map.of("app", "web", "version", workload.version()));
        }
    }

    @Test
    void sidecarsAnnounceTheirWorkloadsPorts() {
        DemoPlan plan = DemoPlan.of(Path.of("/repo"), MESH);
        DemoPlan.Child sidecar = plan.children().stream().filter(c -> c.name().equals("web-v2-1-sidecar"))
                .findFirst().orElseThrow();

        assertThat(plan.command(sidecar, "java")).containsSubsequence("java", "@/repo/jvm/meshgate-sidecar.options", "-jar",
                "/repo/sidecar/target/meshgate-sidecar.jar", "--meshgate.proxy.name=web-v2-1",
                "--meshgate.proxy.labels.app=web", "--meshgate.proxy.labels.version=v2");
        assertThat(sidecar.args()).contains("--meshgate.sidecar.app-port=9103", "--meshgate.sidecar.inbound-port=9203");
    }

    @Test
    void aProgramRunsFromItsExtractedJarWithTheClassDataSharingArchiveOnlyWhenTheArchiveIsNewerThanTheJar(
            @TempDir Path root) throws IOException {
        DemoPlan plan = DemoPlan.of(root, MESH);
        DemoPlan.Child sidecar = plan.children().stream().filter(c -> c.name().equals("web-v2-1-sidecar"))
                .findFirst().orElseThrow();
        Path jar = root.resolve("sidecar/target/meshgate-sidecar.jar");
        Path archive = root.resolve("sidecar/target/cds/meshgate-sidecar.jsa");
        Files.createDirectories(archive.getParent());
        Files.writeString(jar, "fat");
        Files.writeString(archive.resolveSibling("meshgate-sidecar.jar"), "extracted");
        Files.writeString(archive, "archive");

        Files.setLastModifiedTime(jar, FileTime.fromMillis(1_000_000));
        assertThat(plan.command(sidecar, "java")).containsSubsequence("java", "@" + root.resolve("jvm/meshgate-sidecar.options"),
                "-XX:SharedArchiveFile=" + archive, "-jar", root.resolve("sidecar/target/cds/meshgate-sidecar.jar").toString(),
                "--meshgate.proxy.name=web-v2-1");

        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertThat(plan.command(sidecar, "java")).containsSubsequence("@" + root.resolve("jvm/meshgate-sidecar.options"),
                "-jar", jar.toString()).noneMatch(arg -> arg.startsWith("-XX:SharedArchiveFile"));
    }

    @Test
    void theControlPlaneRunsWithAMeshConfigTracingToTheDemosZipkin() {
        Path root = Path.of("/repo");
        DemoPlan plan = DemoPlan.of(root, MESH);
        DemoPlan.Child controlPlane = plan.children().stream().filter(c -> c.name().equals("config-server"))
                .findFirst().orElseThrow();
        assertThat(controlPlane.args()).contains("--meshgate.control-plane.mesh-config=/repo/target/demo/mesh-config.yaml");

        MeshConfigValidator.Result parsed = MeshConfigValidator.read("mesh-config.yaml", DemoPlan.meshConfigYaml());
        assertThat(parsed.hasErrors()).as("%s", parsed.diagnostics()).isFalse();
        MeshConfig meshConfig = parsed.meshConfig();
        assertThat(meshConfig.extensionProviders()).singleElement().satisfies(provider -> {
            assertThat(provider.name()).isEqualTo("zipkin");
            assertThat(provider.zipkin().service()).isEqualTo("127.0.0.1");
            assertThat(provider.zipkin().port()).isEqualTo(DemoPlan.ZIPKIN_PORT);
        });
        assertThat(meshConfig.defaultProviders().tracing()).containsExactly("zipkin");
    }

    @Test
    void zipkinListensOnLoopbackOnlyAndPrometheusReadsTheControlPlanesDiscovery() throws IOException {
        DemoPlan plan = DemoPlan.of(Path.of("/repo"), MESH);
        DemoPlan.Child zipkin = plan.children().stream().filter(c -> c.name().equals("zipkin")).findFirst()
                .orElseThrow();
        assertThat(plan.command(zipkin, "java")).containsSubsequence("java", "@/repo/jvm/zipkin-server.options",
                "-jar", "/repo/cli/target/zipkin/zipkin-server.jar", "--armeria.ports[0].port=9411",
                "--armeria.ports[0].ip=127.0.0.1", "--armeria.ports[0].protocols[0]=http", "--zipkin.storage.type=mem");
        assertThat(Files.isRegularFile(Path.of("..", "jvm", "zipkin-server.options"))).isTrue();
        assertThat(plan.addons()).containsExactly(zipkin);
        assertThat(plan.mesh()).doesNotContain(zipkin).hasSize(plan.children().size() - 1);

        assertThat(plan.prometheusCommand("/usr/bin/prometheus")).containsExactly("/usr/bin/prometheus",
                "--config.file=/repo/dashboards/prometheus.yml", "--storage.tsdb.path=/repo/target/demo/prometheus",
                "--web.listen-address=127.0.0.1:9090");
        assertThat(Files.readString(Path.of("..", DemoPlan.PROMETHEUS_CONFIG)))
                .contains("http://127.0.0.1:" + DemoPlan.CONTROL_PLANE_PORT + "/v1/prometheus/targets");
        assertThat(plan.ports()).extracting(DemoPlan.PortUse::port).contains(9090, 9411);
    }

    @Test
    void aPortInUseIsNamedInTheError() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();

            assertThatThrownBy(() -> DemoCommand.checkPorts(List.of(new DemoPlan.PortUse(port, "ingress gateway http"))))
                    .isInstanceOf(CommandException.class)
                    .hasMessageStartingWith("port " + port + " (ingress gateway http) is already in use");
        }
    }
}
