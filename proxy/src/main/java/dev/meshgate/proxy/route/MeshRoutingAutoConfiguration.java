package dev.meshgate.proxy.route;

import java.util.List;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.gateway.config.GatewayAutoConfiguration;
import org.springframework.cloud.gateway.config.GlobalCorsProperties;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.server.WebFilter;

import dev.meshgate.proxy.grpc.GrpcWebGlobalFilter;
import dev.meshgate.proxy.filter.UpstreamRequestHeadersFilter;
import dev.meshgate.proxy.filter.UpstreamFailureGlobalFilter;
import dev.meshgate.proxy.upstream.UpstreamGlobalFilter;
import dev.meshgate.proxy.mirror.MirrorClient;
import dev.meshgate.proxy.upstream.UpstreamTransport;
import dev.meshgate.proxy.upstream.UpstreamProperties;
import dev.meshgate.proxy.telemetry.PeerMetadataExchange;
import dev.meshgate.proxy.stream.StreamSink;
import dev.meshgate.proxy.stream.StreamInfoWebFilter;

/**
 * Sets mesh routing up inside Spring Cloud Gateway: the {@link MeshRouteTable}, the handler mapping that looks
 * routes up in it (declared before Spring Cloud Gateway's, whose {@code @ConditionalOnMissingBean} then steps
 * aside) with a filtering handler whose per-route filter chains are computed once per view, the global filters that send a route's cluster upstream and answer upstream failures, and the web filter that lets mesh routes
 * see CORS preflights. The app
 * provides a {@link ListenerBinding}.
 */
@AutoConfiguration(before = GatewayAutoConfiguration.class)
@EnableConfigurationProperties(UpstreamProperties.class)
public class MeshRoutingAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public MeshRouteTable meshRouteTable(ObjectProvider<UpstreamTransport> transport) {
        // The transport is made after the table (TLS origination prepares each view through it): asked for later.
        return new MeshRouteTable(new MirrorClient(MirrorClient.MAX_IN_FLIGHT, MirrorClient.TIMEOUT,
                SingletonSupplier.of(() -> transport.getIfAvailable(() -> UpstreamTransport.PLAINTEXT))));
    }

    @Bean
    public MeshRoutePredicateHandlerMapping meshRoutePredicateHandlerMapping(List<GlobalFilter> globalFilters,
            MeshRouteTable table, ListenerBinding binding, GlobalCorsProperties globalCorsProperties,
            Environment environment) {
        FilteringWebHandler webHandler = new MeshFilteringWebHandler(globalFilters, table);
        return new MeshRoutePredicateHandlerMapping(webHandler, table, binding, globalCorsProperties, environment);
    }

    @Bean
    public StreamInfoWebFilter meshStreamInfoWebFilter(ListenerBinding binding, ObjectProvider<StreamSink> sinks) {
        return new StreamInfoWebFilter(binding, sinks.orderedStream().toList());
    }

    @Bean
    public WebFilter meshPathNormalizationWebFilter(MeshRouteTable table, ListenerBinding binding) {
        return new MeshPathNormalizationWebFilter(table, binding);
    }

    @Bean
    public WebFilter meshDispatchWebFilter(MeshRoutePredicateHandlerMapping mapping) {
        return new MeshDispatchWebFilter(mapping);
    }

    @Bean
    public UpstreamGlobalFilter meshUpstreamGlobalFilter(ObjectProvider<List<HttpHeadersFilter>> headersFilters,
            UpstreamProperties properties, ObjectProvider<PeerMetadataExchange> peerMetadata,
            ObjectProvider<UpstreamTransport> transport) {
        return new UpstreamGlobalFilter(headersFilters, properties, peerMetadata.getIfAvailable(),
                transport.getIfAvailable(() -> UpstreamTransport.PLAINTEXT));
    }

    @Bean
    public GrpcWebGlobalFilter meshGrpcWebGlobalFilter(MeshRouteTable table) {
        return new GrpcWebGlobalFilter(table::grpcWebListener);
    }

    @Bean
    public UpstreamFailureGlobalFilter meshUpstreamFailureGlobalFilter() {
        return new UpstreamFailureGlobalFilter();
    }

    /** A sidecar's: forwarded headers pass through. A gateway declares its own, as the mesh's edge. */
    @Bean
    @ConditionalOnMissingBean
    public UpstreamRequestHeadersFilter meshUpstreamRequestHeadersFilter() {
        return new UpstreamRequestHeadersFilter();
    }
}
