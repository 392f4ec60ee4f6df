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
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import tools.jackson.databind.JsonNode;

/**
 * A real Prometheus (Debian's {@code prometheus} package, installed by {@code scripts/ensure-command.sh} when
 * absent) on a free loopback port, its storage in a directory of the test's logs, scraping every second what the
 * control plane's HTTP service discovery lists: nothing in its configuration names a proxy.
 */
public final class Prometheus implements AutoCloseable {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).proxy(HttpClient.Builder.NO_PROXY).build();

    private final int port;
    private final Process process;
    private final Path log;

    private Prometheus(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts Prometheus with {@code http_sd_configs} on {@code controlPlane}'s {@code /v1/prometheus/targets}, and
     * waits until it is ready. The test is skipped (not failed) only when this machine does not let us install
     * Prometheus.
     */
    public static Prometheus start(ControlPlane controlPlane, Path logDirectory) {
        String executable = ensureInstalled();
        int port = FreePorts.next();
        try {
            Path home = logDirectory.resolve("prometheus");
            Files.createDirectories(home);
            Path config = home.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: meshgate
                        http_sd_configs:
                          - url: http://%s/v1/prometheus/targets
                            refresh_interval: 1s
                    """.formatted(controlPlane.discoveryAddress()));
            Path log = logDirectory.resolve("prometheus.log");
            List<String> command = List.of(executable, "--config.file=" + config,
                    "--storage.tsdb.path=" + home.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                    "--log.level=info");
            Files.writeString(log, "$ " + String.join(" ", command) + System.lineSeparator());
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "prometheus-reaper"));
            Prometheus prometheus = new Prometheus(port, process, log);
            Readiness.waitUpTo(Readiness.START).pollInterval(Duration.ofMillis(200))
                    .alias("prometheus ready on 127.0.0.1:" + port).until(() -> {
                        if (!process.isAlive()) {
                            throw new ProcessExitedException("prometheus exited with " + process.exitValue()
                                    + "; see " + log);
                        }
                        return prometheus.status("/-/ready") == 200;
                    });
            return prometheus;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start prometheus", e);
        }
    }

    /** The Prometheus executable, installed first if absent; aborts the test if this machine forbids installing. */
    static String ensureInstalled() {
        Path script = Repository.root().resolve("scripts/ensure-command.sh");
        try {
            Process process = new ProcessBuilder(script.toString(), "prometheus", "prometheus")
                    .redirectError(ProcessBuilder.Redirect.PIPE).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(15, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(script + " did not finish in 15 minutes");
            }
            int exit = process.exitValue();
            Assumptions.assumeTrue(exit != 3, () -> "skipped: no Prometheus on this machine: " + err);
            if (exit != 0) {
                throw new IllegalStateException(script + " prometheus prometheus failed (exit " + exit + "): " + err);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    /** {@code GET /api/v1/targets?state=active}: {@code data.activeTargets}. */
    public JsonNode activeTargets() {
        return api("/api/v1/targets?state=active").path("data").path("activeTargets");
    }

    /**
     * {@code GET /api/v1/query?query=...}: the whole answer ({@code status}, {@code data} or {@code errorType} and
     * {@code error}); Prometheus answers 400 for a query it cannot parse, whose body is returned all the same.
     */
    public JsonNode query(String promql) {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** The value of a query that returns one sample, or NaN when it returns none. */
    public double scalar(String promql) {
        JsonNode result = query(promql).path("data").path("result");
        if (result.isEmpty()) {
            return Double.NaN;
        }
        return Double.parseDouble(result.get(0).path("value").get(1).asString());
    }

    private JsonNode api(String pathAndQuery) {
        if (!process.isAlive()) {
            throw new ProcessExitedException("prometheus exited with " + process.exitValue() + "; see " + log);
        }
        try {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(Duration.ofSeconds(10)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            return AdminClient.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("GET prometheus " + pathAndQuery, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
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

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
