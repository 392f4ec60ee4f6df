package dev.meshgate.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.meshgate.cli.CommandException;
import dev.meshgate.core.networking.serviceentry.WorkloadEntry;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.yaml.ResourceReader;

import org.junit.jupiter.api.Test;

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
