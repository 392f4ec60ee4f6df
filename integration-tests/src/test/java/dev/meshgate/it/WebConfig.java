package dev.meshgate.it;

/** Istio YAML for the tutorial's versioned {@code web} service, shared by the integration tests. */
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

    private WebConfig() {
    }

    /** A VirtualService {@code web} splitting its traffic between subsets v1 and v2 by weight. */
    static String weighted(int v1Weight, int v2Weight) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: web
                  namespace: default
                spec:
                  hosts:
                  - web
                  http:
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
}
