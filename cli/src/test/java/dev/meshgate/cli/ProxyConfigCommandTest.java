package dev.meshgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.discovery.Hello;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.proxy.discovery.ProxyProperties;
import dev.meshgate.proxy.discovery.TestControlPlane;
import dev.meshgate.proxy.testapp.TestListenerBinding;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code meshctl proxy-config} against a real proxy app on loopback: a test control plane pushes the view the
 * control plane would compute for {@code productpage-v1.default} from the simulation fixture, and meshctl reads it
 * back from the proxy's admin port.
 */
class ProxyConfigCommandTest {

    private static final String PROXY = "productpage-v1.default";
    private static final String FAILOVER = "outbound|9080||failover.default.svc.cluster.local";
    private static final Path BOOKINFO = Path.of("..", "proxy", "src", "test", "resources", "simulation", "bookinfo");

    private static TestControlPlane controlPlane;
    private static ConfigurableApplicationContext proxy;
    private static String admin;
    private static Hello hello;

    /** A proxy app: mesh routing, discovery and the admin endpoint, with the identity the properties give. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class AdminProxy {

        @Bean
        ProxyIdentity proxyIdentity(ProxyProperties properties) {
            return properties.identity(ProxyKind.SIDECAR, Map.of());
        }

        @Bean
        TestListenerBinding testListenerBinding() {
            return new TestListenerBinding();
        }
    }

    @BeforeAll
    static void startProxy() throws Exception {
        SimulateCommand.Options options = SimulateCommand.parse(List.of("--config", BOOKINFO.toString(), "--proxy",
                PROXY, "--labels", "app=productpage,version=v1", "http://reviews:9080/"));
        controlPlane = new TestControlPlane(0, withFailoverCluster(SimulateCommand.view(options)));
        proxy = new SpringApplicationBuilder(AdminProxy.class).run("--meshgate.proxy.name=productpage-v1",
                "--meshgate.proxy.namespace=default", "--meshgate.proxy.labels.app=productpage",
                "--meshgate.proxy.discovery-address=127.0.0.1:" + controlPlane.port(), "--server.port=0",
                "--server.address=127.0.0.1", "--management.server.port=0", "--management.server.address=127.0.0.1",
                "--management.endpoints.web.exposure.include=meshgate", "--spring.main.banner-mode=off");
        hello = controlPlane.next(Hello.class);
        controlPlane.next(Ack.class);
        admin = "127.0.0.1:" + proxy.getEnvironment().getRequiredProperty("local.management.port");
    }

    /**
     * The view plus a cluster whose endpoints are in two localities at two priority levels, as
     * {@code localityLbSetting} failover gives them to a proxy in us-east.
     */
    private static ProxyView withFailoverCluster(ProxyView v) {
        List<ClusterSpec> clusters = new ArrayList<>(v.clusters());
        clusters.add(new ClusterSpec(FAILOVER, "failover.default.svc.cluster.local", 9080, null,
                ClusterSpec.Discovery.STATIC, List.of(
                        new EndpointSpec("10.1.0.1", 9080, Map.of(), 1, "us-east/zone-a/", null).withPriority(0, 0),
                        new EndpointSpec("10.1.0.2", 9080, Map.of(), 1, "us-west/zone-b/", null).withPriority(1, 0))));
        return new ProxyView(v.version(), v.snapshotVersion(), v.listeners(), clusters, v.outboundTrafficPolicy(),
                v.pathNormalization(), v.telemetry(), v.tracing(), v.auth(), v.accessLog(), v.tcpListeners());
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
    }

    @Test
    void theProxyAnnouncesItsAdminAddressInItsHello() {
        assertThat(hello.adminAddress()).isEqualTo(admin);
    }

    @Test
    void theAdminAddressIsFoundThroughTheControlPlanesProxyStatus() {
        ControlPlaneClient.Proxies proxies = new ControlPlaneClient.Proxies("s1", List.of(
                new ControlPlaneClient.ProxyStatus("productpage-v1", "default", "SIDECAR", true, "SYNCED", "v", "s1",
                        null, admin),
                new ControlPlaneClient.ProxyStatus("old", "default", "SIDECAR", true, "SYNCED", "v", "s1", null, null)));

        assertThat(ProxyConfigCommand.adminAddressOf(PROXY, proxies)).isEqualTo(HostPort.parse("admin", admin));
        assertThatThrownBy(() -> ProxyConfigCommand.adminAddressOf("old.default", proxies))
                .hasMessage("the control plane does not know the admin address of old.default; give it with --admin host:port");
        assertThatThrownBy(() -> ProxyConfigCommand.adminAddressOf("nobody.default", proxies))
                .hasMessage("the control plane knows no proxy nobody.default (see meshctl proxy-status)");
    }

    @Test
    void listenersShowTheOutboundListenerAndItsFallback() {
        Run run = Run.of("proxy-config", "listeners", PROXY, "--admin", admin);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.outLines().get(0)).matches("ADDRESS +PORT +MATCH +DESTINATION");
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line).matches("127\\.0\\.0\\.1 +0 +ALL +Route: outbound"));
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line)
                .matches("127\\.0\\.0\\.1 +0 +unknown host +PassthroughCluster"));
    }

    @Test
    void routesShowEachRouteWithItsVirtualService() {
        Run run = Run.of("proxy-config", "routes", PROXY, "--admin", admin);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.outLines().get(0)).matches("NAME +VHOST NAME +DOMAINS +MATCH +VIRTUAL SERVICE");
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line).matches(
                "outbound +reviews\\.default\\.svc\\.cluster\\.local:9080 +\\S+ \\+ \\d+ more\\.\\.\\. +/\\* \\(header end-user\\) +reviews\\.default"));
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line).matches(
                "outbound +ratings\\.default\\.svc\\.cluster\\.local:9080 +.* +/slow\\* \\(method=GET\\) +ratings\\.default"));
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line).matches(
                "outbound +productpage\\.default\\.svc\\.cluster\\.local:9080 +.* +/\\* +-"));
    }

    @Test
    void clustersShowServicePortSubsetAndPolicy() {
        Run run = Run.of("proxy-config", "clusters", PROXY, "--admin", admin);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.outLines().get(0)).matches("SERVICE FQDN +PORT +SUBSET +DIRECTION +TYPE +DESTINATION RULE");
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line).matches(
                "reviews\\.default\\.svc\\.cluster\\.local +9080 +v3 +outbound +EDS +round_robin,connectionPool,outlierDetection"));
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line).matches(
                "ratings\\.default\\.svc\\.cluster\\.local +9080 +v1 +outbound +EDS +-"));
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line).startsWith("PassthroughCluster "));
    }

    @Test
    void endpointsShowHealthAndOutlierState() {
        Run run = Run.of("proxy-config", "endpoints", PROXY, "--admin", admin);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.outLines().get(0)).matches("ENDPOINT +STATUS +OUTLIER CHECK +CLUSTER +LOCALITY +PRIORITY");
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line).matches(
                "10\\.0\\.0\\.1:9080 +HEALTHY +OK +outbound\\|9080\\|v1\\|reviews\\.default\\.svc\\.cluster\\.local +- +0"));
    }

    @Test
    void endpointsShowLocalityPriorityAndThePriorityLevelsTheProxyBalancesOver() {
        Run run = Run.of("proxy-config", "endpoints", PROXY, "--admin", admin);

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.outLines();
        assertThat(lines).anySatisfy(line -> assertThat(line).matches(
                "10\\.1\\.0\\.1:9080 +HEALTHY +OK +outbound\\|9080\\|\\|failover\\.default\\.svc\\.cluster\\.local"
                        + " +us-east/zone-a/ +0"));
        assertThat(lines).anySatisfy(line -> assertThat(line).matches(
                "10\\.1\\.0\\.2:9080 +HEALTHY +OK +outbound\\|9080\\|\\|failover\\.default\\.svc\\.cluster\\.local"
                        + " +us-west/zone-b/ +1"));
        // The second table: each level of the cluster as the proxy balances now (all load on the healthy level 0).
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("CLUSTER ")).findFirst().orElseThrow());
        assertThat(lines.get(header)).matches("CLUSTER +PRIORITY +ENDPOINTS +HEALTHY +HEALTH +LOAD +PANIC");
        assertThat(lines.get(header - 1)).isEmpty();
        assertThat(lines.subList(header + 1, lines.size())).containsExactly(
                String.format("%-" + FAILOVER.length() + "s   0          1           1         100%%     100%%   no", FAILOVER),
                String.format("%-" + FAILOVER.length() + "s   1          1           1         100%%     0%%     no", FAILOVER));
    }

    @Test
    void endpointsJsonCarriesThePriorityLevels() throws Exception {
        Run run = Run.of("proxy-config", "endpoints", PROXY, "--admin", admin, "-o", "json");

        JsonNode doc = JsonMapper.builder().build().readTree(run.out());
        JsonNode levels = doc.path("priorityLevels").path(FAILOVER);
        assertThat(levels.size()).isEqualTo(2);
        assertThat(levels.get(0).path("load").asInt()).isEqualTo(100);
        assertThat(levels.get(1).path("priority").asInt()).isEqualTo(1);
    }

    @Test
    void jsonOutputIsTheProxysClusters() throws Exception {
        Run run = Run.of("proxy-config", "clusters", PROXY, "--admin", admin, "-o", "json");

        JsonNode clusters = JsonMapper.builder().build().readTree(run.out());
        assertThat(clusters.isArray()).isTrue();
        assertThat(clusters.findValuesAsString("name")).contains("outbound|9080|v2|reviews.default.svc.cluster.local");
    }

    @Test
    void anotherProxysNameIsRefused() {
        Run run = Run.of("proxy-config", "clusters", "someone-else.default", "--admin", admin);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines().get(0)).isEqualTo("meshctl proxy-config: the proxy at " + admin + " is " + PROXY
                + ", not someone-else.default");
    }

    @Test
    void anUnknownSectionIsAUsageError() {
        Run run = Run.of("proxy-config", "secrets", PROXY, "--admin", admin);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines().get(0))
                .isEqualTo("meshctl: proxy-config: secrets (expected: listeners, routes, clusters or endpoints)");
    }
}
