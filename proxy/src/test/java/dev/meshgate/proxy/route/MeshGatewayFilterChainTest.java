package dev.meshgate.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

import dev.meshgate.proxy.testapp.Allocation;

/** {@link MeshGatewayFilterChain} runs filters as Spring Cloud Gateway's chain does, with fewer objects. */
class MeshGatewayFilterChainTest {

    private static MockServerWebExchange exchange() {
        return MockServerWebExchange.from(MockServerHttpRequest.get("http://web/"));
    }

    @Test
    void aFilterRunsWhenTheMonoItsPredecessorGotIsSubscribedNotWhenItIsAskedFor() {
        List<String> steps = new CopyOnWriteArrayList<>();
        GatewayFilter delaying = (exchange, chain) -> Mono.delay(Duration.ofMillis(20))
                .doOnNext(tick -> steps.add("delayed"))
                .then(chain.filter(exchange));
        GatewayFilter last = (exchange, chain) -> {
            steps.add("last");
            return chain.filter(exchange);
        };
        Mono<Void> chain = MeshGatewayFilterChain.of(new GatewayFilter[] {delaying, last}, exchange());
        assertThat(steps).as("nothing runs before subscription").isEmpty();

        chain.block(Duration.ofSeconds(30));

        assertThat(steps).containsExactly("delayed", "last");
    }

    @Test
    void eachFilterGetsTheExchangeItsPredecessorPassedOn() {
        List<ServerWebExchange> seen = new ArrayList<>();
        ServerWebExchange original = exchange();
        ServerWebExchange mutated = original.mutate().request(r -> r.header("x-step", "1")).build();
        GatewayFilter mutating = (exchange, chain) -> {
            seen.add(exchange);
            return chain.filter(mutated);
        };
        GatewayFilter reading = (exchange, chain) -> {
            seen.add(exchange);
            return chain.filter(exchange);
        };

        MeshGatewayFilterChain.of(new GatewayFilter[] {mutating, reading}, original).block(Duration.ofSeconds(30));

        assertThat(seen).containsExactly(original, mutated);
    }

    @Test
    void aFilterThatThrowsFailsTheChainAndTheFiltersAfterItDoNotRun() {
        List<String> steps = new ArrayList<>();
        GatewayFilter throwing = (exchange, chain) -> {
            throw new IllegalStateException("broken filter");
        };
        GatewayFilter after = (exchange, chain) -> {
            steps.add("after");
            return chain.filter(exchange);
        };
        Mono<Void> chain = MeshGatewayFilterChain.of(new GatewayFilter[] {throwing, after}, exchange());

        assertThatThrownBy(() -> chain.block(Duration.ofSeconds(30))).hasMessage("broken filter");
        assertThat(steps).isEmpty();
    }

    @Test
    void runningAChainAllocatesLessThanSpringCloudGatewaysChainForTheSameFilters() {
        List<GatewayFilter> sorted = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            GlobalFilter passOn = (exchange, chain) -> chain.filter(exchange);
            sorted.add(new OrderedGatewayFilter(passOn::filter, i));
        }
        Route route = Route.async().id("r").uri("mesh://cluster").predicate(exchange -> true).build();
        ServerWebExchange exchange = exchange();
        exchange.getAttributes().put(GATEWAY_ROUTE_ATTR, route);
        // Spring Cloud Gateway's handler with the route's chain computed once, as meshgate had it before.
        FilteringWebHandler spring = new FilteringWebHandler(List.of(), false) {
            @Override
            protected List<GatewayFilter> getCombinedFilters(Route r) {
                return sorted;
            }
        };
        GatewayFilter[] mesh = sorted.stream().map(f -> ((OrderedGatewayFilter) f).getDelegate())
                .toArray(GatewayFilter[]::new);

        long[] bytes = Allocation.bytesPerRun(() -> spring.handle(exchange).subscribe(),
                () -> MeshGatewayFilterChain.of(mesh, exchange).subscribe());
        long springBytes = bytes[0];
        long meshBytes = bytes[1];

        // Three objects per filter there (chain, Mono.defer, lambda), one here.
        assertThat(meshBytes).as("mesh chain bytes per run (Spring Cloud Gateway's: %d)", springBytes)
                .isLessThan(springBytes * 6 / 10);
    }

}
