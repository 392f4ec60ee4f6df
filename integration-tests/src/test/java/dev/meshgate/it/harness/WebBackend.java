package dev.meshgate.it.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A sample app behind a sidecar: usually the tutorial's versioned {@code web} app ({@code samples web --port P
 * --version V}), or a sniffer ({@code samples sniffer}). The web app answers every request
 * with {@code Version V: server id <uuid>} and the headers {@code x-version}, {@code x-server-id},
 * {@code x-echo-path} and {@code x-echo-host}.
 */
public final class WebBackend implements AutoCloseable {

    private final String version;
    private final int port;
    private final JavaProcess process;
    private final boolean web;

    private WebBackend(String version, int port, JavaProcess process, boolean web) {
        this.version = version;
        this.port = port;
        this.process = process;
        this.web = web;
    }

    static WebBackend start(String name, String version, Path logDirectory) {
        return start(name, version, List.of("web", "--version", version), logDirectory);
    }

    /** @param sample the samples command and options ({@code web --version v1}, {@code sniffer --hang-ms 0}) */
    static WebBackend start(String name, String version, List<String> sample, Path logDirectory) {
        int port = FreePorts.next();
        List<String> args = new ArrayList<>(sample);
        args.addAll(List.of("--port", String.valueOf(port), "--bind", "127.0.0.1"));
        JavaProcess process = JavaProcess.start(name, Repository.samplesJar(), args, logDirectory);
        return new WebBackend(version, port, process, "web".equals(sample.get(0)));
    }

    /**
     * Waits until the app answers {@code GET /} (the web app), or has printed that it listens (other samples: a
     * sniffer may hold requests).
     */
    public void awaitReady() {
        if (web) {
            Readiness.awaitHttpOk(process, port, "/");
        } else {
            Readiness.waitUpTo(Readiness.START).pollInterval(Duration.ofMillis(200))
                    .alias(process.name() + " listening")
                    .until(() -> {
                        process.assertAlive();
                        return logLines().stream().anyMatch(line -> line.contains(" listening on "));
                    });
        }
    }

    /** The lines the app has printed so far (the sniffer prints one per request: {@code GET /p host=.. ..}). */
    public List<String> logLines() {
        try {
            return Files.readAllLines(process.log(), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    public String version() {
        return version;
    }

    public int port() {
        return port;
    }

    public JavaProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.close();
    }
}
