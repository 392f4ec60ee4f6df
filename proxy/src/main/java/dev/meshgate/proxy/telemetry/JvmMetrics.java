package dev.meshgate.proxy.telemetry;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;

/**
 * The JVM's figures under the names and labels of Micrometer's JVM binders, as Spring Boot apps (the control plane
 * among them) export them, so that the proxy-performance dashboard's JVM panels read proxies and the control plane
 * alike: {@code jvm_memory_used_bytes}/{@code _committed_bytes}/{@code _max_bytes} per pool ({@code area},
 * {@code id}), {@code jvm_threads_live_threads}/{@code _daemon_threads}/{@code _peak_threads}, and
 * {@code jvm_gc_pause_seconds} per collector ({@code gc}). Read from the platform MXBeans when scraped: nothing is
 * recorded per request or per collection.
 *
 * <p>Micrometer times each pause from the collectors' notifications (labels {@code action}, {@code cause},
 * {@code gc}); here {@code _count} and {@code _sum} are the collector's collection count and accumulated collection
 * time, the same for stop-the-world collectors (the proxies run Serial GC), larger for a concurrent one.
 */
final class JvmMetrics {

    private JvmMetrics() {
    }

    /** Appends the families to a scrape. */
    static void render(StringBuilder out) {
        memory(out, "jvm_memory_used_bytes", 0);
        memory(out, "jvm_memory_committed_bytes", 1);
        memory(out, "jvm_memory_max_bytes", 2);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        gauge(out, "jvm_threads_live_threads", threads.getThreadCount());
        gauge(out, "jvm_threads_daemon_threads", threads.getDaemonThreadCount());
        gauge(out, "jvm_threads_peak_threads", threads.getPeakThreadCount());
        out.append("# TYPE jvm_gc_pause_seconds summary\n");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            String labels = "{gc=\"" + escape(gc.getName()) + "\"}";
            out.append("jvm_gc_pause_seconds_count").append(labels).append(' ')
                    .append(Math.max(0, gc.getCollectionCount())).append('\n');
            out.append("jvm_gc_pause_seconds_sum").append(labels).append(' ')
                    .append(Math.max(0, gc.getCollectionTime()) / 1000.0).append('\n');
        }
    }

    private static void memory(StringBuilder out, String name, int figure) {
        out.append("# TYPE ").append(name).append(" gauge\n");
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage usage = pool.getUsage();
            if (usage == null) {
                continue;
            }
            long value = figure == 0 ? usage.getUsed() : figure == 1 ? usage.getCommitted() : usage.getMax();
            out.append(name).append("{area=\"").append(pool.getType() == MemoryType.HEAP ? "heap" : "nonheap")
                    .append("\",id=\"").append(escape(pool.getName())).append("\"} ").append(value).append('\n');
        }
    }

    private static void gauge(StringBuilder out, String name, long value) {
        out.append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(value).append('\n');
    }

    /** A label value in Prometheus' text format. */
    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
