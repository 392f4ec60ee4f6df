package dev.meshgate.cli.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The child processes the demo started: each with its output in {@code <log-dir>/<name>.log}; an unexpected exit
 * is reported at once; a child started with {@code restartOnExit} (the sample apps) is started again after it
 * exits, as Kubernetes restarts a container, with a back-off doubling from 1 s up to 30 s (Kubernetes: 10 s to
 * 5 min) that starts over once a run lasted a minute; {@link #stopAll()} ends them all (SIGTERM, then SIGKILL for
 * those still alive after a grace period).
 */
final class Children {

    private static final long GRACE_MILLIS = 10_000;
    private static final long REPORT_DELAY_MILLIS = 500;
    private static final long FIRST_RESTART_DELAY_MILLIS = 1_000;
    private static final long MAX_RESTART_DELAY_MILLIS = 30_000;
    private static final long STABLE_RUN_MILLIS = 60_000;

    private final PrintStream out;
    private final List<Started> started = new ArrayList<>();
    private volatile boolean stopping;

    private static final class Started {
        final String name;
        final List<String> command;
        final Path log;
        final boolean restartOnExit;
        volatile Process process;
        volatile long startedAt = System.nanoTime();
        long restartDelay = FIRST_RESTART_DELAY_MILLIS;

        Started(String name, List<String> command, Path log, boolean restartOnExit, Process process) {
            this.name = name;
            this.command = command;
            this.log = log;
            this.restartOnExit = restartOnExit;
            this.process = process;
        }

        String name() {
            return name;
        }

        Process process() {
            return process;
        }

        Path log() {
            return log;
        }
    }

    Children(PrintStream out) {
        this.out = out;
    }

    /** Starts {@code command} with its output appended to {@code log}. */
    void start(String name, List<String> command, Path log) throws IOException {
        start(name, command, log, false);
    }

    /** Starts {@code command} with its output appended to {@code log}; restarted when it exits if asked. */
    synchronized void start(String name, List<String> command, Path log, boolean restartOnExit) throws IOException {
        Files.createDirectories(log.getParent());
        Files.deleteIfExists(log);
        Started child = new Started(name, List.copyOf(command), log, restartOnExit, launch(command, log));
        started.add(child);
        watch(child, child.process);
    }

    private static Process launch(List<String> command, Path log) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
    }

    private void watch(Started child, Process process) {
        // Ctrl-C in a terminal signals the whole process group, children included: they may exit a moment
        // before our shutdown hook sets `stopping`, so look again a little later before calling it unexpected.
        process.onExit().thenAcceptAsync(exited -> {
            if (stopping) {
                return;
            }
            if (!child.restartOnExit) {
                out.println("meshctl demo: " + child.name + " exited unexpectedly (exit code " + exited.exitValue()
                        + "); its log: " + child.log);
                return;
            }
            long ranMillis = (System.nanoTime() - child.startedAt) / 1_000_000;
            long delay;
            synchronized (this) {
                if (ranMillis >= STABLE_RUN_MILLIS) {
                    child.restartDelay = FIRST_RESTART_DELAY_MILLIS;
                }
                delay = child.restartDelay;
                child.restartDelay = Math.min(MAX_RESTART_DELAY_MILLIS, delay * 2);
            }
            out.println("meshctl demo: " + child.name + " exited (exit code " + exited.exitValue()
                    + "); restarting it in " + delay / 1000.0 + " s, as Kubernetes would");
            CompletableFuture.runAsync(() -> restart(child, process),
                    CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
        }, CompletableFuture.delayedExecutor(REPORT_DELAY_MILLIS, TimeUnit.MILLISECONDS));
    }

    private synchronized void restart(Started child, Process exited) {
        if (stopping || child.process != exited) {
            return;
        }
        try {
            child.process = launch(child.command, child.log);
            child.startedAt = System.nanoTime();
            watch(child, child.process);
        } catch (IOException e) {
            out.println("meshctl demo: cannot restart " + child.name + ": " + e.getMessage());
        }
    }

    /** The name of a child that has exited (and is not restarted), or null when all still run. */
    synchronized String firstExited() {
        return started.stream().filter(child -> !child.restartOnExit && !child.process().isAlive())
                .map(Started::name).findFirst().orElse(null);
    }

    /** How many children still run. */
    synchronized long alive() {
        return started.stream().filter(child -> child.process().isAlive()).count();
    }

    synchronized Path log(String name) {
        return started.stream().filter(child -> child.name().equals(name)).map(Started::log).findFirst().orElseThrow();
    }

    /** Stops every child, in reverse start order; returns how many were still running. */
    int stopAll() {
        List<Started> all;
        // Under the lock: a restart in progress finishes before, or sees `stopping` and does nothing.
        synchronized (this) {
            stopping = true;
            all = new ArrayList<>(started);
        }
        int running = 0;
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).process().isAlive()) {
                running++;
                all.get(i).process().destroy();
            }
        }
        long deadline = System.currentTimeMillis() + GRACE_MILLIS;
        for (Started child : all) {
            try {
                long left = Math.max(1, deadline - System.currentTimeMillis());
                if (!child.process().waitFor(left, TimeUnit.MILLISECONDS)) {
                    out.println("meshctl demo: " + child.name() + " did not stop within " + GRACE_MILLIS / 1000
                            + "s; killing it");
                    child.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                child.process().destroyForcibly();
            }
        }
        return running;
    }
}
