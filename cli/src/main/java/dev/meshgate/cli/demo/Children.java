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
 * is reported at once; {@link #stopAll()} ends them all (SIGTERM, then SIGKILL for those still alive after a grace
 * period).
 */
final class Children {

    private static final long GRACE_MILLIS = 10_000;
    private static final long REPORT_DELAY_MILLIS = 500;

    private final PrintStream out;
    private final List<Started> started = new ArrayList<>();
    private volatile boolean stopping;

    private record Started(String name, Process process, Path log) {
    }

    Children(PrintStream out) {
        this.out = out;
    }

    /** Starts {@code command} with its output appended to {@code log}. */
    synchronized void start(String name, List<String> command, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        Files.deleteIfExists(log);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        Started child = new Started(name, process, log);
        started.add(child);
        // Ctrl-C in a terminal signals the whole process group, children included: they may exit a moment
        // before our shutdown hook sets `stopping`, so look again a little later before calling it unexpected.
        process.onExit().thenAcceptAsync(exited -> {
            if (!stopping) {
                out.println("meshctl demo: " + name + " exited unexpectedly (exit code " + exited.exitValue()
                        + "); its log: " + log);
            }
        }, CompletableFuture.delayedExecutor(REPORT_DELAY_MILLIS, TimeUnit.MILLISECONDS));
    }

    /** The name of a child that has exited, or null when all still run. */
    synchronized String firstExited() {
        return started.stream().filter(child -> !child.process().isAlive()).map(Started::name).findFirst().orElse(null);
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
