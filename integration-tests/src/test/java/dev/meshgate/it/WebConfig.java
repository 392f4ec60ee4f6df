package dev.meshgate.it;

import java.util.List;

import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.ServiceEntries;

/** The tutorial's versioned {@code web} service: its test mesh and Istio YAML, shared by the integration tests. */
final class WebConfig {

    /** Subsets v1 and v2 of {@code web}, selected by the {@code version} label of its workloads. */
    static final String SUBSETS = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: web
              namespace: default
            spec:
              host: web
              subsets:
              - name: v1
                labels:
                  version: v1
              - name: v2
                labels:
                  version: v2
            """;

    /** A second service over the same workloads as {@code web}; with no VirtualService it gets the default route. */
    static final String PLAIN_SERVICE = ServiceEntries.selecting("plain", "web");

    /** The Gateway {@code web-gateway}: the ingress gateway serves {@code web.example.com} on port 80. */
    static final String GATEWAY = """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata:
              name: web-gateway
              namespace: default
            spec:
              selector:
                istio: ingressgateway
              servers:
              - port:
                  number: 80
                  name: http
                  protocol: HTTP
                hosts:
                - web.example.com
            """;

    /** The host the ingress gateway serves {@code web} under (see {@link #GATEWAY}). */
    static final String GATEWAY_HOST = "web.example.com";

    private WebConfig() {
    }

    /**
     * A mesh of {@code web} v1 and v2, each behind its sidecar, and a client sidecar named {@code client}, with
     * web's {@link #SUBSETS} configured; add the scenario's config and proxies, then start it.
     */
    static Mesh.Builder versionedMesh(Class<?> testClass) {
        return Mesh.builder(testClass)
                .workload("web", "v1")
                .workload("web", "v2")
                .clientSidecar("client")
                .config("web-subsets.yaml", SUBSETS);
    }

    /** A VirtualService {@code name} for host {@code web} on the sidecars, with {@code httpRules}. */
    static String virtualServiceForWeb(String name, String httpRules) {
        return virtualService(name, List.of("web"), List.of(), httpRules);
    }

    /** A VirtualService named after {@code host}, for that host on the sidecars, with {@code httpRules}. */
    static String virtualServiceFor(String host, String httpRules) {
        return virtualService(host, List.of(host), List.of(), httpRules);
    }

    /** A VirtualService {@code web} splitting its traffic between subsets v1 and v2 by weight. */
    static String weighted(int v1Weight, int v2Weight) {
        return virtualServiceForWeb("web", weightedRoute(v1Weight, v2Weight));
    }

    /**
     * {@link #weighted} for the sidecars ({@code mesh}) and the ingress gateway alike, so that an edit changes every
     * proxy's view.
     */
    static String weightedForMeshAndGateway(int v1Weight, int v2Weight) {
        return virtualService("web", List.of("web", GATEWAY_HOST), List.of("mesh", "web-gateway"),
                weightedRoute(v1Weight, v2Weight));
    }

    /** A VirtualService for {@code plain} splitting between web's subsets; valid unless both weights are 0. */
    static String plainWeighted(int v1Weight, int v2Weight) {
        return virtualService("plain", List.of("plain"), List.of(), weightedRoute(v1Weight, v2Weight));
    }

    /** A VirtualService {@code web}: requests with {@code end-user: jason} to v2, the rest to {@code otherwise}. */
    static String jasonToV2(String otherwise) {
        return virtualServiceForWeb("web", jasonToV2Rules(otherwise));
    }

    /** {@link #GATEWAY} and its VirtualService {@code web-ingress}: jason to v2, the rest to v1, as on the mesh. */
    static String ingressJasonToV2() {
        return GATEWAY + "---\n"
                + virtualService("web-ingress", List.of(GATEWAY_HOST), List.of("web-gateway"), jasonToV2Rules("v1"));
    }

    /** A VirtualService in {@code default}, bound to {@code gateways} (none: the sidecars only). */
    private static String virtualService(String name, List<String> hosts, List<String> gateways, String httpRules) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: %s
                  namespace: default
                spec:
                  hosts:
                """.formatted(name));
        hosts.forEach(host -> yaml.append("  - ").append(host).append('\n'));
        if (!gateways.isEmpty()) {
            yaml.append("  gateways:\n");
            gateways.forEach(gateway -> yaml.append("  - ").append(gateway).append('\n'));
        }
        return yaml.append("  http:\n").append(httpRules.indent(2)).toString();
    }

    private static String weightedRoute(int v1Weight, int v2Weight) {
        return """
                - route:
                  - destination:
                      host: web
                      subset: v1
                    weight: %d
                  - destination:
                      host: web
                      subset: v2
                    weight: %d
                """.formatted(v1Weight, v2Weight);
    }

    private static String jasonToV2Rules(String otherwise) {
        return """
                - match:
                  - headers:
                      end-user:
                        exact: jason
                  route:
                  - destination:
                      host: web
                      subset: v2
                - route:
                  - destination:
                      host: web
                      subset: %s
                """.formatted(otherwise);
    }
}
