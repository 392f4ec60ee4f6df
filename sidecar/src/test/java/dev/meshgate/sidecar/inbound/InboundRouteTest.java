package dev.meshgate.sidecar.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.testing.MeshYaml;

/** The inbound listener the sidecar adds to a pushed view, translated by the control plane's own code. */
class InboundRouteTest {

    private static final int INBOUND_PORT = 15006;

    /** The view of workload {@code echo-1} (label app=echo), an endpoint of two services' ports. */
    private static ProxyView view() {
        String yaml = """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: echo, namespace: default}
                spec:
                  hosts: [echo.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{name: http, number: 8080, protocol: HTTP}]
                  workloadSelector: {labels: {app: echo}}
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: other, namespace: default}
                spec:
                  hosts: [other.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{name: http, number: 9090, protocol: HTTP}]
                  workloadSelector: {labels: {app: other}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: echo-1, namespace: default}
                spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: echo}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: other-1, namespace: default}
                spec: {address: 127.0.0.1, ports: {http: 16006}, labels: {app: other}}
                """.formatted(INBOUND_PORT);
        return MeshYaml.view(yaml, new ProxyIdentity("echo-1", "default", ProxyKind.SIDECAR, Map.of("app", "echo"),
                null), MeshSettings.DEFAULT);
    }

    private static String inboundVirtualHost(ProxyView view) {
        ListenerSpec inbound = view.listeners().stream().filter(l -> l.name().equals(InboundRoute.LISTENER))
                .findFirst().orElseThrow();
        assertThat(inbound.virtualHosts()).hasSize(1);
        return inbound.virtualHosts().get(0).name();
    }

    @Test
    void theInboundVirtualHostIsNamedAfterTheServicePortTheWorkloadIsAnEndpointOf() {
        ProxyView added = new InboundRoute("127.0.0.1", 7070, Map.of("app", "echo"), () -> INBOUND_PORT).addTo(view());

        assertThat(inboundVirtualHost(added)).isEqualTo("echo.default.svc.cluster.local:8080");
    }

    @Test
    void aWorkloadOfNoServiceKeepsTheBareInboundVirtualHost() {
        assertThat(inboundVirtualHost(new InboundRoute("127.0.0.1", 7070, Map.of("app", "nobody"),
                () -> INBOUND_PORT).addTo(view()))).isEqualTo(InboundRoute.LISTENER);
        assertThat(inboundVirtualHost(new InboundRoute("127.0.0.1", 7070).addTo(view())))
                .isEqualTo(InboundRoute.LISTENER);
    }
}
