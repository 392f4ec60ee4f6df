package dev.meshgate.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class LeanProxyDefaultsTest {

    @Test
    void anApplicationPropertyOverridesADefault() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("app",
                Map.of("spring.cloud.gateway.server.webflux.predicate.weight.enabled", "true")));
        new LeanProxyDefaults().postProcessEnvironment(environment, new SpringApplication());
        assertThat(environment.getProperty("spring.cloud.gateway.server.webflux.predicate.weight.enabled"))
                .isEqualTo("true");
        assertThat(environment.getProperty("spring.cloud.gateway.server.webflux.metrics.enabled")).isEqualTo("false");
        assertThat(environment.getProperty("spring.autoconfigure.exclude"))
                .contains("org.springframework.boot.webflux.autoconfigure.WebFluxObservationAutoConfiguration");
    }
}
