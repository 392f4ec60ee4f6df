package dev.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SimulateCommandTest {

    /** The proxy module's simulation fixture: reviews, ratings, productpage and an ingress gateway. */
    private static final String BOOKINFO = Path.of("..", "proxy", "src", "test", "resources", "simulation", "bookinfo")
            .toString();
    private static final String DEMO = Path.of("..", "samples", "mesh").toString();

    @Test
    void printsWhereASidecarSendsARequestAndWhy() {
        Run run = Run.of("simulate", "--config", BOOKINFO, "--proxy", "productpage-v1.default", "--labels",
                "app=productpage,version=v1", "-H", "end-user: jason", "http://reviews:9080/reviews/1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains(
                "proxy:     productpage-v1.default (sidecar, labels app=productpage,version=v1)",
                "request:   GET http://reviews:9080/reviews/1 [end-user: jason]",
                "listener:  outbound",
                "vhost:     reviews.default.svc.cluster.local:9080",
                "route:     default.reviews.0 (name: jason)",
                "  from:    VirtualService default/reviews spec.http[0] (",
                "reviews.yaml:8)",
                "  match:   match[0] headers[end-user] exact jason",
                "100.0%  outbound|9080|v2|reviews.default.svc.cluster.local (weight 100)",
                "endpoints: 10.0.0.2:9080 (app=reviews,version=v2)",
                "request headers: set x-user=jason",
                "response headers: remove x-internal");
    }

    @Test
    void printsWeightsAndEveryPolicyOfTheRoute() {
        Run run = Run.of("simulate", "--config", BOOKINFO, "--proxy", "productpage-v1.default",
                "http://reviews.default.svc.cluster.local:9080/");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains(
                "  not matched: default.reviews.0",
                "route:     default.reviews.2 (name: split)",
                "(no match conditions: every request)",
                " 80.0%  outbound|9080|v1|reviews.default.svc.cluster.local (weight 80)",
                " 20.0%  outbound|9080|v3|reviews.default.svc.cluster.local (weight 20)",
                "connection pool: maxConnections 100",
                "outlier detection: consecutive5xxErrors 5",
                "load balancer: ROUND_ROBIN",
                "  timeout:  2s",
                "  retries:  3 attempts, per try 500ms, on 5xx,connect-failure",
                "  fault:    none",
                "  mirror:   outbound|9080|v3|reviews.default.svc.cluster.local 25%");
    }

    @Test
    void printsFaultsAndTheMethodMatch() {
        Run run = Run.of("simulate", "--config", BOOKINFO, "--proxy", "productpage-v1.default", "-X", "GET",
                "http://ratings:9080/slow");

        assertThat(run.out()).contains("match[0] uri prefix /slow, method exact GET",
                "  fault:    delay 7s for 100%; abort 500 for 10%");

        Run post = Run.of("simulate", "--config", BOOKINFO, "--proxy", "productpage-v1.default", "-X", "POST",
                "http://ratings:9080/slow");
        assertThat(post.out()).contains("route:     meshgate.no_route", "outcome:   404 NR: no route");
    }

    @Test
    void aGatewayWorkloadIsSimulatedAsTheGateway() {
        Run run = Run.of("simulate", "--config", DEMO, "--proxy", "ingressgateway.istio-system", "--labels",
                "istio=ingressgateway", "http://web.example.com/");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("(gateway, labels istio=ingressgateway)", "listener:  gateway/80",
                "route:     default.web.1 (name: canary)", "  not matched: default.web.0",
                "virtualservice.yaml:", " 90.0%  outbound|80|v1|web.default.svc.cluster.local (weight 90)",
                " 10.0%  outbound|80|v2|web.default.svc.cluster.local (weight 10)",
                "endpoints: 127.0.0.1:9201 (app=web,version=v1), 127.0.0.1:9202 (app=web,version=v1)");
    }

    @Test
    void jsonOutputCarriesTheDecision() throws Exception {
        Run run = Run.of("simulate", "--config", BOOKINFO, "--proxy", "productpage-v1.default", "-o", "json",
                "http://reviews:9080/");

        assertThat(run.exitCode()).isZero();
        JsonNode doc = JsonMapper.builder().build().readTree(run.out());
        assertThat(doc.path("proxy").path("kind").asString()).isEqualTo("SIDECAR");
        assertThat(doc.path("decision").path("routeId").asString()).isEqualTo("default.reviews.2");
        assertThat(doc.path("decision").path("outcome").asString()).isEqualTo("ROUTE");
        assertThat(doc.path("decision").path("destinations").get(0).path("weight").asInt()).isEqualTo(80);
        assertThat(doc.path("decision").path("destinations").get(0).path("cluster").path("endpoints").get(0)
                .path("address").asString()).isEqualTo("10.0.0.1");
        assertThat(doc.path("decision").path("route").path("timeoutMillis").asLong()).isEqualTo(2000);
        assertThat(doc.path("virtualService").path("httpIndex").asInt()).isEqualTo(2);
        assertThat(doc.path("virtualService").path("source").asString()).endsWith("reviews.yaml:2");
    }

    @Test
    void anUnknownHostIsPassedThrough() {
        Run run = Run.of("simulate", "--config", BOOKINFO, "--proxy", "productpage-v1.default", "http://example.org/");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("vhost:     - (no virtual host serves this authority)",
                "route:     PassthroughCluster", "outcome:   passed through");
    }

    @Test
    void printsOneLinePerHttpEntryWithTheLineItWasWrittenOn() {
        Run run = Run.of("simulate", "--config", BOOKINFO, "--proxy", "productpage-v1.default", "--labels",
                "app=productpage,version=v1", "http://reviews:9080/");

        assertThat(run.exitCode()).as(run.err()).isZero();
        String file = Path.of(BOOKINFO, "reviews.yaml").toString();
        assertThat(run.outLines()).containsSubsequence(
                "vhost:     reviews.default.svc.cluster.local:9080",
                "  not matched: default.reviews.0 VirtualService default/reviews spec.http[0] \"jason\" (" + file
                        + ":8): match[0] headers[end-user] exact jason",
                "  not in view: default.reviews.1 VirtualService default/reviews spec.http[1] \"from-v2\" (" + file
                        + ":18): its sourceLabels, sourceNamespace or gateways do not select this proxy",
                "  matched:     default.reviews.2 VirtualService default/reviews spec.http[2] \"split\" (" + file
                        + ":23): every request -> outbound|9080|v1|reviews.default.svc.cluster.local 80%, "
                        + "outbound|9080|v3|reviews.default.svc.cluster.local 20%; timeout 2s, retries 3 on "
                        + "5xx,connect-failure per try 500ms, mirror outbound|9080|v3|reviews.default.svc.cluster.local"
                        + " 25%",
                "route:     default.reviews.2 (name: split)",
                "  from:    VirtualService default/reviews spec.http[2] (" + file + ":23)");
    }

    @Test
    void theTraceIsInTheJsonDocument() throws Exception {
        Run run = Run.of("simulate", "--config", BOOKINFO, "--proxy", "productpage-v1.default", "-o", "json",
                "-H", "end-user: jason", "http://reviews:9080/");

        JsonNode trace = JsonMapper.builder().build().readTree(run.out()).path("trace");
        assertThat(trace.size()).isEqualTo(1);
        assertThat(trace.get(0).path("verdict").asString()).isEqualTo("MATCHED");
        assertThat(trace.get(0).path("virtualService").path("httpSource").asString()).endsWith("reviews.yaml:8");
        assertThat(trace.get(0).path("matches").get(0).asString()).isEqualTo("match[0] headers[end-user] exact jason");
        assertThat(trace.get(0).path("policies").toString()).contains("request headers changed");
    }

    @Test
    void aMeshConfigFileAppliesAsTheControlPlaneAppliesIt(@TempDir Path dir) throws Exception {
        Path mesh = dir.resolve("mesh.yaml");
        Files.writeString(mesh, """
                outboundTrafficPolicy: {mode: REGISTRY_ONLY}
                defaultHttpRetryPolicy: {attempts: 5, retryOn: "gateway-error"}
                """);

        Run unknown = Run.of("simulate", "--config", BOOKINFO, "--mesh-config", mesh.toString(), "--proxy",
                "productpage-v1.default", "http://example.org/");
        assertThat(unknown.exitCode()).as(unknown.err()).isZero();
        assertThat(unknown.out()).contains("mesh:      " + mesh + " (MeshConfig applied)",
                "outcome:   502 NR: unknown host and outbound traffic policy REGISTRY_ONLY");
        // a route without retries takes MeshConfig's defaultHttpRetryPolicy
        Run details = Run.of("simulate", "--config", BOOKINFO, "--mesh-config", mesh.toString(), "--proxy",
                "productpage-v1.default", "-H", "end-user: jason", "http://reviews:9080/");
        assertThat(details.out()).contains("  retries:  5 attempts, on gateway-error");

        Run without = Run.of("simulate", "--config", BOOKINFO, "--proxy", "productpage-v1.default",
                "http://example.org/");
        assertThat(without.out()).doesNotContain("mesh:").contains("outcome:   passed through");
    }

    @Test
    void anInvalidMeshConfigIsReportedAndTheDefaultsStay(@TempDir Path dir) throws Exception {
        Path mesh = dir.resolve("mesh.yaml");
        Files.writeString(mesh, "outboundTrafficPolicy: {mode: SOMETIMES}\n");

        Run run = Run.of("simulate", "--config", BOOKINFO, "--mesh-config", mesh.toString(), "--proxy",
                "productpage-v1.default", "http://example.org/");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("(MeshConfig not applied: it has errors", "ERROR [MG",
                "outcome:   passed through");
        assertThat(Run.of("simulate", "--config", BOOKINFO, "--mesh-config", dir.resolve("none.yaml").toString(),
                "--proxy", "a.b", "http://x/").errLines().get(0))
                .isEqualTo("meshctl: simulate: --mesh-config: not a file: " + dir.resolve("none.yaml"));
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThat(Run.of("simulate", "--config", BOOKINFO, "http://x/").errLines().get(0))
                .isEqualTo("meshctl: simulate needs --config DIR, --proxy NAME.NAMESPACE and a URL");
        assertThat(Run.of("simulate", "--config", BOOKINFO, "--proxy", "nonamespace", "http://x/").errLines().get(0))
                .isEqualTo("meshctl: --proxy: nonamespace (expected: NAME.NAMESPACE)");
        assertThat(Run.of("simulate", "--config", BOOKINFO, "--proxy", "a.b", "/relative").errLines().get(0))
                .startsWith("meshctl: URL: /relative (expected: an absolute URL");
        Run badHeader = Run.of("simulate", "--config", BOOKINFO, "--proxy", "a.b", "-H", "nocolon", "http://x/");
        assertThat(badHeader.exitCode()).isEqualTo(2);
        assertThat(badHeader.errLines().get(0)).isEqualTo("meshctl: -H: nocolon (expected: 'name: value')");
    }
}
