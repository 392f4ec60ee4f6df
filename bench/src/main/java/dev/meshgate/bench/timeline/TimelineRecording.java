package dev.meshgate.bench.timeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Flight Recorder recording of one proxy JVM over a measured window, started and stopped with {@code jcmd}: the
 * proxy's per-request events ({@code dev.meshgate.RequestTimeline}) and the JVM's stops (safepoint VM operations,
 * GCs among them, and the time to reach each safepoint), nothing else, so that recording costs little.
 *
 * <p>Flight Recorder's first recording in a JVM starts its machinery and instruments the loaded event classes,
 * which throws away the compiled code that inlined them: seconds of recompilation on a busy proxy. So the recording
 * starts before the warm-up, which absorbs that, and records all along (the analysis keeps the measured window's
 * requests): nothing changes in the proxy when the measured run begins.
 */
public final class TimelineRecording {

    static final String REQUEST = "dev.meshgate.RequestTimeline";
    static final String VM_OPERATION = "jdk.ExecuteVMOperation";
    static final String SAFEPOINT_BEGIN = "jdk.SafepointBegin";
    /** A TLS handshake finished (client or server side): how many connections a run's proxies set up over TLS. */
    static final String TLS_HANDSHAKE = "jdk.TLSHandshake";
    private static final String NAME = "meshgate-timeline";
    private static final String SETTINGS = """
            <?xml version="1.0" encoding="UTF-8"?>
            <configuration version="2.0" label="meshgate request timelines">
              <event name="%s"><setting name="enabled">true</setting></event>
              <event name="%s"><setting name="enabled">true</setting><setting name="threshold">0 ms</setting></event>
              <event name="%s"><setting name="enabled">true</setting><setting name="threshold">0 ms</setting></event>
              <event name="%s"><setting name="enabled">true</setting><setting name="threshold">0 ms</setting></event>
            </configuration>
            """.formatted(REQUEST, VM_OPERATION, SAFEPOINT_BEGIN, TLS_HANDSHAKE);

    private final long pid;
    private final Path file;

    private TimelineRecording(long pid, Path file) {
        this.pid = pid;
        this.file = file;
    }

    /** Starts recording process {@code pid} into {@code file}. */
    public static TimelineRecording start(long pid, Path file) {
        try {
            Files.createDirectories(file.getParent());
            Path settings = file.resolveSibling("meshgate-timeline.jfc");
            Files.writeString(settings, SETTINGS);
            jcmd(pid, "JFR.start", "name=" + NAME, "settings=" + settings, "filename=" + file);
            return new TimelineRecording(pid, file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the recording, which writes the file; returns it. */
    public Path stop() {
        jcmd(pid, "JFR.stop", "name=" + NAME);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("jcmd JFR.stop wrote no recording at " + file);
        }
        return file;
    }

    private static void jcmd(long pid, String... command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> line = new java.util.ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        line.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", line) + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", line), e);
        }
    }
}
