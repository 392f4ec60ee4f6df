package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.KubernetesMesh;
import dev.meshgate.it.harness.Load;
import dev.meshgate.it.harness.Replies;

/**
 * The control plane jar in Kubernetes mode against fabric8's mock API server (its watches bridged to the chunked
 * HTTP the official client speaks), real sidecars routing real traffic: the endpoints come from EndpointSlices,
 * the labels from Pods, the routing from Istio resources created through the API; readiness and edits follow, and an
 * AuthorizationPolicy created through the API is enforced by the destination's sidecar.
 */
@ExtendWith(DumpLogsOnFailure.class)
class KubernetesModeIT {

    /**
     * How long the mesh may take to follow the API: generous, as a fresh-clone CI run at load ~40 took more than 10 s
     * for the first EndpointSlices to reach the client (14 of 20 requests still unanswered at 10 s).
     */
    private static final Duration FOLLOWS_WITHIN = Duration.ofSeconds(30);

    @AutoClose
    private static KubernetesMesh mesh;

    @BeforeAll
    static void startMesh() {
        mesh = KubernetesMesh.start(KubernetesModeIT.class, "v1", "v2");
        mesh.api().apply("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default, labels: {app: web}}
                spec:
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: 8080}]
                """);
        for (String version : new String[] {"v1", "v2"}) {
            mesh.api().apply(pod(version, true));
            mesh.api().apply("""
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata:
                      name: web-%1$s
                      namespace: default
                      labels: {kubernetes.io/service-name: web}
                    addressType: IPv4
                    ports: [{name: http, port: %2$d, protocol: TCP}]
                    endpoints:
                      - addresses: [127.0.0.1]
                        conditions: {ready: true}
                        targetRef: {kind: Pod, namespace: default, name: web-%1$s}
                    """.formatted(version, mesh.inboundPort("web-" + version)));
        }
    }

    @Test
    void trafficGoesToTheEndpointSlicesEndpointsAndFollowsIstioResourcesAndReadiness() {
        await().atMost(FOLLOWS_WITHIN).untilAsserted(() -> assertThat(send(20).byVersion())
                .containsOnlyKeys("v1", "v2"));

        mesh.api().apply(WebConfig.SUBSETS);
        mesh.api().apply(WebConfig.weighted(0, 100));
        await().atMost(FOLLOWS_WITHIN).untilAsserted(() -> assertThat(send(20).byVersion())
                .containsOnlyKeys("v2"));

        mesh.api().delete("networking.istio.io/v1", "VirtualService", "default", "web");
        mesh.api().apply(pod("v2", false));
        await().atMost(FOLLOWS_WITHIN).untilAsserted(() -> assertThat(send(20).byVersion())
                .containsOnlyKeys("v1"));
        Replies after = send(40);
        assertThat(after.failures()).as("%s", after).isEmpty();
        assertThat(after.byVersion()).as("%s", after).containsOnlyKeys("v1");

        // security.istio.io through the API is enforced: the web sidecar's inbound refuses what a DENY policy says.
        mesh.api().apply("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: deny-web, namespace: default}
                spec:
                  selector: {matchLabels: {app: web}}
                  action: DENY
                  rules: [{to: [{operation: {methods: [GET]}}]}]
                """);
        await().atMost(FOLLOWS_WITHIN).untilAsserted(() -> assertThat(send(10).byStatus())
                .containsOnlyKeys(403));
        mesh.api().delete("security.istio.io/v1", "AuthorizationPolicy", "default", "deny-web");
        await().atMost(FOLLOWS_WITHIN).untilAsserted(() -> assertThat(send(10).byStatus())
                .containsOnlyKeys(200));
    }

    private static Replies send(int count) {
        return Load.send(count, () -> mesh.sidecar("client").client().get("http://web/"));
    }

    private static String pod(String version, boolean ready) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web-%1$s
                  namespace: default
                  labels: {app: web, version: %1$s}
                spec:
                  serviceAccountName: web
                  containers: [{name: web, image: web}]
                status:
                  podIP: 127.0.0.1
                  conditions: [{type: Ready, status: "%2$s"}]
                """.formatted(version, ready ? "True" : "False");
    }
}
