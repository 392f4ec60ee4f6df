package dev.meshgate.proxy.accesslog;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.route.MeshRoutingAutoConfiguration;

/** The access-log sink of a proxy, configured by each pushed view. */
@AutoConfiguration(after = MeshRoutingAutoConfiguration.class)
public class AccessLogAutoConfiguration {

    @Bean(destroyMethod = "close")
    public AccessLogSink meshAccessLogSink(MeshRouteTable table, ObjectProvider<MeterRegistry> registry) {
        Counter dropped = Counter.builder("meshgate.access.log.dropped")
                .description("Access-log lines dropped because the writer's queue was full")
                .register(registry.getIfAvailable(SimpleMeterRegistry::new));
        return new AccessLogSink(table, dropped, AccessLogWriter.DEFAULT_CAPACITY);
    }
}
