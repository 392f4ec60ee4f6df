package dev.meshgate.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class JvmMetricsTest {

    private static double value(String scrape, String prefix) {
        return scrape.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(
                l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void aScrapeCarriesTheJvmFamiliesTheDashboardsChartUnderMicrometersNames() {
        String scrape = new IstioMetrics().scrape();

        assertThat(scrape).contains("# TYPE jvm_memory_used_bytes gauge\n", "# TYPE jvm_threads_live_threads gauge\n",
                "# TYPE jvm_gc_pause_seconds summary\n");
        assertThat(value(scrape, "jvm_memory_used_bytes{area=\"heap\"")).isPositive();
        assertThat(value(scrape, "jvm_memory_used_bytes{area=\"nonheap\"")).isPositive();
        assertThat(value(scrape, "jvm_threads_live_threads ")).isGreaterThanOrEqualTo(1);
        assertThat(scrape.lines().filter(l -> l.startsWith("jvm_gc_pause_seconds_sum{gc=\"")).toList()).isNotEmpty();
        List<String> families = scrape.lines().filter(l -> l.startsWith("# TYPE ")).toList();
        assertThat(families).doesNotHaveDuplicates();
    }

    @Test
    void gcTimeCountsOnceACollectionHappened() {
        System.gc();
        String scrape = new IstioMetrics().scrape();
        assertThat(value(scrape, "jvm_gc_pause_seconds_count{")).isPositive();
    }
}
