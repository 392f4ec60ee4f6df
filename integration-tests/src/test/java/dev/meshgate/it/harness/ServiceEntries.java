package dev.meshgate.it.harness;

/**
 * Istio YAML of a {@code ServiceEntry} in the test mesh's namespace: one host {@code <name>.default.svc.cluster.local}
 * with an HTTP port 80, its endpoints either selected workloads or a fixed address.
 */
public final class ServiceEntries {

    /** The port clients call the services on ({@code http://web/} is port 80). */
    static final int SERVICE_PORT = 80;

    private ServiceEntries() {
    }

    /** A ServiceEntry {@code name} whose endpoints are the WorkloadEntries labelled {@code app}. */
    public static String selecting(String name, String app) {
        return header(name) + """
                  workloadSelector:
                    labels:
                      app: %s
                """.formatted(app);
    }

    /** A ServiceEntry {@code name} whose one endpoint is {@code 127.0.0.1:port}. */
    public static String at(String name, int port) {
        return header(name) + """
                  endpoints:
                  - address: 127.0.0.1
                    ports:
                      http: %d
                """.formatted(port);
    }

    private static String header(String name) {
        return """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata:
                  name: %1$s
                  namespace: %2$s
                spec:
                  hosts:
                  - %1$s.%2$s.svc.cluster.local
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports:
                  - number: %3$d
                    name: http
                    protocol: HTTP
                """.formatted(name, MeshProxy.NAMESPACE, SERVICE_PORT);
    }
}
