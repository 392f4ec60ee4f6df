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

    /** Wait before restarting a process that exited (Kubernetes' CrashLoopBackOff starts at 10 s; tests are short). */
    private static final Duration RESTART_DELAY = Duration.ofMillis(500);

    private final String name;
    private final Path log;
    private final List<String> command;
    private volatile Process process;
    private volatile boolean restartOnExit;
    private final java.util.concurrent.atomic.AtomicInteger restarts = new java.util.concurrent.atomic.AtomicInteger();
    private final long startedNanos = System.nanoTime();

    private JavaProcess(String name, Path log, List<String> command, Process process) {
        this.name = name;
        this.log = log;
        this.command = command;
        this.process = process;
    }

    /**
     * Starts {@code java @jvm/<jar name>.options -jar <jar> <args>} (with the jar's class-data-sharing archive when
     * the build made one, {@link Repository#javaArguments}) with stdout and stderr in
     * {@code <logDirectory>/<name>.log}: each program runs with the JVM flags it is shipped with (the same file the
     * demo and the benchmark read, docs/performance.md).
     */
    public static JavaProcess start(String name, Path jar, List<String> args, Path logDirectory) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Repository.javaArguments(jar));
        command.addAll(args);
        try {
            Files.createDirectories(logDirectory);
            Path log = logDirectory.resolve(name + ".log");
            Files.writeString(log, "$ " + String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8);
            JavaProcess started = new JavaProcess(name, log, List.copyOf(command), launch(command, log));
            RUNNING.add(started);
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    private static Process launch(List<String> command, Path log) throws IOException {
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /**
     * From now on, starts the process again (same command, same log) whenever it exits before {@link #close()},
     * as Kubernetes restarts a container: for samples that crash on purpose.
     */
    public JavaProcess restartOnExit() {
        restartOnExit = true;
        watch(process);
        return this;
    }

    private void watch(Process watched) {
        watched.onExit().thenRunAsync(() -> restart(watched),
                java.util.concurrent.CompletableFuture.delayedExecutor(RESTART_DELAY.toMillis(), TimeUnit.MILLISECONDS));
    }

    private synchronized void restart(Process watched) {
        if (!restartOnExit || watched != process) {
            return;
        }
        try {
            Files.writeString(log, "--- " + name + " exited with code " + watched.exitValue() + "; restarted ---"
                    + System.lineSeparator(), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
            Process next = launch(command, log);
            process = next;
            restarts.incrementAndGet();
            watch(next);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart " + name, e);
        }
    }

    /** Waits up to {@code timeout} for the process to exit and returns its exit code (a command-line tool's). */
    public int exitCode(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " did not exit within " + timeout + ":\n" + tail(40));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + name, e);
        }
        return process.exitValue();
    }

    /** How many times the process was started again after exiting ({@link #restartOnExit()}). */
    public int restarts() {
        return restarts.get();
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
        synchronized (this) {
            restartOnExit = false;
        }
        process.destroyForcibly();
        awaitExit(STOP_GRACE);
        RUNNING.remove(this);
    }

    /**
     * Asks the process to stop (SIGTERM) without waiting; {@link #close()} then waits. Signalling several processes
     * before closing them overlaps their shutdowns (each JVM takes seconds to exit: Reactor Netty's quiet period).
     */
    public void requestStop() {
        synchronized (this) {
            restartOnExit = false;
        }
        if (process.isAlive()) {
            process.destroy();
        }
    }

    /** Asks the process to stop (SIGTERM), then kills it if it is still there after a grace period. */
    @Override
    public void close() {
        synchronized (this) {
            restartOnExit = false;
        }
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
