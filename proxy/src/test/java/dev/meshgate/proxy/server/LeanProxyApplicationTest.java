package dev.meshgate.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

class LeanProxyApplicationTest {

    @Test
    void aProxyPreparesItsEnvironmentWithoutSpringCloudsHostLookupAndWithEverythingElse() {
        ConfigurableEnvironment spring = environmentOf(new SpringApplication(Empty.class));
        ConfigurableEnvironment proxy = environmentOf(LeanProxyApplication.of(Empty.class));

        // Spring Cloud Commons' post-processor runs in a plain application (the premise) and not in a proxy's.
        assertThat(spring.getPropertySources().contains("springCloudClientHostInfo")).isTrue();
        assertThat(spring.getProperty("spring.cloud.client.hostname")).isNotNull();
        assertThat(proxy.getPropertySources().contains("springCloudClientHostInfo")).isFalse();
        assertThat(proxy.getProperty("spring.cloud.client.hostname")).isNull();
        // The other post-processors still run: config data, meshgate's defaults, the command line.
        assertThat(proxy.getPropertySources().contains(LeanProxyDefaults.PROPERTY_SOURCE)).isTrue();
        assertThat(proxy.getProperty("spring.jmx.enabled")).isEqualTo("false");
        assertThat(proxy.getProperty("meshgate.test.argument")).isEqualTo("given");
    }

    private static ConfigurableEnvironment environmentOf(SpringApplication application) {
        application.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext context = application.run("--meshgate.test.argument=given")) {
            return context.getEnvironment();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Empty {
    }
}
