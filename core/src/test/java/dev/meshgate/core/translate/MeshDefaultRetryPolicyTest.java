package dev.meshgate.core.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.mesh.MeshConfig;
import dev.meshgate.core.validation.MeshConfigValidator;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RetrySpec;
import dev.meshgate.core.view.RouteSpec;

/** MeshConfig's {@code defaultHttpRetryPolicy} replaces Istio's default retries wherever a route sets none. */
class MeshDefaultRetryPolicyTest {

    private static final String MESH = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: services, namespace: default}
            spec:
              hosts: [reviews.default.svc.cluster.local, ratings.default.svc.cluster.local]
              ports: [{number: 9080, name: http, protocol: HTTP}]
              resolution: STATIC
              endpoints: [{address: 127.0.0.1}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: ratings, namespace: default}
            spec:
              hosts: [ratings]
              http:
              - route: [{destination: {host: ratings}}]
              - match: [{uri: {prefix: /own}}]
                retries: {attempts: 1, retryOn: reset}
                route: [{destination: {host: ratings}}]
            """;

    @Test
    void aMeshDefaultPolicyAppliesToRoutesWithoutRetriesAndToDefaultRoutes() {
        MeshConfig meshConfig = MeshConfigValidator.read("mesh.yaml", """
                defaultHttpRetryPolicy:
                  attempts: 5
                  retryOn: 5xx,reset
                """).meshConfig();

        List<RetrySpec> retries = retries(MeshSettings.DEFAULT.with(meshConfig));

        // ratings' first route and reviews' default route take the mesh's policy; ratings' own retries stay.
        assertThat(retries).extracting(RetrySpec::attempts).containsExactlyInAnyOrder(5, 1, 5);
        assertThat(retries).filteredOn(r -> r.attempts() == 5)
                .allSatisfy(r -> assertThat(r.retryOn()).containsExactlyInAnyOrder("5xx", "reset"));
    }

    @Test
    void withoutOneIstiosDefaultApplies() {
        List<RetrySpec> retries = retries(MeshSettings.DEFAULT);

        assertThat(retries).extracting(RetrySpec::attempts).containsExactlyInAnyOrder(2, 1, 2);
    }

    private static List<RetrySpec> retries(MeshSettings settings) {
        MeshIndex index = MeshIndex.of(Fixtures.resources("mesh.yaml", MESH), settings);
        ProxyView view = ProxyViewTranslator.translate(index,
                new ProxyIdentity("client-1", "default", ProxyKind.SIDECAR, Map.of("app", "client"), null));
        return view.listeners().stream()
                .flatMap(l -> l.virtualHosts().stream())
                .flatMap(vh -> vh.routes().stream())
                .map(RouteSpec::retries)
                .toList();
    }
}
