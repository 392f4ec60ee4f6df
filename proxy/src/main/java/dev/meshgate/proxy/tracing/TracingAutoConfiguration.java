package dev.meshgate.proxy.tracing;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
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
 * only and a configuration that follows each pushed view. Off with
 * {@code meshgate.proxy.telemetry.tracing.enabled=false}, read when the beans are created (both then {@code null}, a {@code NullBean}), not by a condition, which Spring AOT
 * would decide at build time (as {@link dev.meshgate.proxy.telemetry.TelemetryAutoConfiguration}).
 */
@AutoConfiguration(after = MeshRoutingAutoConfiguration.class)
@EnableConfigurationProperties(TelemetryProperties.class)
public class TracingAutoConfiguration {

    @Bean(destroyMethod = "close")
    public @Nullable MeshTracer meshTracer(TelemetryProperties properties, MeshRouteTable table,
            ObjectProvider<ProxyIdentity> identity, ObjectProvider<MeterRegistry> registry) {
        if (!properties.tracing().enabled()) {
            return null;
        }
        ProxyIdentity id = identity.getIfAvailable();
        MeterRegistry meters = registry.getIfAvailable(SimpleMeterRegistry::new);
        Counter dropped = Counter.builder("meshgate.tracing.spans.dropped")
                .description("Spans dropped because the Zipkin reporter's queue was full or the collector failed")
                .register(meters);
        return new MeshTracer(table, id == null ? ProxyTags.UNKNOWN : ProxyTags.of(id), dropped);
    }

    @Bean
    public @Nullable TracingWebFilter meshTracingWebFilter(ObjectProvider<MeshTracer> tracer) {
        MeshTracer available = tracer.getIfAvailable();
        return available == null ? null : new TracingWebFilter(available);
    }
}
