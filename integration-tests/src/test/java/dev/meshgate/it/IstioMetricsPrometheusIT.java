package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import tools.jackson.databind.JsonNode;

import dev.meshgate.it.harness.Dashboards;
import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.Load;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.Prometheus;
import dev.meshgate.it.harness.Readiness;
import dev.meshgate.it.harness.Replies;
import dev.meshgate.it.harness.Repository;
import dev.meshgate.it.harness.SidecarClient;

/**
 * Istio's dashboard queries on a real Prometheus that found the mesh through the control plane's discovery:
 * the success rate equals the injected abort rate, the destination's p99 reflects the workload's delay, and every
 * panel of every shipped dashboard returns data.
 */
@ExtendWith(DumpLogsOnFailure.class)
class IstioMetricsPrometheusIT {

    /** 25 % of requests aborted with 503 by the client sidecar's fault filter. */
    private static final double ABORT = 0.25;
    private static final int REQUESTS = 400;
    private static final int DELAY_MILLIS = 300;
    private static final String SERVICE = "web.default.svc.cluster.local";

    private static Mesh mesh;
    private static Prometheus prometheus;
    private static Replies replies;
    private static Thread background;
    /** Panels that have data only in scenarios this test does not create. */
    private static final Set<String> NO_DATA_HERE = Set.of(
            // flags at the destination: here every fault is injected by the client sidecar
            "Incoming response flags");

    @BeforeAll
    static void start() {
        mesh = Mesh.builder(IstioMetricsPrometheusIT.class).slowWorkload("web", "v1", DELAY_MILLIS)
                .clientSidecar("client")
                .config("fault.yaml", WebConfig.virtualServiceForWeb("web", """
                        - fault:
                            abort:
                              httpStatus: 503
                              percentage:
                                value: %s
                          route:
                          - destination:
                              host: web
                        """.formatted(ABORT * 100)))
                .start();
        SidecarClient client = mesh.sidecar("client").client();
        // Both series (200 and 503) exist before Prometheus' first scrape: rate() counts from a series' first sample.
        Load.send(40, 8, () -> client.get("http://web/warm-up"));
        prometheus = Prometheus.start(mesh.controlPlane(), Repository.logDirectory(IstioMetricsPrometheusIT.class));
        Readiness.waitUpTo(Duration.ofSeconds(60)).until(() -> {
            int up = 0;
            for (JsonNode target : prometheus.activeTargets()) {
                if (target.path("scrapeUrl").asString().endsWith("/stats/prometheus")
                        && target.path("health").asString().equals("up")) {
                    up++;
                }
            }
            return up >= 2;
        });
        replies = Load.send(REQUESTS, 16, () -> client.get("http://web/prom"));
        // Traffic keeps flowing while the queries run, so that every rate(...[1m]) has samples.
        background = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                Load.send(40, 8, () -> client.get("http://web/prom"));
            }
        }, "background-load");
        background.setDaemon(true);
        background.start();
    }

    @AfterAll
    static void stop() {
        if (background != null) {
            background.interrupt();
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void theSuccessRateEqualsTheInjectedAbortRate() {
        String total = "sum(increase(istio_requests_total{reporter=~\"source|waypoint\"}[5m]))";
        Readiness.waitUpTo(Duration.ofSeconds(60)).until(() -> prometheus.scalar(total) >= REQUESTS * 0.9);
        double success = prometheus.scalar("sum(rate(istio_requests_total{reporter=~\"source|waypoint\","
                + "response_code!~\"5..\"}[1m])) / sum(rate(istio_requests_total{reporter=~\"source|waypoint\"}[1m]))");
        // 4 sigma of a binomial proportion over the requests sent.
        double sigma = Math.sqrt(ABORT * (1 - ABORT) / REQUESTS);
        assertThat(success).isCloseTo(1 - ABORT, org.assertj.core.data.Offset.offset(4 * sigma + 0.02));
        assertThat(replies.byStatus().keySet()).containsExactlyInAnyOrder(200, 503);
    }

    @Test
    void theDestinationP99ReflectsTheWorkloadDelay() {
        String p99 = "histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{"
                + "reporter=\"destination\",destination_service=\"" + SERVICE + "\"}[1m])) by (le))";
        Readiness.waitUpTo(Duration.ofSeconds(60)).until(() -> !Double.isNaN(prometheus.scalar(p99)));
        // Every answer took at least the delay: the 99th percentile lies in the bucket above it (250, 500] or later.
        assertThat(prometheus.scalar(p99)).isGreaterThanOrEqualTo(250).isLessThanOrEqualTo(5000);
    }

    @Test
    void everyDashboardPanelReturnsData() {
        List<String> empty = new ArrayList<>();
        Readiness.waitUpTo(Duration.ofSeconds(60)).untilAsserted(() -> {
            empty.clear();
            for (Dashboards.Dashboard dashboard : Dashboards.all()) {
                for (Dashboards.Panel panel : dashboard.panels()) {
                    if (NO_DATA_HERE.contains(panel.title())) {
                        continue;
                    }
                    for (String query : panel.queries()) {
                        Set<String> names = Dashboards.metricNames(query);
                        if (names.stream().noneMatch(n -> n.startsWith("istio_"))) {
                            continue;
                        }
                        JsonNode answer = prometheus.query(Dashboards.asSentByGrafana(query));
                        if (answer.path("data").path("result").isEmpty()) {
                            empty.add(dashboard.title() + " / " + panel.title() + ": " + query);
                        }
                    }
                }
            }
            assertThat(empty).isEmpty();
        });
    }
}
