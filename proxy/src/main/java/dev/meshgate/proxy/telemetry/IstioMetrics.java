package dev.meshgate.proxy.telemetry;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The store of Istio's HTTP metrics (and gRPC's message counts) and their Prometheus text rendering ({@code text/plain; version=0.0.4},
 * no exemplars). A series is found once per label set and kept by its caller ({@link IstioMetricsSink} caches it
 * per small key), so recording a request costs adders, not a lookup by strings.
 *
 * <p>Families may hold series with different label names (a Telemetry {@code tagOverrides} that applies to one
 * reporter only), as Envoy's output does; Prometheus accepts that.
 */
public final class IstioMetrics {

    /** Envoy's default histogram buckets, which Istio's standard histograms use. */
    static final double[] BUCKETS = {0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
            300000, 600000, 1800000, 3600000};
    private static final String[] BUCKET_TEXT = bucketText();

    /** The HTTP metrics, in {@link dev.meshgate.core.telemetry.Metrics.IstioMetric} order. */
    enum Family {
        REQUESTS_TOTAL("istio_requests_total", false),
        REQUEST_DURATION("istio_request_duration_milliseconds", true),
        REQUEST_BYTES("istio_request_bytes", true),
        RESPONSE_BYTES("istio_response_bytes", true),
        REQUEST_MESSAGES("istio_request_messages_total", false),
        RESPONSE_MESSAGES("istio_response_messages_total", false);

        final String metricName;
        final boolean histogram;

        Family(String metricName, boolean histogram) {
            this.metricName = metricName;
            this.histogram = histogram;
        }
    }

    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> requestMessages = new ConcurrentHashMap<>();
    private final Map<String, Counter> responseMessages = new ConcurrentHashMap<>();
    private final Map<String, Histogram> durations = new ConcurrentHashMap<>();
    private final Map<String, Histogram> requestBytes = new ConcurrentHashMap<>();
    private final Map<String, Histogram> responseBytes = new ConcurrentHashMap<>();
    /** Further families rendered after the HTTP ones (the TCP metrics, {@link IstioTcpMetrics}). */
    private final java.util.List<java.util.function.Consumer<StringBuilder>> sections =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Renders {@code section}'s families into every scrape, after the HTTP ones. */
    public void addSection(java.util.function.Consumer<StringBuilder> section) {
        sections.add(section);
    }

    /** The counter of {@code family} with these labels ({@code {a="b",...}}). */
    Counter counter(Family family, String labels) {
        Map<String, Counter> map = switch (family) {
            case REQUESTS_TOTAL -> requests;
            case REQUEST_MESSAGES -> requestMessages;
            case RESPONSE_MESSAGES -> responseMessages;
            default -> throw new IllegalArgumentException("family: " + family + " (expected: a counter)");
        };
        return map.computeIfAbsent(labels, l -> new Counter());
    }

    /** The histogram of {@code family} with these labels. */
    Histogram histogram(Family family, String labels) {
        Map<String, Histogram> map = switch (family) {
            case REQUEST_DURATION -> durations;
            case REQUEST_BYTES -> requestBytes;
            case RESPONSE_BYTES -> responseBytes;
            default -> throw new IllegalArgumentException("family: " + family + " (expected: a histogram)");
        };
        return map.computeIfAbsent(labels, l -> new Histogram());
    }

    /** Every series in Prometheus' text format. */
    public String scrape() {
        StringBuilder out = new StringBuilder(4096);
        renderCounters(out, Family.REQUESTS_TOTAL.metricName, requests);
        render(out, Family.REQUEST_DURATION.metricName, durations);
        render(out, Family.REQUEST_BYTES.metricName, requestBytes);
        render(out, Family.RESPONSE_BYTES.metricName, responseBytes);
        renderCounters(out, Family.REQUEST_MESSAGES.metricName, requestMessages);
        renderCounters(out, Family.RESPONSE_MESSAGES.metricName, responseMessages);
        sections.forEach(section -> section.accept(out));
        // The proxy's CPU, which the proxy-performance dashboard divides by the requests.
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            out.append("# TYPE process_cpu_time_ns_total counter\nprocess_cpu_time_ns_total ")
                    .append(os.getProcessCpuTime()).append('\n');
        }
        // And its memory, threads and GC, which the dashboard's JVM panels chart.
        JvmMetrics.render(out);
        return out.toString();
    }

    private static void renderCounters(StringBuilder out, String name, Map<String, Counter> series) {
        if (series.isEmpty()) {
            return;
        }
        out.append("# TYPE ").append(name).append(" counter\n");
        series.forEach((labels, counter) -> out.append(name).append(labels).append(' ').append(counter.value.sum())
                .append('\n'));
    }

    private static void render(StringBuilder out, String name, Map<String, Histogram> series) {
        if (series.isEmpty()) {
            return;
        }
        out.append("# TYPE ").append(name).append(" histogram\n");
        series.forEach((labels, histogram) -> {
            // The labels end with '}': the bucket's le goes before it.
            String open = labels.substring(0, labels.length() - 1);
            String separator = open.length() > 1 ? "," : "";
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += histogram.buckets[i].sum();
                out.append(name).append("_bucket").append(open).append(separator).append("le=\"")
                        .append(BUCKET_TEXT[i]).append("\"} ").append(cumulative).append('\n');
            }
            long count = histogram.count.sum();
            out.append(name).append("_bucket").append(open).append(separator).append("le=\"+Inf\"} ")
                    .append(Math.max(count, cumulative)).append('\n');
            out.append(name).append("_sum").append(labels).append(' ').append(format(histogram.sum.sum()))
                    .append('\n');
            out.append(name).append("_count").append(labels).append(' ').append(count).append('\n');
        });
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : Double.toString(value);
    }

    private static String[] bucketText() {
        String[] text = new String[BUCKETS.length];
        for (int i = 0; i < BUCKETS.length; i++) {
            text[i] = format(BUCKETS[i]);
        }
        return text;
    }

    /** A monotonic count. */
    static final class Counter {
        final LongAdder value = new LongAdder();

        void increment() {
            value.increment();
        }

        void add(long amount) {
            value.add(amount);
        }
    }

    /** Counts per Envoy bucket (not cumulative; the rendering sums them), the sum and the count. */
    static final class Histogram {
        final LongAdder[] buckets = new LongAdder[BUCKETS.length];
        final DoubleAdder sum = new DoubleAdder();
        final LongAdder count = new LongAdder();

        Histogram() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void record(double value) {
            int i = 0;
            while (i < BUCKETS.length && value > BUCKETS[i]) {
                i++;
            }
            if (i < BUCKETS.length) {
                buckets[i].increment();
            }
            sum.add(value);
            count.increment();
        }
    }
}
