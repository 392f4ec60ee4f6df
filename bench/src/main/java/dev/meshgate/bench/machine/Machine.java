package dev.meshgate.bench.machine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The machine a run measured: what a reader needs to compare figures across machines and to judge how much the
 * load generators and other work on the machine interfered.
 *
 * @param loadAverageBefore {@code /proc/loadavg}'s 1, 5 and 15 minute averages when the run started
 * @param loadAverageAfter the same when it ended
 */
public record Machine(int cores, String cpuModel, String kernel, String os, String jdk, long memoryMb,
        String loadAverageBefore, String loadAverageAfter, String nginx, String haproxy, String caddy, String wrk) {

    /** Describes this machine now; {@code loadAverageAfter} is filled by {@link #finished()}. */
    public static Machine describe() {
        return new Machine(Runtime.getRuntime().availableProcessors(), readCpuModel(), read("/proc/sys/kernel/osrelease"),
                osName(), System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                readMemoryMb(), loadAverage(), "", version("nginx", "-v"), version("haproxy", "-v"),
                version("caddy", "version"), version("wrk", "-v"));
    }

    public Machine finished() {
        return new Machine(cores, cpuModel, kernel, os, jdk, memoryMb, loadAverageBefore, loadAverage(), nginx,
                haproxy, caddy, wrk);
    }

    private static String readCpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String osName() {
        try {
            return Files.readAllLines(Path.of("/etc/os-release")).stream().filter(l -> l.startsWith("PRETTY_NAME="))
                    .map(l -> l.substring(l.indexOf('=') + 1).replace("\"", "")).findFirst()
                    .orElse(System.getProperty("os.name"));
        } catch (IOException e) {
            return System.getProperty("os.name");
        }
    }

    private static long readMemoryMb() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024).findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    private static String loadAverage() {
        String[] fields = read("/proc/loadavg").split(" ");
        return fields.length >= 3 ? fields[0] + " " + fields[1] + " " + fields[2] : "unknown";
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The first line a tool prints for its version (nginx prints it on stderr), or "absent". */
    private static String version(String tool, String flag) {
        try {
            Process process = new ProcessBuilder(List.of(tool, flag)).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes()).trim();
            process.waitFor(5, TimeUnit.SECONDS);
            return output.isEmpty() ? "unknown" : output.lines().findFirst().orElse("unknown");
        } catch (IOException e) {
            return "absent";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
