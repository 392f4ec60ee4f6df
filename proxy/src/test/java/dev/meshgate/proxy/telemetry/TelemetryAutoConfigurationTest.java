package dev.meshgate.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.meshgate.proxy.route.MeshRouteTable;

class TelemetryAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TelemetryAutoConfiguration.class))
            .withBean(MeshRouteTable.class, MeshRouteTable::new);

    @Test
    void aProxyRecordsIstioMetricsUnlessTurnedOffAndThenItsPrometheusEndpointHasNothingToServe() {
        runner.run(context -> {
            assertThat(context.getBeanProvider(IstioMetrics.class).getIfAvailable()).isNotNull();
            assertThat(context.getBean(PrometheusEndpoint.class).scrape()).contains("process_cpu_time_ns_total");
        });
        // Off: decided when the beans are created (NullBean), so that Spring AOT cannot freeze the switch; the
        // endpoint stays (actuator calls its bean) and answers null, which actuator turns into 404.
        runner.withPropertyValues("meshgate.proxy.telemetry.metrics.enabled=false").run(context -> {
            assertThat(context.getBeanProvider(IstioMetrics.class).getIfAvailable()).isNull();
            assertThat(context.getBeanProvider(PeerMetadata.class).getIfAvailable()).isNull();
            assertThat(context.getBean(PrometheusEndpoint.class).scrape()).isNull();
        });
    }
}
