package dev.meshgate.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One program of the mesh running as a real operating-system process ({@code java -jar}), its output in its own
 * log file. Every started process is also stopped by a JVM shutdown hook, so that an aborted test run does not
 * leave proxies behind.
 */
public final class JavaProcess implements AutoCloseable {


    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Set<JavaProcess> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(JavaProcess::kill), "it-process-reaper"));
    }

    private final String name;
    private final Path log;
    private final Process process;
    private final long startedNanos = System.nanoTime();

    private JavaProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts {@code java @jvm/<jar name>.options -jar <jar> <args>} with stdout and stderr in
     * {@code <logDirectory>/<name>.log}: each program runs with the JVM flags it is shipped with (the same file the
     * demo and the benchmark read, docs/performance.md).
     */
    public static JavaProcess start(String name, Path jar, List<String> args, Path logDirectory) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("@" + Repository.jvmOptions(jar));
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        try {
            Files.createDirectories(logDirectory);
            Path log = logDirectory.resolve(name + ".log");
            Files.writeString(log, "$ " + String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            JavaProcess started = new JavaProcess(name, log, process);
            RUNNING.add(started);
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Milliseconds since {@code java -jar} was started. */
    public long millisSinceStart() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /** Resident memory in MB from {@code /proc/<pid>/status} (Linux), or -1 where that is not available. */
    public long residentMegabytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or the process is gone: the figure is informative only.
        }
        return -1;
    }

    /** Fails with the log's tail when the process has exited: used inside readiness waits to stop waiting early. */
    public void assertAlive() {
        if (!process.isAlive()) {
            throw new ProcessExitedException(name + " exited with code " + process.exitValue() + "; log " + log
                    + System.lineSeparator() + tail(40));
        }
    }

    /** Kills the process at once (SIGKILL), as a crash would, and waits until it is gone. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(STOP_GRACE);
        RUNNING.remove(this);
    }

    /** Asks the process to stop (SIGTERM), then kills it if it is still there after a grace period. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            if (!awaitExit(STOP_GRACE)) {
                process.destroyForcibly();
                awaitExit(STOP_GRACE);
            }
        }
        RUNNING.remove(this);
    }

    /** The last {@code lines} lines of this process's log. */
    public String tail(int lines) {
        return LogTail.of(log, lines);
    }

    private boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
