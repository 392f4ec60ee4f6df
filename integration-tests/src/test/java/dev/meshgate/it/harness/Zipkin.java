package dev.meshgate.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;

/**
 * A real Zipkin (the {@code io.zipkin:zipkin-server} exec jar the build copies into {@code target/zipkin}) on a free
 * loopback port, storing spans in memory. Zipkin binds every interface unless told otherwise, so its Armeria port
 * is pinned to 127.0.0.1; it gets 512 MB of heap because with 256 MB it was seen in endless full GCs, deaf to
 * SIGTERM.
 */
public final class Zipkin implements AutoCloseable {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).proxy(HttpClient.Builder.NO_PROXY).build();

    private final int port;
    private final Process process;
    private final Path log;

    private Zipkin(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
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
        try {
            Files.createDirectories(logDirectory);
            Path log = logDirectory.resolve("zipkin.log");
            Files.writeString(log, "$ " + String.join(" ", command) + System.lineSeparator());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put("STORAGE_TYPE", "mem");
            builder.environment().put("MEM_MAX_SPANS", "20000");
            Process process = builder.start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "zipkin-reaper"));
            return new Zipkin(port, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start zipkin", e);
        }
    }

    /** Waits until {@code /health} answers 200; stops Zipkin and fails if it does not come up. */
    public Zipkin awaitHealthy() {
        try {
            Readiness.waitUpTo(Readiness.START).pollInterval(Duration.ofMillis(200))
                    .alias("zipkin healthy on 127.0.0.1:" + port).until(() -> {
                        assertAlive();
                        return status("/health") == 200;
                    });
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
        return this;
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    /** {@code GET /api/v2/trace/{traceId}}: the trace's spans, or an empty array while Zipkin has none (404). */
    public JsonNode trace(String traceId) {
        Answer answer = get("/api/v2/trace/" + traceId);
        return answer.status() == 200 ? answer.json() : AdminClient.JSON.createArrayNode();
    }

    /**
     * {@code GET /api/v2/traces?annotationQuery=key=value}: the traces (arrays of spans) with a span tagged so, e.g.
     * {@code guid:x-request-id=<id>}.
     */
    public JsonNode tracesTagged(String key, String value) {
        return get("/api/v2/traces?limit=10&lookback=3600000&annotationQuery="
                + URLEncoder.encode(key + "=" + value, StandardCharsets.UTF_8)).json();
    }

    private record Answer(int status, String body) {
        JsonNode json() {
            if (status != 200) {
                throw new IllegalStateException("zipkin answered " + status + ": " + body);
            }
            return AdminClient.JSON.readTree(body);
        }
    }

    private Answer get(String pathAndQuery) {
        assertAlive();
        try {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(Duration.ofSeconds(10)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("GET zipkin " + pathAndQuery, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void assertAlive() {
        if (!process.isAlive()) {
            throw new ProcessExitedException("zipkin exited with " + process.exitValue() + "; see " + log
                    + System.lineSeparator() + LogTail.of(log, 40));
        }
    }

    private int status(String path) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** SIGTERM, then SIGKILL if Zipkin is still there after 10 s; waits until the process is gone. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
