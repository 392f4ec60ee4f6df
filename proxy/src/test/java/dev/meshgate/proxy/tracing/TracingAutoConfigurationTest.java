package dev.meshgate.proxy.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.meshgate.proxy.route.MeshRouteTable;

class TracingAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TracingAutoConfiguration.class))
            .withBean(MeshRouteTable.class, MeshRouteTable::new);

    @Test
    void aProxyTracesUnlessTracingIsTurnedOffByItsProperty() {
        runner.run(context -> assertThat(context).hasSingleBean(MeshTracer.class)
                .hasSingleBean(TracingWebFilter.class));
        // Off: both are null (NullBean), decided when created, so that Spring AOT cannot freeze the switch.
        runner.withPropertyValues("meshgate.proxy.telemetry.tracing.enabled=false").run(context -> {
            assertThat(context.getBeanProvider(MeshTracer.class).getIfAvailable()).isNull();
            assertThat(context.getBeanProvider(TracingWebFilter.class).orderedStream()).isEmpty();
        });
    }
}
