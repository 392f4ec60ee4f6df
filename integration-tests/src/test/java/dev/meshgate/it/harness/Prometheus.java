package dev.meshgate.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import tools.jackson.databind.JsonNode;

import dev.meshgate.testing.FreePorts;

/**
 * A real Prometheus (Debian's {@code prometheus} package, installed by {@code scripts/ensure-command.sh} when
 * absent) on a free loopback port, its storage in a directory of the test's logs, scraping every second what the
 * control plane's HTTP service discovery lists: nothing in its configuration names a proxy.
 */
public final class Prometheus implements AutoCloseable {

    private final LocalServer server;

    private Prometheus(LocalServer server) {
        this.server = server;
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
            List<String> command = List.of(executable, "--config.file=" + config,
                    "--storage.tsdb.path=" + home.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                    "--log.level=info");
            return new Prometheus(LocalServer.launch("prometheus", port, command, Map.of(), logDirectory)
                    .awaitReady("/-/ready"));
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
        return server.port();
    }

    public Path log() {
        return server.log();
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
        LocalServer.Answer answer = server.get(pathAndQuery);
        if (answer.status() < 0) {
            throw new IllegalStateException("GET prometheus " + pathAndQuery + ": " + answer.body());
        }
        return AdminClient.JSON.readTree(answer.body());
    }

    @Override
    public void close() {
        server.close();
    }
}
