package dev.meshgate.it.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.meshgate.testing.FreePorts;

/**
 * A workload's app, one of the samples. By default the tutorial's versioned {@code web} app
 * ({@code samples web --port P --version V}): it answers every request with {@code Version V: server id <uuid>}
 * and the headers {@code x-version}, {@code x-server-id}, {@code x-echo-path} and {@code x-echo-host}. Or another
 * sample ({@link Mesh.Builder#sampleWorkload}), e.g. the retry backend, restarted when it exits if asked, or a sniffer ({@link Mesh.Builder#sniffer}).
 */
public final class WebBackend implements AutoCloseable {

    private final String version;
    private final int port;
    private final JavaProcess process;
    private final boolean sniffer;

    private WebBackend(String version, int port, JavaProcess process, boolean sniffer) {
        this.version = version;
        this.port = port;
        this.process = process;
        this.sniffer = sniffer;
    }

    public static WebBackend start(String name, String version, Path logDirectory) {
        return start(name, version, "web", true, false, List.of(), logDirectory);
    }

    /**
     * Starts {@code samples <sample> --port P --bind 127.0.0.1} (and {@code --version V} when it takes one), with
     * the sample's own {@code options}.
     */
    static WebBackend start(String name, String version, String sample, boolean takesVersion, boolean restartOnExit,
            List<String> options, Path logDirectory) {
        int port = FreePorts.next();
        List<String> args = new java.util.ArrayList<>(List.of(sample, "--port", String.valueOf(port), "--bind", "127.0.0.1"));
        if (takesVersion) {
            args.addAll(List.of("--version", version));
        }
        args.addAll(options);
        JavaProcess process = JavaProcess.start(name, Repository.samplesJar(), args, logDirectory);
        if (restartOnExit) {
            process.restartOnExit();
        }
        return new WebBackend(version, port, process, "sniffer".equals(sample));
    }

    /**
     * Waits until the app answers {@code GET /}; a sniffer, which may be told to hold requests, until it has printed
     * that it listens.
     */
    public void awaitReady() {
        if (!sniffer) {
            Readiness.awaitHttpOk(process, port, "/");
            return;
        }
        Readiness.waitUpTo(Readiness.START).pollInterval(Duration.ofMillis(200))
                .alias(process.name() + " listening")
                .until(() -> {
                    process.assertAlive();
                    return logLines().stream().anyMatch(line -> line.contains(" listening on "));
                });
    }

    /** The lines the app has printed so far (the sniffer prints one per request: {@code GET /p host=.. ..}). */
    public List<String> logLines() {
        try {
            return Files.readAllLines(process.log(), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** Whether the app answers {@code GET /} with 200 right now. */
    public boolean answersOk() {
        try {
            return AdminClient.status(port, "/") == 200;
        } catch (RuntimeException e) {
            return false;
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
