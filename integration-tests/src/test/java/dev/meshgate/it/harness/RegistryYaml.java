package dev.meshgate.it.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The service registry of a test mesh as Istio YAML, in local mode's convention (docs/protocol.md): one
 * {@code ServiceEntry} per app, selecting its {@code WorkloadEntry}s by the {@code app} label; each
 * {@code WorkloadEntry} at 127.0.0.1 whose {@code http} port is its sidecar's inbound listener.
 */
final class RegistryYaml {

    private RegistryYaml() {
    }

    /** One workload: an app instance of a version, reachable at its sidecar's inbound port. */
    record Workload(String app, String version, int inboundPort) {

        String name() {
            return app + "-" + version;
        }
    }

    static String of(List<Workload> workloads) {
        Map<String, List<Workload>> byApp = new TreeMap<>();
        workloads.forEach(workload -> byApp.computeIfAbsent(workload.app(), app -> new ArrayList<>())
                .add(workload));
        StringBuilder yaml = new StringBuilder();
        byApp.forEach((app, instances) -> {
            yaml.append(ServiceEntries.selecting(app, app)).append("---\n");
            for (Workload workload : instances) {
                yaml.append("""
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata:
                          name: %1$s
                          namespace: %2$s
                        spec:
                          address: 127.0.0.1
                          ports:
                            http: %3$d
                          labels:
                            app: %4$s
                            version: %5$s
                        ---
                        """.formatted(workload.name(), MeshProxy.NAMESPACE, workload.inboundPort(),
                        workload.app(), workload.version()));
            }
        });
        return yaml.toString();
    }
}
