package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.meshgate.it.harness.Dashboards;
import dev.meshgate.it.harness.Dashboards.Dashboard;
import dev.meshgate.it.harness.Dashboards.Panel;
import dev.meshgate.it.harness.Dashboards.Variable;
import dev.meshgate.it.harness.DumpLogsOnFailure;
import dev.meshgate.it.harness.IngressGateway;
import dev.meshgate.it.harness.Mesh;
import dev.meshgate.it.harness.MeshProxy;
import dev.meshgate.it.harness.Prometheus;
import dev.meshgate.it.harness.Readiness;
import dev.meshgate.it.harness.Repository;
import tools.jackson.databind.JsonNode;

/**
 * A real Prometheus whose only configuration is the control plane's HTTP service discovery finds the control plane
 * and every proxy by itself, reads istiod's {@code pilot_xds} from the control plane, and accepts every query of
 * every shipped dashboard.
 */
@ExtendWith(DumpLogsOnFailure.class)
class PrometheusDiscoveryIT {

    /** Discovery refresh and scrape are 1 s; generous for two busy cores. */
    static final Duration DISCOVERED = Duration.ofSeconds(60);

    private static Mesh mesh;
    private static Prometheus prometheus;

    @BeforeAll
    static void start() {
        // One workload, a client and a gateway: both proxy kinds, and few JVMs for a busy machine.
        mesh = Mesh.builder(PrometheusDiscoveryIT.class).workload("web", "v1").clientSidecar("client")
                .ingressGateway().start();
        prometheus = Prometheus.start(mesh.controlPlane(), Repository.logDirectory(PrometheusDiscoveryIT.class));
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void prometheusFindsTheControlPlaneAndEveryProxyThroughTheControlPlane() {
        int controlPlanePort = mesh.controlPlane().port();
        Readiness.waitUpTo(DISCOVERED).pollInterval(Duration.ofMillis(500))
                .alias("the control plane and every proxy among Prometheus's targets").untilAsserted(() -> {
                    JsonNode targets = prometheus.activeTargets();
                    JsonNode self = target(targets, "http://127.0.0.1:" + controlPlanePort + "/metrics");
                    assertThat(self.path("health").asString()).as("%s", self).isEqualTo("up");
                    assertThat(self.path("labels").path("app").asString()).isEqualTo("meshgate-control-plane");
                    assertThat(self.path("labels").path("job").asString()).isEqualTo("meshgate");
                    for (MeshProxy proxy : mesh.proxies()) {
                        JsonNode target = target(targets, ":" + proxy.adminPort() + "/stats/prometheus");
                        JsonNode labels = target.path("labels");
                        assertThat(labels.path("pod").asString()).as("%s", target).isEqualTo(proxy.name());
                        assertThat(labels.path("namespace").asString()).isEqualTo(MeshProxy.NAMESPACE);
                        assertThat(labels.path("kind").asString())
                                .isEqualTo(proxy instanceof IngressGateway ? "gateway" : "sidecar");
                    }
                    assertThat(targets.size()).isEqualTo(mesh.proxies().size() + 1);
                });
    }

    @Test
    void pilotXdsEqualsTheNumberOfConnectedProxies() {
        Readiness.waitUpTo(DISCOVERED).pollInterval(Duration.ofMillis(500))
                .alias("sum(pilot_xds) == " + mesh.proxies().size())
                .untilAsserted(() -> assertThat(prometheus.scalar("sum(pilot_xds)"))
                        .isEqualTo(mesh.proxies().size()));
        assertThat(prometheus.scalar("sum(meshgate_invalid_resources)")).isZero();
        assertThat(prometheus.scalar("max(pilot_services)")).isEqualTo(1);
        assertThat(prometheus.scalar("sum(pilot_xds_pushes)")).isGreaterThanOrEqualTo(mesh.proxies().size());
    }

    @Test
    void everyDashboardQueryIsAcceptedByPrometheus() {
        List<String> refused = new ArrayList<>();
        int queries = 0;
        for (Dashboard dashboard : Dashboards.all()) {
            for (Panel panel : dashboard.panels()) {
                for (String query : panel.queries()) {
                    queries++;
                    JsonNode answer = prometheus.query(Dashboards.asSentByGrafana(query));
                    if (!"success".equals(answer.path("status").asString())) {
                        refused.add(dashboard.uid() + " / " + panel.title() + ": " + answer.path("error").asString()
                                + " in " + query);
                    }
                }
            }
            for (Variable variable : dashboard.variables()) {
                if (variable.query() != null) {
                    queries++;
                    String selector = Dashboards.asSentByGrafana(Dashboards.selectorOf(variable.query()));
                    JsonNode answer = prometheus.query("count(" + selector + ")");
                    if (!"success".equals(answer.path("status").asString())) {
                        refused.add(dashboard.uid() + " / $" + variable.name() + ": " + answer.path("error").asString());
                    }
                }
            }
        }
        assertThat(queries).isGreaterThan(50);
        assertThat(refused).isEmpty();
    }

    /**
     * Every proxy the control plane lists is scraped at {@code /stats/prometheus} and is {@code up}; that the
     * dashboards' panels return data under traffic is {@code IstioMetricsPrometheusIT}'s part.
     */
    @Test
    void everyDiscoveredProxyIsScrapedUp() {
        Readiness.waitUpTo(DISCOVERED).untilAsserted(() -> {
            for (MeshProxy proxy : mesh.proxies()) {
                JsonNode target = target(prometheus.activeTargets(), ":" + proxy.adminPort() + "/stats/prometheus");
                assertThat(target.path("health").asString()).as("%s", target).isEqualTo("up");
            }
        });
    }

    private static JsonNode target(JsonNode targets, String scrapeUrlSuffix) {
        for (JsonNode target : targets) {
            if (target.path("scrapeUrl").asString().endsWith(scrapeUrlSuffix)) {
                return target;
            }
        }
        throw new AssertionError("no target scraping *" + scrapeUrlSuffix + " among " + targets);
    }
}
