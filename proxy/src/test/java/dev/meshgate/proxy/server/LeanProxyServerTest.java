package dev.meshgate.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.gateway.filter.WeightCalculatorWebFilter;
import org.springframework.cloud.gateway.filter.headers.GRPCRequestHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.GRPCResponseHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.context.ApplicationContext;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.web.reactive.DispatcherHandler;
import org.springframework.web.server.WebExceptionHandler;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebHandler;
import org.springframework.web.server.adapter.HttpWebHandlerAdapter;
import org.springframework.web.server.handler.ExceptionHandlingWebHandler;
import org.springframework.web.server.handler.FilteringWebHandler;
import org.springframework.web.server.handler.WebHandlerDecorator;

import dev.meshgate.proxy.filter.ResponseHopByHopHeadersFilter;
import dev.meshgate.proxy.filter.UpstreamRequestHeadersFilter;
import dev.meshgate.proxy.route.MeshRoutePredicateHandlerMapping;
import dev.meshgate.proxy.testapp.TestProxyApplication;

import io.micrometer.observation.ObservationRegistry;

/** What a proxy's Spring context leaves out of the request path (the defaults of {@link LeanProxyDefaults}). */
@SpringBootTest(classes = TestProxyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "server.address=127.0.0.1")
class LeanProxyServerTest {

    @Autowired
    ApplicationContext context;

    @Test
    void theMeshHandlerMappingIsAskedFirst() {
        DispatcherHandler dispatcher = context.getBean(DispatcherHandler.class);
        assertThat(dispatcher.getHandlerMappings()).first().isInstanceOf(MeshRoutePredicateHandlerMapping.class);
    }

    @Test
    void theWebFluxServerObservesNoRequest() {
        // The context has an observation registry (actuator's); the server must not use it.
        assertThat(context.getBean(ObservationRegistry.class).isNoop()).isFalse();
        HttpHandler handler = context.getBean(HttpHandler.class);
        assertThat(handler).isInstanceOf(HttpWebHandlerAdapter.class);
        assertThat(((HttpWebHandlerAdapter) handler).getObservationRegistry().isNoop()).isTrue();
    }

    @Test
    void meshgatesWebFiltersRunAsOneChainWithoutSpringsPerFilterCheckpoints() {
        HttpWebHandlerAdapter adapter = (HttpWebHandlerAdapter) context.getBean(HttpHandler.class);
        WebHandler handler = adapter.getDelegate();
        while (handler instanceof WebHandlerDecorator decorator && !(handler instanceof FilteringWebHandler)) {
            handler = decorator.getDelegate();
        }
        List<WebFilter> filters = ((FilteringWebHandler) handler).getFilters();
        List<MeshWebFilter> meshFilters = context.getBeanProvider(MeshWebFilter.class).orderedStream().toList();
        assertThat(meshFilters).hasSizeGreaterThan(3);
        assertThat(filters).noneMatch(MeshWebFilter.class::isInstance);
        assertThat(filters).filteredOn(MeshWebFilterChain.class::isInstance).singleElement()
                .extracting(chain -> ((MeshWebFilterChain) chain).filters()).isEqualTo(meshFilters);
    }

    @Test
    void theWebExceptionHandlersRunAsOneInSpringsOrder() {
        HttpWebHandlerAdapter adapter = (HttpWebHandlerAdapter) context.getBean(HttpHandler.class);
        WebHandler handler = adapter.getDelegate();
        while (!(handler instanceof ExceptionHandlingWebHandler) && handler instanceof WebHandlerDecorator decorator) {
            handler = decorator.getDelegate();
        }
        List<WebExceptionHandler> handlers = ((ExceptionHandlingWebHandler) handler).getExceptionHandlers();
        List<WebExceptionHandler> beans = context.getBeanProvider(WebExceptionHandler.class).orderedStream().toList();
        assertThat(beans).hasSizeGreaterThan(1);
        // After the one Spring's handler puts first (it adds a checkpoint to the error, on the error path only).
        assertThat(handlers).hasSize(2).noneMatch(beans::contains);
        assertThat(handlers.get(1)).isInstanceOf(JoinedWebExceptionHandlers.class)
                .extracting(joined -> ((JoinedWebExceptionHandlers) joined).handlers()).isEqualTo(beans);
    }

    @Test
    void springCloudGatewayPartsMeshRoutesDoNotUseAreNotCreated() {
        assertThat(context.getBeanNamesForType(WeightCalculatorWebFilter.class)).isEmpty();
        assertThat(context.getBeanNamesForType(GRPCRequestHeadersFilter.class)).isEmpty();
        assertThat(context.getBeanNamesForType(GRPCResponseHeadersFilter.class)).isEmpty();
        assertThat(context.getBeanNamesForType(
                org.springframework.boot.micrometer.metrics.autoconfigure.logging.logback.LogbackMetricsAutoConfiguration.class))
                .isEmpty();
    }

    @Test
    void springBootAndSpringCloudPartsNoProxyUsesAreNotCreated() {
        assertThat(context.containsBean("applicationTaskExecutor")).isFalse();
        assertThat(context.getBeanNamesForType(org.springframework.web.server.session.WebSessionIdResolver.class))
                .isEmpty();
        assertThat(context.getBeanNamesForType(
                org.springframework.cloud.context.properties.ConfigurationPropertiesRebinder.class)).isEmpty();
        assertThat(context.getBeanNamesForType(org.springframework.cloud.commons.util.InetUtils.class)).isEmpty();
        assertThat(context.getBeanNamesForType(
                org.springframework.cloud.client.actuator.HasFeatures.class)).isEmpty();
        assertThat(context.getBeanNamesForType(org.springframework.boot.webflux.actuate.endpoint.web
                .AdditionalHealthEndpointPathsWebFluxHandlerMapping.class)).isEmpty();
    }

    @Test
    void upstreamHeadersGoThroughMeshgatesOnePassFiltersOnly() {
        assertThat(context.getBeansOfType(HttpHeadersFilter.class).values())
                .extracting(filter -> (Class) filter.getClass())
                .containsExactlyInAnyOrder(UpstreamRequestHeadersFilter.class, ResponseHopByHopHeadersFilter.class);
    }
}
