package dev.meshgate.proxy.server;

import java.util.List;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webflux.autoconfigure.WebHttpHandlerBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.web.server.WebFilter;

import dev.meshgate.proxy.filter.ResponseHopByHopHeadersFilter;

import io.micrometer.observation.ObservationRegistry;

/**
 * The proxy's WebFlux server without what a mesh request does not need: Spring's per-request server observation
 * (WebFlux would otherwise start and stop an {@code http.server.requests} observation, a timer with its tags,
 * around every request, from whatever {@link ObservationRegistry} the context holds; meshgate's request metrics
 * are its own, with Istio's names), and Spring Cloud Gateway's chain of header-copying filters, replaced by
 * meshgate's one-pass filters, and Spring's per-filter checkpoint around each of meshgate's WebFilters
 * ({@link MeshWebFilterChain}), and its per-handler operators around every request
 * ({@link JoinedWebExceptionHandlers}). Plus the limits of the HTTP edge ({@link DownstreamProperties}).
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@EnableConfigurationProperties(DownstreamProperties.class)
public class ProxyServerAutoConfiguration {

    @Bean
    static ReplacedHeadersFilters meshgateReplacedHeadersFilters() {
        return new ReplacedHeadersFilters();
    }

    @Bean
    ResponseHopByHopHeadersFilter meshResponseHopByHopHeadersFilter() {
        return new ResponseHopByHopHeadersFilter();
    }

    @Bean
    WebHttpHandlerBuilderCustomizer meshgateUnobservedServer() {
        return builder -> builder.observationRegistry(ObservationRegistry.NOOP);
    }

    @Bean
    WebHttpHandlerBuilderCustomizer meshgateJoinedWebFilters() {
        return builder -> builder.filters(filters -> {
            List<WebFilter> joined = MeshWebFilterChain.join(filters);
            filters.clear();
            filters.addAll(joined);
        });
    }

    @Bean
    WebHttpHandlerBuilderCustomizer meshgateJoinedExceptionHandlers() {
        return builder -> builder.exceptionHandlers(JoinedWebExceptionHandlers::join);
    }

    @Bean
    DownstreamHttp2 meshgateDownstreamHttp2() {
        return new DownstreamHttp2();
    }

    @Bean
    DownstreamLimits meshgateDownstreamLimits(DownstreamProperties properties) {
        return new DownstreamLimits(properties);
    }
}
