package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.Repository;
import dev.meshgate.it.harness.Sidecar;
import dev.meshgate.testing.FreePorts;

import tools.jackson.databind.JsonNode;

/**
 * A Redis service ({@code redis-} port, protocol REDIS) reached through a client sidecar and the servers' sidecars,
 * with a weighted {@code tcp} route between two real Redis servers (Debian's {@code redis-server}, installed by
 * {@code scripts/ensure-command.sh} when absent) as subsets v1 and v2.
 */
@ExtendWith(DumpLogsOnFailure.class)
class TcpRoutingIT {

    private static final int SERVICE_PORT = 6379;

    @AutoClose
    private static Mesh mesh;
    private static final List<Process> redis = new ArrayList<>();
    private static final List<Sidecar> sidecars = new ArrayList<>();
    private static Sidecar client;
    private static int clientPort;

    @BeforeAll
    static void start() throws Exception {
        String redisServer = ensureRedis();
        mesh = Mesh.builder(TcpRoutingIT.class).start();
        Path logs = Repository.logDirectory(TcpRoutingIT.class);
        StringBuilder endpoints = new StringBuilder();
        for (String version : List.of("v1", "v2")) {
            int redisPort = FreePorts.next();
            Process server = new ProcessBuilder(redisServer, "--port", String.valueOf(redisPort), "--bind",
                    "127.0.0.1", "--save", "", "--appendonly", "no")
                    .redirectErrorStream(true).redirectOutput(logs.resolve("redis-server-" + version + ".log").toFile())
                    .start();
            redis.add(server);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> command(redisPort, "SET instance " + version).equals("+OK"));
            int inbound = FreePorts.next();
            Sidecar sidecar = Sidecar.startClient("redis-" + version, Map.of("app", "redis", "version", version),
                    mesh.controlPlane(), logs, List.of("--meshgate.sidecar.inbound-tcp-ports." + inbound + "="
                            + redisPort, "--meshgate.sidecar.tcp-port-map." + SERVICE_PORT + "=0"));
            sidecars.add(sidecar);
            endpoints.append("  - {address: 127.0.0.1, ports: {redis-main: ").append(inbound)
                    .append("}, labels: {app: redis, version: ").append(version).append("}}\n");
        }
        clientPort = FreePorts.next();
        client = Sidecar.startClient("client", Map.of("app", "client"), mesh.controlPlane(), logs,
                List.of("--meshgate.sidecar.tcp-port-map." + SERVICE_PORT + "=" + clientPort));
        sidecars.add(client);
        sidecars.forEach(Sidecar::awaitReady);
        mesh.config().write("redis.yaml", """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: redis, namespace: default}
                spec:
                  hosts: [redis.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{name: redis-main, number: 6379, protocol: REDIS}]
                  endpoints:
                %s---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: redis, namespace: default}
                spec:
                  host: redis.default.svc.cluster.local
                  subsets:
                  - {name: v1, labels: {version: v1}}
                  - {name: v2, labels: {version: v2}}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: redis, namespace: default}
                spec:
                  hosts: [redis]
                  tcp:
                  - match: [{port: 6379}]
                    route:
                    - {destination: {host: redis, subset: v1}, weight: 70}
                    - {destination: {host: redis, subset: v2}, weight: 30}
                """.formatted(endpoints));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (Sidecar sidecar : sidecars) {
                JsonNode view = sidecar.admin().path("view");
                assertThat(view.path("tcpListeners").toString()).as(sidecar.name()).contains("default.redis.tcp.0");
            }
        });
    }

    @AfterAll
    static void stop() {
        sidecars.forEach(Sidecar::close);
        for (Process process : redis) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void connectionsThroughTwoSidecarsAreSplitByTheTcpRouteWeights() throws IOException {
        int n = 200;
        int toV1 = 0;
        for (int i = 0; i < n; i++) {
            String reply = command(clientPort, "GET instance");
            assertThat(reply).isIn("v1", "v2");
            toV1 += reply.equals("v1") ? 1 : 0;
        }
        // 70 % of 200 = 140, sigma = sqrt(200 * 0.7 * 0.3) = 6.5: +-4 sigma is +-26
        assertThat(toV1).isBetween(140 - 26, 140 + 26);
    }

    @Test
    void aLongConversationStaysOnOneConnectionAndOneInstance() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), clientPort)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            String first = null;
            for (int i = 0; i < 50; i++) {
                out.write("GET instance\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String reply = readReply(in);
                first = first == null ? reply : first;
                assertThat(reply).isEqualTo(first);
            }
        }
    }

    /** Sends one inline Redis command on a new connection and returns its reply's value. */
    private static String command(int port, String command) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            return readReply(in);
        }
    }

    /** {@code +OK} for a status reply, the value for a bulk string ({@code $2\r\nv1}). */
    private static String readReply(BufferedReader in) throws IOException {
        String line = in.readLine();
        if (line != null && line.startsWith("$") && !line.equals("$-1")) {
            return in.readLine();
        }
        return String.valueOf(line);
    }

    /** Debian's redis-server, installed through the project's script; the test is skipped where that is forbidden. */
    private static String ensureRedis() throws IOException, InterruptedException {
        Path script = Repository.root().resolve("scripts/ensure-command.sh");
        Process process = new ProcessBuilder(script.toString(), "redis-server", "redis-server").start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(15, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(script + " did not finish in 15 minutes");
        }
        Assumptions.assumeTrue(process.exitValue() != 3, () -> "skipped: no redis-server on this machine: " + err);
        assertThat(process.exitValue()).as(err).isZero();
        return out;
    }
}
