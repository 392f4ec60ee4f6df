package dev.meshgate.it.harness;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

import dev.meshgate.testing.FreePorts;

/**
 * A real Zipkin (the {@code io.zipkin:zipkin-server} exec jar the build copies into {@code target/zipkin}) on a free
 * loopback port, storing spans in memory. Zipkin binds every interface unless told otherwise, so its Armeria port
 * is pinned to 127.0.0.1; it gets 512 MB of heap because with 256 MB it was seen in endless full GCs, deaf to
 * SIGTERM.
 */
public final class Zipkin implements AutoCloseable {

    private final LocalServer server;

    private Zipkin(LocalServer server) {
        this.server = server;
    }

    /** The exec jar, copied by the integration-tests build (maven-dependency-plugin, pre-integration-test). */
    static Path jar() {
        return Repository.root().resolve("integration-tests/target/zipkin/zipkin-server.jar");
    }

    /** Starts Zipkin with in-memory storage (at most 20,000 spans) and waits until {@code /health} answers 200. */
    public static Zipkin start(Path logDirectory) {
        return launch(logDirectory).awaitHealthy();
    }

    /**
     * Starts Zipkin without waiting for it, so that a test can start its mesh meanwhile (the port is known at once);
     * {@link #awaitHealthy()} before reading traces.
     */
    public static Zipkin launch(Path logDirectory) {
        int port = FreePorts.next();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", jar().toString(),
                "--armeria.ports[0].port=" + port,
                "--armeria.ports[0].ip=127.0.0.1",
                "--armeria.ports[0].protocols[0]=http",
                "--zipkin.storage.type=mem",
                "--zipkin.storage.mem.max-spans=20000"));
        return new Zipkin(LocalServer.launch("zipkin", port, command,
                Map.of("STORAGE_TYPE", "mem", "MEM_MAX_SPANS", "20000"), logDirectory));
    }

    /** Waits until {@code /health} answers 200; stops Zipkin and fails if it does not come up. */
    public Zipkin awaitHealthy() {
        server.awaitReady("/health");
        return this;
    }

    public int port() {
        return server.port();
    }

    public Path log() {
        return server.log();
    }

    /** {@code GET /api/v2/trace/{traceId}}: the trace's spans, or an empty array while Zipkin has none (404). */
    public JsonNode trace(String traceId) {
        LocalServer.Answer answer = server.get("/api/v2/trace/" + traceId);
        return answer.status() == 200 ? AdminClient.JSON.readTree(answer.body()) : AdminClient.JSON.createArrayNode();
    }

    /**
     * {@code GET /api/v2/traces?annotationQuery=key=value}: the traces (arrays of spans) with a span tagged so, e.g.
     * {@code guid:x-request-id=<id>}.
     */
    public JsonNode tracesTagged(String key, String value) {
        return json("/api/v2/traces?limit=10&lookback=3600000&annotationQuery="
                + URLEncoder.encode(key + "=" + value, StandardCharsets.UTF_8));
    }

    private JsonNode json(String pathAndQuery) {
        LocalServer.Answer answer = server.get(pathAndQuery);
        if (answer.status() != 200) {
            throw new IllegalStateException("zipkin answered " + answer.status() + " to " + pathAndQuery + ": "
                    + answer.body());
        }
        return AdminClient.JSON.readTree(answer.body());
    }

    /** SIGTERM, then SIGKILL if Zipkin is still there after 10 s; waits until the process is gone. */
    @Override
    public void close() {
        server.close();
    }
}
