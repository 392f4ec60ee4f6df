package dev.meshgate.proxy.server;

import java.util.List;

import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import org.springframework.web.server.handler.ExceptionHandlingWebHandler;

import reactor.core.publisher.Mono;

/**
 * The server's WebExceptionHandlers run as one. Spring's {@link ExceptionHandlingWebHandler} wraps every request
 * in a {@code doOnError} and an {@code onErrorResume} per handler, two operators, two lambdas and two subscribers
 * each, whether the request fails or not; joined, a request that does not fail pays for one handler. A failing
 * request sees what Spring's chain does: each handler in order gets the error the one before it ended with, and
 * the {@link ExceptionHandlingWebHandler#HANDLED_WEB_EXCEPTION} attribute holds the error last handed on.
 */
final class JoinedWebExceptionHandlers implements WebExceptionHandler {

    private final WebExceptionHandler[] handlers;

    JoinedWebExceptionHandlers(List<WebExceptionHandler> handlers) {
        if (handlers.isEmpty()) {
            throw new IllegalArgumentException("handlers: [] (expected: at least one)");
        }
        this.handlers = handlers.toArray(WebExceptionHandler[]::new);
    }

    /** {@code handlers} (in Spring's order) as one handler when there are several, else as they are. */
    static void join(List<WebExceptionHandler> handlers) {
        if (handlers.size() > 1) {
            WebExceptionHandler joined = new JoinedWebExceptionHandlers(List.copyOf(handlers));
            handlers.clear();
            handlers.add(joined);
        }
    }

    /** The joined handlers, in order. */
    List<WebExceptionHandler> handlers() {
        return List.of(handlers);
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        // Spring's chain calls each handler inside onErrorResume, where a handler that throws hands its exception
        // to the next one: so does this.
        Mono<Void> completion = invoke(handlers[0], exchange, ex);
        for (int i = 1; i < handlers.length; i++) {
            WebExceptionHandler next = handlers[i];
            completion = completion
                    .doOnError(error -> exchange.getAttributes()
                            .put(ExceptionHandlingWebHandler.HANDLED_WEB_EXCEPTION, error))
                    .onErrorResume(error -> next.handle(exchange, error));
        }
        return completion;
    }

    private static Mono<Void> invoke(WebExceptionHandler handler, ServerWebExchange exchange, Throwable ex) {
        try {
            return handler.handle(exchange, ex);
        } catch (RuntimeException e) {
            return Mono.error(e);
        }
    }

    @Override
    public String toString() {
        return "JoinedWebExceptionHandlers" + List.of(handlers);
    }
}
