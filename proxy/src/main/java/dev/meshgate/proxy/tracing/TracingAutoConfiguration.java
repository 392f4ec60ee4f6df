package dev.meshgate.proxy.tracing;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.route.MeshRoutingAutoConfiguration;
import dev.meshgate.proxy.telemetry.TelemetryProperties;

/**
 * Tracing for a proxy: the {@link MeshTracer} (a stream sink) and the web filter that starts each request's span.
 * Wired here with Brave's and zipkin-reporter's parts directly rather than through Boot's tracing
 * auto-configuration: that one builds one tracer from properties at startup (fixed sampler and collector) and
 * observes every request of the app in Boot's span shape, where a proxy needs Envoy's shape on its mesh listeners
 * only and a configuration that follows each pushed view. Off with {@code meshgate.proxy.telemetry.tracing.enabled=false}.
 */
@AutoConfiguration(after = MeshRoutingAutoConfiguration.class)
@ConditionalOnProperty(name = TelemetryProperties.TRACING_ENABLED, havingValue = "true", matchIfMissing = true)
public class TracingAutoConfiguration {

    @Bean(destroyMethod = "close")
    public MeshTracer meshTracer(MeshRouteTable table, ObjectProvider<ProxyIdentity> identity,
            ObjectProvider<MeterRegistry> registry) {
        ProxyIdentity id = identity.getIfAvailable();
        MeterRegistry meters = registry.getIfAvailable(SimpleMeterRegistry::new);
        Counter dropped = Counter.builder("meshgate.tracing.spans.dropped")
                .description("Spans dropped because the Zipkin reporter's queue was full or the collector failed")
                .register(meters);
        return new MeshTracer(table, id == null ? ProxyTags.UNKNOWN : ProxyTags.of(id), dropped);
    }

    @Bean
    public TracingWebFilter meshTracingWebFilter(MeshTracer tracer) {
        return new TracingWebFilter(tracer);
    }
}
