package dev.meshgate.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import org.springframework.web.server.WebHandler;
import org.springframework.web.server.handler.ExceptionHandlingWebHandler;

import reactor.core.publisher.Mono;

import dev.meshgate.proxy.testapp.Allocation;

class JoinedWebExceptionHandlersTest {

    private final List<String> calls = new ArrayList<>();

    @Test
    void aFailingRequestGoesThroughTheHandlersAsSpringsChainTakesIt() {
        // The first passes the error on as another, the second throws, the third answers.
        List<WebExceptionHandler> handlers = List.of(
                (exchange, ex) -> record("first", exchange, ex, Mono.error(new IllegalStateException("wrapped"))),
                (exchange, ex) -> {
                    record("second", exchange, ex, Mono.empty());
                    throw new IllegalArgumentException("thrown");
                },
                (exchange, ex) -> record("third", exchange, ex, Mono.empty()));
        WebHandler failing = exchange -> Mono.error(new RuntimeException("boom"));

        new ExceptionHandlingWebHandler(failing, handlers).handle(exchange()).block();
        List<String> spring = List.copyOf(calls);
        calls.clear();
        List<WebExceptionHandler> joined = new ArrayList<>(handlers);
        JoinedWebExceptionHandlers.join(joined);
        new ExceptionHandlingWebHandler(failing, joined).handle(exchange()).block();

        assertThat(joined).singleElement().isInstanceOf(JoinedWebExceptionHandlers.class);
        assertThat(spring).containsExactly("first:boom:boom", "second:wrapped:wrapped", "third:thrown:thrown");
        assertThat(calls).isEqualTo(spring);
    }

    @Test
    void anErrorNoHandlerResumesEndsTheRequestAsItDoesThroughSpringsChain() {
        List<WebExceptionHandler> handlers = List.of((exchange, ex) -> Mono.error(ex), (exchange, ex) -> Mono.error(ex));
        List<WebExceptionHandler> joined = new ArrayList<>(handlers);
        JoinedWebExceptionHandlers.join(joined);
        WebHandler failing = exchange -> Mono.error(new RuntimeException("boom"));

        new ExceptionHandlingWebHandler(failing, handlers).handle(exchange())
                .onErrorResume(e -> Mono.fromRunnable(() -> calls.add("spring:" + e.getMessage()))).block();
        new ExceptionHandlingWebHandler(failing, joined).handle(exchange())
                .onErrorResume(e -> Mono.fromRunnable(() -> calls.add("joined:" + e.getMessage()))).block();

        assertThat(calls).containsExactly("spring:boom", "joined:boom");
    }

    @Test
    void aSingleHandlerIsLeftAsItIs() {
        WebExceptionHandler only = (exchange, ex) -> Mono.empty();
        List<WebExceptionHandler> handlers = new ArrayList<>(List.of(only));

        JoinedWebExceptionHandlers.join(handlers);

        assertThat(handlers).containsExactly(only);
    }

    @Test
    void aRequestThatDoesNotFailCostsWhatOneHandlerCosts() {
        WebHandler ok = exchange -> Mono.empty();
        List<WebExceptionHandler> three = List.of((exchange, ex) -> Mono.error(ex), (exchange, ex) -> Mono.error(ex),
                (exchange, ex) -> Mono.empty());
        List<WebExceptionHandler> joined = new ArrayList<>(three);
        JoinedWebExceptionHandlers.join(joined);
        ServerWebExchange exchange = exchange();
        ExceptionHandlingWebHandler springThree = new ExceptionHandlingWebHandler(ok, three);
        ExceptionHandlingWebHandler springOne = new ExceptionHandlingWebHandler(ok, List.of(three.get(2)));
        ExceptionHandlingWebHandler meshJoined = new ExceptionHandlingWebHandler(ok, joined);

        long[] bytes = Allocation.bytesPerRun(() -> springThree.handle(exchange).subscribe(),
                () -> springOne.handle(exchange).subscribe(), () -> meshJoined.handle(exchange).subscribe());
        long threeBytes = bytes[0];
        long oneBytes = bytes[1];
        long joinedBytes = bytes[2];

        assertThat(joinedBytes).as("bytes per request, joined (Spring's with three handlers: %d, with one: %d)",
                threeBytes, oneBytes).isLessThanOrEqualTo(oneBytes + 16).isLessThan(threeBytes);
    }

    private Mono<Void> record(String name, ServerWebExchange exchange, Throwable ex, Mono<Void> result) {
        Object handled = exchange.getAttribute(ExceptionHandlingWebHandler.HANDLED_WEB_EXCEPTION);
        calls.add(name + ":" + ex.getMessage() + ":" + (handled instanceof Throwable t ? t.getMessage() : null));
        return result;
    }

    private static ServerWebExchange exchange() {
        return MockServerWebExchange.from(MockServerHttpRequest.get("/"));
    }

}
