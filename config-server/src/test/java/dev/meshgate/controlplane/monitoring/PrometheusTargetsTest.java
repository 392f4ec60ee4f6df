package dev.meshgate.controlplane.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.Map;

import dev.meshgate.controlplane.ConfigServerApplication;
import dev.meshgate.controlplane.push.TestProxy;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The Prometheus service discovery of the mesh, read over HTTP while proxies connect and leave. */
class PrometheusTargetsTest {

    @TempDir
    static Path configDir;

    static ConfigurableApplicationContext context;
    static int port;
    static WebClient http;
    static final JsonMapper JSON = JsonMapper.builder().build();

    @BeforeAll
    static void start() {
        context = new SpringApplicationBuilder(ConfigServerApplication.class).run(
                "--meshgate.control-plane.config-dir=" + configDir, "--meshgate.control-plane.port=0");
        port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        http = WebClient.create("http://127.0.0.1:" + port);
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @Test
    void listsTheControlPlaneAndEveryConnectedProxyWithAnAdminAddress() throws Exception {
        ProxyIdentity gateway = new ProxyIdentity("ingress-1", "istio-system", ProxyKind.GATEWAY,
                Map.of("istio", "ingressgateway"), null);
        try (TestProxy web = TestProxy.withAdminAddress(port,
                new ProxyIdentity("web-v1-1", "shop", ProxyKind.SIDECAR, Map.of("app", "web", "version", "v1"), null),
                "127.0.0.1:15100");
                TestProxy ingress = TestProxy.withAdminAddress(port, gateway, "127.0.0.1:15101");
                TestProxy silent = TestProxy.connect(port, "no-admin-1")) {
            web.nextPush();
            ingress.nextPush();
            silent.nextPush();
            JsonNode groups = targets();
            assertThat(groups.size()).isEqualTo(3);

            JsonNode self = groups.get(0);
            assertThat(self.path("targets").get(0).asString()).isEqualTo("127.0.0.1:" + port);
            assertThat(self.path("labels").path("__metrics_path__").asString()).isEqualTo("/metrics");
            assertThat(self.path("labels").path("app").asString()).isEqualTo("meshgate-control-plane");

            JsonNode webGroup = group(groups, "127.0.0.1:15100");
            assertThat(JSON.convertValue(webGroup.path("labels"), Map.class)).isEqualTo(Map.of(
                    "__metrics_path__", "/stats/prometheus", "namespace", "shop", "pod", "web-v1-1",
                    "kind", "sidecar", "app", "web", "version", "v1"));
            assertThat(JSON.convertValue(group(groups, "127.0.0.1:15101").path("labels"), Map.class)).isEqualTo(Map.of(
                    "__metrics_path__", "/stats/prometheus", "namespace", "istio-system", "pod", "ingress-1",
                    "kind", "gateway"));

            ingress.close();
            await().untilAsserted(() -> assertThat(targets().size()).isEqualTo(2));
            assertThat(group(targets(), "127.0.0.1:15100")).isNotNull();
        }
    }

    static JsonNode targets() {
        return JSON.readTree(http.get().uri(PrometheusTargetsController.PATH).retrieve().bodyToMono(String.class)
                .block());
    }

    static JsonNode group(JsonNode groups, String target) {
        for (JsonNode group : groups) {
            if (group.path("targets").get(0).asString().equals(target)) {
                return group;
            }
        }
        throw new AssertionError("no target " + target + " in " + groups);
    }
}
