package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.Reply;
import dev.meshgate.it.harness.ServiceEntries;
import dev.meshgate.it.harness.SidecarClient;
import dev.meshgate.testing.FreePorts;

/**
 * A response the sidecar makes up itself is told apart from the app's by {@code x-meshgate-response-flags} and a
 * {@code meshgate: <reason> (<FLAG>)} body: no route under REGISTRY_ONLY (502 NR), a service with no endpoints
 * (503 UH), an endpoint that refuses connections (503 UF).
 */
@ExtendWith(DumpLogsOnFailure.class)
class ProxyResponsesIT {

    /** Nobody listens here: the port was free a moment ago and nothing of this test binds it. */
    private static final int REFUSING_PORT = FreePorts.next();

    /** {@code empty} selects no workload; {@code refused} has its one endpoint at {@link #REFUSING_PORT}. */
    private static final String SERVICES = ServiceEntries.selecting("empty", "nobody") + "---\n"
            + ServiceEntries.at("refused", REFUSING_PORT);

    @AutoClose
    private static Mesh mesh;
    private static SidecarClient client;

    @BeforeAll
    static void startMesh() {
        mesh = Mesh.builder(ProxyResponsesIT.class)
                .controlPlaneProperty("meshgate.control-plane.outbound-traffic-policy", "REGISTRY_ONLY")
                .workload("web", "v1")
                .clientSidecar("client")
                .config("services.yaml", SERVICES)
                .start();
        client = mesh.sidecar("client").client();
    }

    @Test
    void registeredServiceIsAnsweredByItsApp() {
        Reply reply = client.get("http://web/");

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.version()).as("%s", reply).isEqualTo("v1");
        assertThat(reply.responseFlags()).as("%s", reply).isNull();
    }

    @Test
    void unknownHostUnderRegistryOnlyIs502NoRoute() {
        assertMadeUpByTheProxy(client.get("http://unknown.example.com/"), 502, "NR");
    }

    @Test
    void serviceWithoutEndpointsIs503NoHealthyUpstream() {
        assertMadeUpByTheProxy(client.get("http://empty/"), 503, "UH");
    }

    @Test
    void endpointRefusingConnectionsIs503UpstreamFailureAfterIstiosDefaultRetries() {
        // Istio's default retry policy retries connect failures twice; Envoy then flags UF,URX.
        assertMadeUpByTheProxy(client.get("http://refused/"), 503, "UF,URX");
    }

    private static void assertMadeUpByTheProxy(Reply reply, int status, String flag) {
        assertThat(reply.status()).as("%s", reply).isEqualTo(status);
        assertThat(reply.responseFlags()).as("%s", reply).isEqualTo(flag);
        assertThat(reply.version()).as("no app answered: %s", reply).isNull();
        assertThat(reply.body().strip()).as("%s", reply).startsWith("meshgate: ").endsWith("(" + flag + ")");
    }
}
