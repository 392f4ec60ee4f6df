package dev.meshgate.it.harness;

import java.nio.file.Path;
import java.util.List;

/**
 * The tutorial's versioned {@code web} app ({@code samples web --port P --version V}): it answers every request
 * with {@code Version V: server id <uuid>} and the headers {@code x-version}, {@code x-server-id},
 * {@code x-echo-path} and {@code x-echo-host}.
 */
public final class WebBackend implements AutoCloseable {

    private final String version;
    private final int port;
    private final JavaProcess process;

    private WebBackend(String version, int port, JavaProcess process) {
        this.version = version;
        this.port = port;
        this.process = process;
    }

    static WebBackend start(String name, String version, Path logDirectory) {
        int port = FreePorts.next();
        JavaProcess process = JavaProcess.start(name, Repository.samplesJar(),
                List.of("web", "--port", String.valueOf(port), "--version", version, "--bind", "127.0.0.1"), logDirectory);
        return new WebBackend(version, port, process);
    }

    /** Waits until the app answers {@code GET /}. */
    public void awaitReady() {
        Readiness.awaitHttpOk(process, port, "/");
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
