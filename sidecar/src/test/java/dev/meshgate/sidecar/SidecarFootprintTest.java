package dev.meshgate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshgate.proxy.discovery.TestControlPlane;
import dev.meshgate.proxy.discovery.TestViews;
import dev.meshgate.proxy.server.LeanClassPathContract;
import dev.meshgate.testing.FreePorts;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.PropertySource;

/**
 * What a sidecar leaves out of its class path and its start (docs/performance.md, "Fewer classes"): each item here
 * was loaded into every sidecar and used by none.
 */
class SidecarFootprintTest extends LeanClassPathContract {

    @Test
    void theSidecarsSettingsAreAPropertiesFileNotYaml() {
        try (TestControlPlane controlPlane = new TestControlPlane(0, TestViews.empty("v1"));
                ConfigurableApplicationContext sidecar = new SpringApplicationBuilder(SidecarApplication.class).run(
                        "--meshgate.proxy.name=web-1", "--meshgate.proxy.namespace=shop",
                        "--meshgate.proxy.discovery-address=127.0.0.1:" + controlPlane.port(),
                        "--meshgate.proxy.admin-port=0", "--meshgate.sidecar.outbound-port=0",
                        "--meshgate.sidecar.inbound-port=" + FreePorts.next())) {
            // Boot reads application.yaml with SnakeYAML (~150 classes); application.properties needs none of it.
            assertThat(sidecar.getEnvironment().getPropertySources().stream().map(PropertySource::getName))
                    .anyMatch(name -> name.contains("application.properties"))
                    .noneMatch(name -> name.contains("application.yaml") || name.contains("application.yml"));
            assertThat(sidecar.getEnvironment().getProperty("management.endpoints.web.exposure.include"))
                    .isEqualTo("health,meshgate,prometheus");
            assertThat(sidecar.getEnvironment().getProperty("logging.pattern.console"))
                    .isEqualTo("%d{HH:mm:ss.SSS} %5p [%15.15t] %-36.36logger{35} %m%n");
        }
    }
}
