package dev.meshgate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshgate.proxy.server.BuildTimeConditions;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The sidecar runs from Spring AOT's build-time bean definitions: none of its beans may hang on a condition that a
 * run's properties decide (app port, credentials, interception, telemetry switches), or the AOT-built sidecar would
 * silently ignore them.
 */
class SidecarConditionsTest {

    private ConfigurableApplicationContext sidecar;

    @AfterEach
    void stop() {
        if (sidecar != null) {
            sidecar.close();
        }
    }

    @Test
    void noBeanOfTheSidecarHangsOnAConditionThatARunsPropertiesDecide() {
        sidecar = new SpringApplicationBuilder(SidecarApplication.class).run("--meshgate.proxy.name=web-1",
                "--meshgate.proxy.discovery-address=127.0.0.1:1", "--meshgate.proxy.admin-port=0",
                "--meshgate.sidecar.outbound-port=0", "--meshgate.sidecar.inbound-port=0",
                "--meshgate.sidecar.app-port=1");

        assertThat(BuildTimeConditions.in(sidecar.getBeanFactory())).isEmpty();
    }
}
