package dev.meshgate.bench.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.security.PeerAuthentication;
import dev.meshgate.core.telemetry.Telemetry.WorkloadMode;
import dev.meshgate.core.translate.ProxyViewTranslator;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.view.ClientTlsSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.TcpListenerSpec;
import dev.meshgate.core.view.ClusterSpec.UpstreamProtocol;
import dev.meshgate.core.yaml.ResourceReader;

class BenchMeshTest {

    private static ProxyView viewOf(Map<String, String> labels) {
        return viewOf(labels, "");
    }

    private static ProxyView viewOf(Map<String, String> labels, String moreYaml) {
        ResourceReader.ReadResult read = ResourceReader.read("bench.yaml", BenchMesh.yaml(8080, 15006, 15007) + "---\n"
                + BenchMesh.protocolsYaml(9090, 15008, 8080, 15009) + moreYaml);
        MeshValidator.ValidationResult validation = MeshValidator.validate(read.resources(), read.diagnostics());
        List<String> problems = validation.diagnostics().stream()
                .filter(d -> d.severity() == Diagnostic.Severity.ERROR).map(Diagnostic::format).toList();
        assertThat(problems).isEmpty();
        MeshIndex index = MeshIndex.of(validation.accepted(), MeshSettings.DEFAULT);
        return ProxyViewTranslator.translate(index,
                new ProxyIdentity("client-1", "default", ProxyKind.SIDECAR, labels, "default"));
    }

    @Test
    void aSidecarLabelledToTraceEverythingGetsA100PercentSamplingFromTheBenchTelemetry() {
        ProxyView traced = viewOf(Map.of("app", "bench-client", BenchMesh.TRACE_ALL_LABEL, BenchMesh.TRACE_ALL_VALUE));
        assertThat(traced.telemetry()).isNotNull();
        assertThat(traced.telemetry().tracing(WorkloadMode.CLIENT).randomSamplingPercentage()).isEqualTo(100.0);
        assertThat(traced.telemetry().tracing(WorkloadMode.SERVER).randomSamplingPercentage()).isEqualTo(100.0);

        ProxyView plain = viewOf(Map.of("app", "bench-client"));
        assertThat(plain.telemetry() == null || plain.telemetry().tracing(WorkloadMode.CLIENT) == null)
                .as("MeshConfig's 1 %% for the others").isTrue();
    }

    @Test
    void theMutualTlsServerIsStrictAndItsEndpointIsMarkedForAutoMutualTlsWhileTheOtherMeshedHostIsNot() {
        ProxyView server = viewOf(Map.of("app", BenchMesh.MTLS_HOST));
        assertThat(server.auth().peerAuthenticationOrDefault().mode()).isEqualTo(PeerAuthentication.Mode.STRICT);
        assertThat(viewOf(Map.of("app", "meshed")).auth().peerAuthenticationOrDefault().mode())
                .isEqualTo(PeerAuthentication.Mode.PERMISSIVE);

        ProxyView client = viewOf(Map.of("app", "bench-client"));
        assertThat(endpointLabels(client, "meshed-mtls.default.svc.cluster.local"))
                .allSatisfy(labels -> assertThat(ClientTlsSpec.meshEnabled(labels)).isTrue()).isNotEmpty();
        assertThat(endpointLabels(client, "meshed.default.svc.cluster.local"))
                .allSatisfy(labels -> assertThat(ClientTlsSpec.meshEnabled(labels)).isFalse()).isNotEmpty();
    }

    /** SideBySide --hops 2: each variant's client reaches only its own server sidecar. */
    @Test
    void eachMeshedServiceOfItsOwnHasTheInboundPortOfItsServerSidecarAsItsOnlyEndpoint() {
        ProxyView client = viewOf(Map.of("app", "bench-client"), "---\n"
                + BenchMesh.meshedServiceYaml("meshed-v1", 15100) + "---\n"
                + BenchMesh.meshedServiceYaml("meshed-v2", 15101));

        assertThat(endpointPorts(client, "meshed-v1.default.svc.cluster.local")).containsExactly(15100);
        assertThat(endpointPorts(client, "meshed-v2.default.svc.cluster.local")).containsExactly(15101);
        assertThat(endpointPorts(client, "meshed.default.svc.cluster.local")).containsExactly(15006);
    }

    /** SideBySide --hops 2 --mtls: a variant's own service under mutual TLS, beside a plaintext one. */
    @Test
    void aMutualTlsServiceOfItsOwnIsStrictAndMarkedForAutoMutualTlsWhileAPlaintextOneBesideItIsNot() {
        String more = "---\n" + BenchMesh.mutualTlsServiceYaml("meshed-v1", 15100) + "---\n"
                + BenchMesh.meshedServiceYaml("meshed-v2", 15101);
        ProxyView client = viewOf(Map.of("app", "bench-client"), more);
        assertThat(endpointPorts(client, "meshed-v1.default.svc.cluster.local")).containsExactly(15100);
        assertThat(endpointLabels(client, "meshed-v1.default.svc.cluster.local"))
                .allSatisfy(labels -> assertThat(ClientTlsSpec.meshEnabled(labels)).isTrue()).isNotEmpty();
        assertThat(endpointLabels(client, "meshed-v2.default.svc.cluster.local"))
                .allSatisfy(labels -> assertThat(ClientTlsSpec.meshEnabled(labels)).isFalse()).isNotEmpty();
        assertThat(viewOf(Map.of("app", "meshed-v1"), more).auth().peerAuthenticationOrDefault().mode())
                .isEqualTo(PeerAuthentication.Mode.STRICT);
        assertThat(viewOf(Map.of("app", "meshed-v2"), more).auth().peerAuthenticationOrDefault().mode())
                .isEqualTo(PeerAuthentication.Mode.PERMISSIVE);
    }

    private static List<Integer> endpointPorts(ProxyView view, String host) {
        return view.clusters().stream().filter(cluster -> cluster.host().equals(host))
                .flatMap(cluster -> cluster.endpoints().stream()).map(EndpointSpec::port).distinct().toList();
    }

    private static List<Map<String, String>> endpointLabels(ProxyView view, String host) {
        return view.clusters().stream().filter(cluster -> cluster.host().equals(host))
                .flatMap(cluster -> cluster.endpoints().stream()).map(EndpointSpec::labels).toList();
    }

    @Test
    void aClientSidecarGetsATcpListenerForEachTcpServiceAndSpeaksHttp2ToTheGrpcOnes() {
        ProxyView client = viewOf(Map.of("app", "bench-client"));
        assertThat(client.tcpListeners()).extracting(TcpListenerSpec::port)
                .contains(BenchMesh.TCP_DIRECT_PORT, BenchMesh.TCP_MESHED_PORT);
        for (String host : List.of(BenchMesh.GRPC_HOST, BenchMesh.GRPC_MESHED_HOST)) {
            assertThat(client.clusters()).filteredOn(c -> c.host().equals(host + ".default.svc.cluster.local"))
                    .isNotEmpty().allSatisfy(c -> assertThat(c.upstreamProtocol()).isEqualTo(UpstreamProtocol.HTTP2));
        }
    }

    @Test
    void eachTelemetryChoiceIsTheProxyArgumentsThatMakeIt() {
        assertThat(ProxyTelemetry.DEFAULT.args()).isEmpty();
        assertThat(ProxyTelemetry.NO_METRICS.args()).containsExactly("--meshgate.proxy.telemetry.metrics.enabled=false");
        assertThat(ProxyTelemetry.OFF.args()).containsExactlyInAnyOrder(
                "--meshgate.proxy.telemetry.metrics.enabled=false", "--meshgate.proxy.telemetry.tracing.enabled=false");
        assertThat(ProxyTelemetry.TRACE_ALL.args())
                .containsExactly("--meshgate.proxy.labels.bench-tracing=all");
    }
}
