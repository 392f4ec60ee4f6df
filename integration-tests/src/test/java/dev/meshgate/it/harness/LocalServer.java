package dev.meshgate.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A third-party server the tests run next to the mesh (Prometheus, Zipkin): a real process with its output in
 * {@code <logDirectory>/<name>.log}, an HTTP API on a loopback port, stopped with SIGTERM (SIGKILL after 10 s)
 * and by a shutdown hook if a run is aborted.
 */
final class LocalServer implements AutoCloseable {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).proxy(HttpClient.Builder.NO_PROXY).build();

    /** An HTTP answer. */
    record Answer(int status, String body) {
    }

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;

    private LocalServer(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} (which listens on {@code port}) with {@code environment} added; does not wait. */
    static LocalServer launch(String name, int port, List<String> command, Map<String, String> environment,
            Path logDirectory) {
        try {
            Files.createDirectories(logDirectory);
            Path log = logDirectory.resolve(name + ".log");
            Files.writeString(log, "$ " + String.join(" ", command) + System.lineSeparator());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            Process process = builder.start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, name + "-reaper"));
            return new LocalServer(name, port, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Waits until {@code GET path} answers 200; stops the server and fails if it does not come up. */
    LocalServer awaitReady(String path) {
        try {
            Readiness.waitUpTo(Readiness.START).pollInterval(Duration.ofMillis(200))
                    .alias(name + " ready on 127.0.0.1:" + port + path).until(() -> get(path).status() == 200);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
        return this;
    }

    int port() {
        return port;
    }

    Path log() {
        return log;
    }

    /** {@code GET pathAndQuery}; status -1 when nothing answers; fails when the process has exited. */
    Answer get(String pathAndQuery) {
        if (!process.isAlive()) {
            throw new ProcessExitedException(name + " exited with " + process.exitValue() + "; see " + log
                    + System.lineSeparator() + LogTail.of(log, 40));
        }
        try {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(Duration.ofSeconds(10)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Answer(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM, then SIGKILL if the server is still there after 10 s; waits until the process is gone. */
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
