package dev.meshgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.meshgate.core.discovery.Ack;
import dev.meshgate.proxy.cluster.SocketTransport;
import dev.meshgate.proxy.discovery.TestControlPlane;
import dev.meshgate.proxy.discovery.TestViews;
import dev.meshgate.proxy.server.LeanClassPathContract;
import dev.meshgate.testing.FreePorts;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.PropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What the gateway shares with the sidecar's footprint and transport (docs/performance.md, "Fewer classes" and
 * "io_uring"): no QUIC native library, no Log4j API, a properties file, and io_uring under its listeners where the
 * kernel allows it.
 */
class GatewayFootprintTest extends LeanClassPathContract {

    @Test
    void aGatewayPortIsServedOnIoUringWhereTheKernelAllowsIt() throws Exception {
        Path disabled = Path.of("/proc/sys/kernel/io_uring_disabled");
        assumeTrue(!Files.exists(disabled) || Files.readString(disabled).trim().equals("0"), "io_uring is allowed");
        assertThat(SocketTransport.DEFAULT).isEqualTo(SocketTransport.IO_URING);
        int http = FreePorts.next();
        try (TestControlPlane controlPlane = new TestControlPlane(0, TestViews.gateway("v1", 80));
                ConfigurableApplicationContext gateway = new SpringApplicationBuilder(GatewayApplication.class).run(
                        "--meshgate.proxy.name=ingress", "--meshgate.proxy.namespace=istio-system",
                        "--meshgate.proxy.discovery-address=127.0.0.1:" + controlPlane.port(),
                        "--meshgate.proxy.admin-port=0", "--meshgate.gateway.port-map.80=" + http)) {
            assertThat(controlPlane.answerTo("v1")).isInstanceOf(Ack.class);
            WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + http).responseTimeout(Duration.ofSeconds(10))
                    .build().get().uri("/").header("Host", "shop.example.com").exchange()
                    .expectStatus().isOk().expectBody(String.class).isEqualTo("gateway port 80");
            // Boot reads application.yaml with SnakeYAML (~150 classes); application.properties needs none of it.
            assertThat(gateway.getEnvironment().getPropertySources().stream().map(PropertySource::getName))
                    .anyMatch(name -> name.contains("application.properties"))
                    .noneMatch(name -> name.contains("application.yaml") || name.contains("application.yml"));
            assertThat(gateway.getEnvironment().getProperty("management.endpoints.web.exposure.include"))
                    .isEqualTo("health,meshgate,prometheus");
        }
    }
}
