package dev.meshgate.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.server.handler.FilteringWebHandler;

import reactor.core.publisher.Mono;

import dev.meshgate.proxy.testapp.Allocation;

class MeshWebFilterChainTest {

    private final List<String> calls = new ArrayList<>();

    @Test
    void adjacentMeshFiltersAreJoinedAndAForeignFilterKeepsItsPlace() {
        MeshWebFilter a = new Recording("a", true);
        MeshWebFilter b = new Recording("b", true);
        WebFilter foreign = (exchange, chain) -> chain.filter(exchange);
        MeshWebFilter c = new Recording("c", true);
        MeshWebFilter d = new Recording("d", true);
        MeshWebFilter e = new Recording("e", true);

        List<WebFilter> joined = MeshWebFilterChain.join(List.of(a, b, foreign, c, d, e));

        assertThat(joined).hasSize(3);
        assertThat(((MeshWebFilterChain) joined.get(0)).filters()).containsExactly(a, b);
        assertThat(joined.get(1)).isSameAs(foreign);
        assertThat(((MeshWebFilterChain) joined.get(2)).filters()).containsExactly(c, d, e);
    }

    @Test
    void aLoneMeshFilterStaysAsItIs() {
        MeshWebFilter a = new Recording("a", true);
        WebFilter foreign = (exchange, chain) -> chain.filter(exchange);

        assertThat(MeshWebFilterChain.join(List.of(foreign, a))).containsExactly(foreign, a);
    }

    @Test
    void onlyTheLastFilterOfAChainEndingTheListHasNothingButSpringsDispatcherAfterIt() {
        WebFilter foreign = (exchange, chain) -> chain.filter(exchange);

        runFirst(MeshWebFilterChain.join(List.of(new Recording("a", true), new Probe("last"))));
        runFirst(MeshWebFilterChain.join(List.of(new Probe("before-a"), new Recording("a", true))));
        runFirst(MeshWebFilterChain.join(List.of(new Recording("a", true), new Probe("before-foreign"), foreign)));

        assertThat(calls).containsExactly("a", "last:true", "rest", "before-a:false", "a", "rest", "a",
                "before-foreign:false", "rest");
    }

    private void runFirst(List<WebFilter> joined) {
        joined.get(0).filter(exchange(), rest()).block();
    }

    @Test
    void theFiltersRunInOrderThenTheRestOfSpringsChain() {
        WebFilter chain = MeshWebFilterChain.join(List.of(new Recording("a", true), new Recording("b", true),
                new Recording("c", true))).get(0);

        chain.filter(exchange(), rest()).block();

        assertThat(calls).containsExactly("a", "b", "c", "rest");
    }

    @Test
    void aFilterThatAnswersItselfEndsTheChain() {
        WebFilter chain = MeshWebFilterChain.join(List.of(new Recording("a", true), new Recording("b", false),
                new Recording("c", true))).get(0);

        chain.filter(exchange(), rest()).block();

        assertThat(calls).containsExactly("a", "b");
    }

    @Test
    void aRequestThroughSpringsChainCostsNoMoreForMoreJoinedFilters() {
        // Spring's chain checkpoints every WebFilter with its toString() on every request, and Reactor makes the
        // checkpoint's text then: a name listing the filters cost a request ~400 bytes in a sidecar. And Spring
        // hands every request the same rest of its chain, so the links between the filters are made once.
        ServerWebExchange exchange = exchange();
        FilteringWebHandler two = new FilteringWebHandler(ex -> Mono.empty(), MeshWebFilterChain.join(passing(2)));
        FilteringWebHandler twelve = new FilteringWebHandler(ex -> Mono.empty(),
                MeshWebFilterChain.join(passing(12)));

        long[] bytes = Allocation.bytesPerRun(() -> two.handle(exchange).subscribe(),
                () -> twelve.handle(exchange).subscribe());
        long twoBytes = bytes[0];
        long twelveBytes = bytes[1];

        // Ten more filters cost a request nothing more: neither ten more names in a string nor a link each (an
        // object is 16 bytes at least). Below that, the JIT's state decides: measured one after the other in the
        // whole suite's JVM, the longer chain came out 81 bytes dearer once and 224 bytes cheaper another time (a
        // compile landed between the two); measured in turn, the same.
        assertThat(twelveBytes - twoBytes).as("bytes per request of 12 filters (%d) over 2 (%d)", twelveBytes,
                twoBytes).isLessThan(10 * 16);
    }

    private static List<WebFilter> passing(int n) {
        List<WebFilter> filters = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            filters.add(new MeshWebFilter() {
                @Override
                public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
                    return chain.filter(exchange);
                }

                @Override
                public int getOrder() {
                    return 0;
                }
            });
        }
        return Collections.unmodifiableList(filters);
    }


    private WebFilterChain rest() {
        return exchange -> Mono.fromRunnable(() -> calls.add("rest"));
    }

    private static ServerWebExchange exchange() {
        return MockServerWebExchange.from(MockServerHttpRequest.get("/"));
    }

    private final class Recording extends MeshWebFilter {

        private final String name;
        private final boolean proceed;

        Recording(String name, boolean proceed) {
            this.name = name;
            this.proceed = proceed;
        }

        @Override
        public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
            calls.add(name);
            return proceed ? chain.filter(exchange) : Mono.empty();
        }

        @Override
        public int getOrder() {
            return 0;
        }
    }

    /** Records whether only Spring's dispatcher follows it, then goes on. */
    private final class Probe extends MeshWebFilter {

        private final String name;

        Probe(String name) {
            this.name = name;
        }

        @Override
        public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
            calls.add(name + ":" + MeshWebFilterChain.onlyDispatcherFollows(chain));
            return chain.filter(exchange);
        }

        @Override
        public int getOrder() {
            return 0;
        }
    }
}
