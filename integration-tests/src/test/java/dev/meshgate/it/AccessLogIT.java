package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.Reply;

/**
 * Access logs from real proxies: MeshConfig's {@code envoyFileAccessLog} providers, chosen per side by a
 * root-namespace Telemetry, write one JSON line per request in the client sidecar (CLIENT) and one in the server
 * sidecar (SERVER), each with the request's fields.
 */
@ExtendWith(DumpLogsOnFailure.class)
class AccessLogIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TELEMETRY = """
            apiVersion: telemetry.istio.io/v1
            kind: Telemetry
            metadata: {name: mesh-default, namespace: istio-system}
            spec:
              accessLogging:
              - match: {mode: CLIENT}
                providers: [{name: client-log}]
              - match: {mode: SERVER}
                providers: [{name: server-log}]
            """;

    private static Path dir;
    private static Mesh mesh;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("access-log-it");
        Path meshFile = dir.resolve("istio.yaml");
        Files.writeString(meshFile, MeshConfigIT.configMap("""
                extensionProviders:
                - name: client-log
                  envoyFileAccessLog:
                    path: %s
                    logFormat:
                      labels:
                        method: "%%REQ(:METHOD)%%"
                        path: "%%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%%"
                        code: "%%RESPONSE_CODE%%"
                        flags: "%%RESPONSE_FLAGS%%"
                        sent: "%%BYTES_SENT%%"
                        id: "%%REQ(X-REQUEST-ID)%%"
                        upstream: "%%UPSTREAM_HOST%%"
                - name: server-log
                  envoyFileAccessLog:
                    path: %s
                    logFormat:
                      text: "server %%RESPONSE_CODE%% %%REQ(:PATH)%% %%REQ(X-REQUEST-ID)%% %%BYTES_SENT%%\\n"
                """.formatted(dir.resolve("client.log"), dir.resolve("server.log"))));
        mesh = Mesh.builder(AccessLogIT.class)
                .workload("web", "v1")
                .clientSidecar("client")
                .controlPlaneProperty("meshgate.control-plane.mesh-config", meshFile.toString())
                .config("telemetry.yaml", TELEMETRY)
                .start();
    }

    @AfterAll
    static void stop() {
        if (mesh != null) {
            mesh.close();
        }
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    }

    @Test
    void eachSidecarWritesItsSidesProviderWithTheRequestsFields() throws Exception {
        Reply reply = mesh.sidecar("client").client().get("http://web/logged?x=1",
                Map.of("x-request-id", "access-log-it-1"));
        assertThat(reply.status()).isEqualTo(200);

        Path client = dir.resolve("client.log");
        Path server = dir.resolve("server.log");
        await().atMost(Duration.ofSeconds(20)).until(() -> lines(client).stream()
                .anyMatch(l -> l.contains("access-log-it-1")) && lines(server).stream()
                .anyMatch(l -> l.contains("access-log-it-1")));

        JsonNode entry = JSON.readTree(lines(client).stream().filter(l -> l.contains("access-log-it-1"))
                .findFirst().orElseThrow());
        assertThat(entry.propertyNames()).containsExactly("method", "path", "code", "flags", "sent", "id", "upstream");
        assertThat(entry.get("method").asString()).isEqualTo("GET");
        assertThat(entry.get("path").asString()).isEqualTo("/logged?x=1");
        assertThat(entry.get("code").asInt()).isEqualTo(200);
        assertThat(entry.get("flags").asString()).isEqualTo("-");
        assertThat(entry.get("sent").asLong()).isEqualTo(reply.body().getBytes(StandardCharsets.UTF_8).length);
        assertThat(entry.get("upstream").asString())
                .isEqualTo("127.0.0.1:" + mesh.sidecar("web-v1").inboundPort().getAsInt());

        assertThat(lines(server)).filteredOn(l -> l.contains("access-log-it-1")).containsExactly(
                "server 200 /logged?x=1 access-log-it-1 " + reply.body().getBytes(StandardCharsets.UTF_8).length);
        assertThat(lines(client)).noneMatch(l -> l.startsWith("server "));
    }
}
