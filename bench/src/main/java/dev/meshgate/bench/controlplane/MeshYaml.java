package dev.meshgate.bench.controlplane;

/**
 * A large synthetic mesh as Istio YAML, one file per service: a {@code ServiceEntry} with its endpoints (labelled
 * v1 or v2), a {@code DestinationRule} with subsets v1 and v2, and a {@code VirtualService} with
 * {@code routes} http routes: {@code routes - 1} uri-prefix routes ({@code /r0}, {@code /r1} ...) to a subset each,
 * then a default route splitting traffic between the subsets by weight. Services are spread over ten namespaces.
 *
 * <p>With 1,000 services of 10 endpoints and 10 routes: 1,000 hosts, 10,000 endpoints, 1,000 VirtualServices,
 * 10,000 routes.
 */
public record MeshYaml(int services, int endpointsPerService, int routesPerService) {

    public static final int NAMESPACES = 10;

    public MeshYaml {
        if (services < 1 || endpointsPerService < 1 || routesPerService < 1) {
            throw new IllegalArgumentException("services, endpoints and routes: " + services + ", "
                    + endpointsPerService + ", " + routesPerService + " (expected: >= 1 each)");
        }
    }

    public static String namespace(int service) {
        return "team-" + service % NAMESPACES;
    }

    public static String name(int service) {
        return "svc-" + service;
    }

    /** The fully qualified host of a service. */
    public static String host(int service) {
        return name(service) + "." + namespace(service) + ".svc.cluster.local";
    }

    /** The file name of a service's resources. */
    public static String fileName(int service) {
        return String.format("%s-%04d.yaml", "svc", service);
    }

    /** The three resources of one service; {@code revision} changes the default route's weights. */
    public String service(int service, int revision) {
        StringBuilder yaml = new StringBuilder();
        String name = name(service);
        String ns = namespace(service);
        String host = host(service);
        yaml.append("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: %s, namespace: %s}
                spec:
                  hosts: [%s]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{number: 80, name: http, protocol: HTTP}]
                  endpoints:
                """.formatted(name, ns, host));
        for (int e = 0; e < endpointsPerService; e++) {
            yaml.append("  - {address: 10.%d.%d.%d, ports: {http: 8080}, labels: {version: %s}}\n".formatted(
                    service / 250, service % 250, e + 1, e % 2 == 0 ? "v1" : "v2"));
        }
        yaml.append("""
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: %s, namespace: %s}
                spec:
                  host: %s
                  subsets:
                  - {name: v1, labels: {version: v1}}
                  - {name: v2, labels: {version: v2}}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: %s, namespace: %s}
                spec:
                  hosts: [%s]
                  http:
                """.formatted(name, ns, host, name, ns, host));
        for (int r = 0; r < routesPerService - 1; r++) {
            yaml.append("""
                      - name: r%d
                        match: [{uri: {prefix: /r%d}}]
                        route: [{destination: {host: %s, subset: %s}}]
                    """.formatted(r, r, host, r % 2 == 0 ? "v1" : "v2"));
        }
        int v2 = 10 + revision % 80;
        yaml.append("""
                  - name: default
                    route:
                    - {destination: {host: %s, subset: v1}, weight: %d}
                    - {destination: {host: %s, subset: v2}, weight: %d}
                """.formatted(host, 100 - v2, host, v2));
        return yaml.toString();
    }

    /** Every service, as one multi-document YAML text (for reading without a directory). */
    public String all() {
        StringBuilder yaml = new StringBuilder();
        for (int s = 0; s < services; s++) {
            yaml.append(service(s, 0)).append("---\n");
        }
        return yaml.toString();
    }
}
