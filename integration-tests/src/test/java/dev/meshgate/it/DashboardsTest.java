package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.meshgate.it.harness.Dashboards;
import dev.meshgate.it.harness.Dashboards.Dashboard;
import dev.meshgate.it.harness.Dashboards.Panel;
import dev.meshgate.it.harness.Dashboards.Variable;

import org.junit.jupiter.api.Test;

/**
 * The shipped Grafana dashboards read only what meshgate exports: Istio's standard metrics (issue #9), the control
 * plane's istiod-named metrics, the JVM and process metrics Micrometer gives every meshgate program, and
 * Prometheus's own {@code up}. A query on a metric nobody exports would be an empty panel forever.
 */
class DashboardsTest {

    static final Set<String> EXPORTED = Set.of(
            // Istio's standard metrics, from the proxies' /stats/prometheus
            "istio_requests_total",
            "istio_request_duration_milliseconds_bucket", "istio_request_duration_milliseconds_sum",
            "istio_request_duration_milliseconds_count",
            "istio_request_bytes_bucket", "istio_request_bytes_sum", "istio_request_bytes_count",
            "istio_response_bytes_bucket", "istio_response_bytes_sum", "istio_response_bytes_count",
            // the control plane's, from its /metrics
            "pilot_xds", "pilot_xds_pushes", "pilot_total_xds_rejects", "pilot_services", "pilot_virt_services",
            "pilot_xds_push_time_bucket", "pilot_xds_push_time_sum", "pilot_xds_push_time_count",
            "pilot_proxy_convergence_time_bucket", "pilot_proxy_convergence_time_sum",
            "pilot_proxy_convergence_time_count",
            "pilot_debounce_time_bucket", "pilot_debounce_time_sum", "pilot_debounce_time_count",
            "meshgate_invalid_resources", "meshgate_refused_pushes_total",
            // Micrometer's JVM and process metrics, which every meshgate program registers
            "process_cpu_time_ns_total", "jvm_memory_used_bytes", "jvm_gc_pause_seconds_sum",
            "jvm_gc_pause_seconds_count", "jvm_threads_live_threads",
            // Prometheus's own, per target
            "up");

    static final List<String> EXPECTED = List.of("meshgate-control-plane", "meshgate-mesh", "meshgate-performance",
            "meshgate-service", "meshgate-workload");

    @Test
    void theMeshServiceWorkloadControlPlaneAndPerformanceDashboardsAreShipped() {
        assertThat(Dashboards.all()).extracting(Dashboard::uid).containsExactlyElementsOf(EXPECTED);
    }

    @Test
    void everyPanelHasAQueryAndEveryQueryNamesOnlyExportedMetrics() {
        List<String> problems = new ArrayList<>();
        for (Dashboard dashboard : Dashboards.all()) {
            assertThat(dashboard.panels()).as(dashboard.file().toString()).isNotEmpty();
            for (Panel panel : dashboard.panels()) {
                if (panel.queries().isEmpty()) {
                    problems.add(dashboard.uid() + " / " + panel.title() + ": no query");
                }
                for (String query : panel.queries()) {
                    Set<String> names = Dashboards.metricNames(query);
                    if (names.isEmpty()) {
                        problems.add(dashboard.uid() + " / " + panel.title() + ": no metric in " + query);
                    }
                    for (String name : names) {
                        if (!EXPORTED.contains(name)) {
                            problems.add(dashboard.uid() + " / " + panel.title() + ": " + name + " is not exported");
                        }
                    }
                }
            }
            for (Variable variable : dashboard.variables()) {
                if (variable.query() != null) {
                    for (String name : Dashboards.metricNames(Dashboards.selectorOf(variable.query()))) {
                        if (!EXPORTED.contains(name)) {
                            problems.add(dashboard.uid() + " / $" + variable.name() + ": " + name + " is not exported");
                        }
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theDataPlaneDashboardsHaveNamespaceServiceAndWorkloadVariables() {
        for (Dashboard dashboard : Dashboards.all()) {
            List<String> names = dashboard.variables().stream().map(Variable::name).toList();
            assertThat(names).as(dashboard.uid()).contains("datasource");
            switch (dashboard.uid()) {
                case "meshgate-service", "meshgate-workload" ->
                        assertThat(names).as(dashboard.uid()).contains("namespace", "service", "workload");
                case "meshgate-mesh", "meshgate-performance" -> assertThat(names).as(dashboard.uid()).contains("namespace");
                default -> { }
            }
        }
    }

    @Test
    void metricNamesAreReadFromPromql() {
        assertThat(Dashboards.metricNames("histogram_quantile(0.99, sum by (le, destination_service) "
                + "(rate(istio_request_duration_milliseconds_bucket{reporter=~\"source|waypoint\",x=\"a{b}\"}"
                + "[$__rate_interval])))")).containsExactly("istio_request_duration_milliseconds_bucket");
        assertThat(Dashboards.metricNames("(sum(rate(process_cpu_time_ns_total{a=\"b\"}[1m])) / 1e9) / "
                + "sum(rate(istio_requests_total[1m])) * 1000 or vector(0)"))
                .containsExactly("process_cpu_time_ns_total", "istio_requests_total");
        assertThat(Dashboards.metricNames("sum(up) or on(job) bogus_metric")).containsExactly("up", "bogus_metric");
        assertThat(Dashboards.asSentByGrafana("rate(x{a=~\"$namespace\",b=~\"${service}\"}[$__rate_interval])"))
                .isEqualTo("rate(x{a=~\".*\",b=~\".*\"}[1m])");
    }
}
