package dev.meshgate.proxy.timeline;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

import dev.meshgate.proxy.route.MeshRoutingAutoConfiguration;

/** Per-request Flight Recorder events, for finding what the slowest requests wait for. */
@AutoConfiguration(after = MeshRoutingAutoConfiguration.class)
public class TimelineAutoConfiguration {

    @Bean
    public RequestTimelineSink meshRequestTimelineSink() {
        return new RequestTimelineSink();
    }
}
