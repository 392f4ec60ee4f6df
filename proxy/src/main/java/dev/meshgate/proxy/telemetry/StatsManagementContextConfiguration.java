package dev.meshgate.proxy.telemetry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import reactor.core.publisher.Mono;

/**
 * Envoy's {@code /stats/prometheus} on the admin port (the management server's own context, so that no mesh
 * listener serves it), where Istio's scrape configurations and annotations look for a proxy's metrics.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
public class StatsManagementContextConfiguration {

    @Bean
    RouterFunction<ServerResponse> meshgateStatsPrometheus(ObjectProvider<IstioMetrics> metrics) {
        MediaType type = MediaType.parseMediaType(PrometheusEndpoint.CONTENT_TYPE);
        return RouterFunctions.route().GET("/stats/prometheus", request -> {
            IstioMetrics m = metrics.getIfAvailable();
            if (m == null) {
                return ServerResponse.notFound().build();
            }
            return ServerResponse.ok().contentType(type).body(Mono.fromSupplier(m::scrape), String.class);
        }).build();
    }
}
