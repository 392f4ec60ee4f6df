package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.JavaProcess;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.Readiness;
import dev.meshgate.it.harness.Reply;
import dev.meshgate.it.harness.Repository;
import dev.meshgate.it.harness.Sidecar;
import dev.meshgate.it.harness.SidecarClient;
import tools.jackson.databind.JsonNode;

/**
 * A proxy joining the mesh with bootstrap credentials, as a VM would: {@code meshctl workload credential} asks the
 * running control plane for a token, the root certificate and the TLS discovery address; a sidecar started with
 * {@code --meshgate.proxy.credentials} gets its workload certificate, receives its view over TLS (15012) and serves
 * traffic, while its short-lived certificate rotates several times with no disconnect and no failed request.
 */
@ExtendWith(DumpLogsOnFailure.class)
class WorkloadCredentialIT {

    static final Duration CERT_TTL = Duration.ofSeconds(8);

    @AutoClose
    private static Mesh mesh;
    private static Sidecar secure;
    private static Path credentials;

    @BeforeAll
    static void startMesh() {
        Path logs = Repository.logDirectory(WorkloadCredentialIT.class);
        mesh = Mesh.builder(WorkloadCredentialIT.class).workload("web", "v1")
                .controlPlaneProperty("meshgate.control-plane.ca-dir", logs.resolve("ca").toString())
                .start();
        credentials = logs.resolve("credentials/client");
        JavaProcess meshctl = JavaProcess.start("meshctl", Repository.meshctlJar(), List.of("workload", "credential",
                "client.default", "--service-account", "client", "-o", credentials.toString(), "--control-plane",
                mesh.controlPlane().discoveryAddress()), logs);
        assertThat(meshctl.exitCode(Duration.ofSeconds(60))).as(meshctl.tail(20)).isZero();
        secure = Sidecar.startClient("client", Map.of("app", "client"), mesh.controlPlane(), logs, List.of(
                "--meshgate.proxy.service-account=client", "--meshgate.proxy.credentials=" + credentials,
                "--meshgate.proxy.cert-ttl=" + CERT_TTL.toSeconds() + "s"));
        secure.awaitReady();
    }

    @AfterAll
    static void stopSidecar() {
        if (secure != null) {
            secure.close();
        }
    }

    @Test
    void aSidecarWithCredentialsGetsItsViewOverTlsAndRotatesItsCertificateWithoutDisconnecting() throws IOException {
        assertThat(Files.readString(credentials.resolve("identity")).trim())
                .isEqualTo("spiffe://cluster.local/ns/default/sa/client");
        assertThat(Files.readString(credentials.resolve("root-cert.pem"))).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(mesh.controlPlane().process().tail(400)).as("the token is never logged")
                .doesNotContain(Files.readString(credentials.resolve("token")).trim());
        mesh.controlPlane().awaitSynced(List.of("client.default"), null, Duration.ofSeconds(30));
        JsonNode certificate = secure.admin().path("certificate");
        assertThat(certificate.path("identity").asString()).isEqualTo("spiffe://cluster.local/ns/default/sa/client");

        SidecarClient client = secure.client();
        List<Reply> failed = new ArrayList<>();
        int sent = 0;
        long deadline = System.nanoTime() + CERT_TTL.multipliedBy(4).toNanos();
        while (System.nanoTime() < deadline || secure.admin().path("certificate").path("rotations").asInt() < 3) {
            Reply reply = client.get("http://web/");
            sent++;
            if (reply.status() != 200) {
                failed.add(reply);
            }
            if (System.nanoTime() > deadline + Duration.ofSeconds(60).toNanos()) {
                break;
            }
        }

        JsonNode after = secure.admin().path("certificate");
        assertThat(after.path("rotations").asInt()).as("rotations in %s", after).isGreaterThanOrEqualTo(3);
        assertThat(after.path("serialNumber").asString()).isNotEqualTo(certificate.path("serialNumber").asString());
        assertThat(failed).as("failed of %d requests", sent).isEmpty();
        String controlPlaneLog = mesh.controlPlane().process().tail(2000);
        assertThat(controlPlaneLog.lines().filter(line -> line.contains("proxy client.default connected")).toList())
                .as("one discovery connection, over TLS, for the whole run").hasSize(1)
                .allMatch(line -> line.contains("TLS as spiffe://cluster.local/ns/default/sa/client"));
        assertThat(controlPlaneLog).doesNotContain("proxy client.default disconnected");

        // The stream still carries pushes after the rotations.
        String before = mesh.status().snapshotVersion();
        mesh.config().write("web-routes.yaml", WebConfig.virtualServiceForWeb("web", """
                - route:
                  - destination:
                      host: web
                """));
        mesh.controlPlane().awaitSynced(List.of("client.default"), before, Duration.ofSeconds(30));
        Readiness.waitUpTo(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(client.get("http://web/").status()).isEqualTo(200));
    }
}
