package dev.meshgate.bench.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time and memory of a process and its descendants, read from Linux's {@code /proc}: user + system time
 * from {@code /proc/<pid>/stat} (fields 14 and 15, in clock ticks), resident memory and its peak from
 * {@code /proc/<pid>/status} ({@code VmRSS}, {@code VmHWM}). nginx and HAProxy run worker processes: a figure
 * of "the proxy" sums the whole tree. Summed RSS counts pages shared between a master and its workers twice,
 * which favours none of the JVMs (one process each).
 */
public final class ProcStat {

    /** {@code USER_HZ}: 100 on every Linux the JDK runs on (the kernel ABI fixes it for /proc). */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcStat() {
    }

    /** CPU seconds (user + system) used so far by {@code pid} and its live descendants; 0 when it is gone. */
    public static double cpuSeconds(long pid) {
        double total = 0;
        for (long p : tree(pid)) {
            total += ownCpuSeconds(p);
        }
        return total;
    }

    /** CPU seconds this JVM has used so far (the in-process load generator and discovery clients). */
    public static double thisJvmCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    /** Peak resident memory ({@code VmHWM}) in MB of {@code pid} plus that of each live descendant. */
    public static double peakRssMegabytes(long pid) {
        return tree(pid).stream().mapToLong(p -> statusKilobytes(p, "VmHWM:")).sum() / 1024.0;
    }

    /** Resident memory now ({@code VmRSS}) in MB of {@code pid} plus that of each live descendant. */
    public static double rssMegabytes(long pid) {
        return tree(pid).stream().mapToLong(p -> statusKilobytes(p, "VmRSS:")).sum() / 1024.0;
    }

    /**
     * CPU seconds of the children {@code pid} has waited for ({@code cutime + cstime}, fields 16 and 17): how a
     * shell wrapper reports the CPU of a tool that has already exited.
     */
    public static double waitedChildrenCpuSeconds(String statLine) {
        String[] fields = fieldsAfterCommand(statLine);
        // fields[0] is field 3 (state); cutime is field 16, cstime field 17.
        return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) / TICKS_PER_SECOND;
    }

    static double ownCpuSeconds(long pid) {
        try {
            String[] fields = fieldsAfterCommand(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The process and its live descendants, found by parent pid. */
    static List<Long> tree(long root) {
        List<Long> all = new ArrayList<>();
        all.add(root);
        List<long[]> parents = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : proc) {
                try {
                    String[] fields = fieldsAfterCommand(Files.readString(dir.resolve("stat")));
                    parents.add(new long[] {Long.parseLong(dir.getFileName().toString()), Long.parseLong(fields[1])});
                } catch (IOException | RuntimeException e) {
                    // exited while we looked
                }
            }
        } catch (IOException e) {
            return all;
        }
        for (int i = 0; i < all.size(); i++) {
            long parent = all.get(i);
            for (long[] pp : parents) {
                if (pp[1] == parent) {
                    all.add(pp[0]);
                }
            }
        }
        return all;
    }

    private static long statusKilobytes(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }

    /** The fields after {@code (comm)}, which may itself contain spaces and parentheses. */
    private static String[] fieldsAfterCommand(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    }
}
