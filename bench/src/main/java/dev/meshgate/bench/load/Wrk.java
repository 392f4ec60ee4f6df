package dev.meshgate.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.meshgate.bench.process.ProcStat;

/**
 * Saturation throughput with wrk (closed loop: each connection sends its next request when the previous one is
 * answered). wrk's own latency figures suffer from coordinated omission and are not used; the latency figures
 * come from {@link OpenLoopGenerator}. wrk runs under a shell that prints its own {@code /proc/self/stat} after
 * wrk exits, which gives wrk's CPU time (the children's times of the shell).
 */
public final class Wrk {

    private static final Pattern REQUESTS_PER_SECOND = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern
            .compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    private Wrk() {
    }

    /** Runs {@code wrk -t1 -c<connections> -d<duration>} against {@code http://127.0.0.1:port<path>}. */
    public static Saturation run(Path wrk, int port, String hostHeader, String path, int connections, Duration duration) {
        return run(wrk, port, hostHeader, path, connections, duration, false);
    }

    /**
     * As {@link #run(Path, int, String, String, int, Duration)}; with {@code newConnectionPerRequest}, every request
     * says {@code Connection: close}, and wrk opens a new connection for the next.
     */
    public static Saturation run(Path wrk, int port, String hostHeader, String path, int connections,
            Duration duration, boolean newConnectionPerRequest) {
        String command = String.join(" ", wrk.toString(), "-t1", "-c" + connections,
                "-d" + duration.toSeconds() + "s", "-H", "'Host: " + hostHeader + "'",
                newConnectionPerRequest ? "-H 'Connection: close'" : "",
                "http://127.0.0.1:" + port + path)
                + "; status=$?; echo; echo \"STAT $(cat /proc/$$/stat)\"; exit $status";
        try {
            Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(duration.toSeconds() + 30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("wrk failed: " + output);
            }
            return parse(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static Saturation parse(String output) {
        double rate = Double.parseDouble(find(REQUESTS_PER_SECOND, output, "Requests/sec"));
        long requests = Long.parseLong(find(REQUESTS, output, "requests in"));
        long errors = 0;
        Matcher non2xx = NON_2XX.matcher(output);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        Matcher socket = SOCKET_ERRORS.matcher(output);
        if (socket.find()) {
            for (int group = 1; group <= 4; group++) {
                errors += Long.parseLong(socket.group(group));
            }
        }
        String stat = output.substring(output.lastIndexOf("STAT ") + 5).trim();
        return new Saturation(rate, requests, errors, ProcStat.waitedChildrenCpuSeconds(stat));
    }

    private static String find(Pattern pattern, String output, String what) {
        Matcher matcher = pattern.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("no '" + what + "' in wrk's output: " + output);
        }
        return matcher.group(1);
    }
}
