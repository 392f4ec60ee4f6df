package dev.meshgate.proxy.fault;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

import dev.meshgate.proxy.stream.StreamInfo;

import dev.meshgate.core.view.FaultSpec;
import dev.meshgate.proxy.filter.LocalResponse;
import dev.meshgate.proxy.filter.MeshFilterOrder;
import dev.meshgate.proxy.filter.Percentage;
import dev.meshgate.proxy.filter.ResponseFlag;

/**
 * Implements {@code VirtualService.spec.http[].fault}: holds a share of requests for the fixed delay, then answers
 * a share of requests with the abort status without forwarding them, as Envoy's fault filter does (delay and
 * abort are drawn independently; a request can be delayed and then aborted). A delayed request's response
 * carries the flag {@code DI} (beside any other flag, e.g. {@code DI,FI}), an aborted one is a local response
 * flagged {@code FI} (to a gRPC request: a gRPC status, {@code abort.grpcStatus} or the one Envoy maps the HTTP
 * status to). The delay is a timer, not a sleeping thread. Not supported: {@code abort.http2Error} (rejected by
 * validation).
 */
public final class FaultGatewayFilter implements GatewayFilter, Ordered {

    private final @Nullable Duration delay;
    private final double delayPercentage;
    private final @Nullable LocalResponse abort;
    private final double abortPercentage;

    private FaultGatewayFilter(@Nullable Duration delay, double delayPercentage, @Nullable LocalResponse abort,
            double abortPercentage) {
        this.delay = delay;
        this.delayPercentage = delayPercentage;
        this.abort = abort;
        this.abortPercentage = abortPercentage;
    }

    /** Compiles a fault whose values {@code ProxyViewCheck} accepted (delay >= 1ms, status, percentages). */
    public static FaultGatewayFilter of(FaultSpec spec) {
        Duration delay = null;
        double delayPercentage = 0;
        if (spec.delay() != null) {
            delay = Duration.ofMillis(spec.delay().fixedDelayMillis());
            delayPercentage = spec.delay().percentage();
        }
        LocalResponse abort = null;
        double abortPercentage = 0;
        if (spec.abort() != null) {
            abort = new LocalResponse(spec.abort().httpStatus(), ResponseFlag.FI, "fault filter abort");
            if (spec.abort().grpcStatus() != null) {
                abort = abort.withGrpcStatus(spec.abort().grpcStatus());
            }
            abortPercentage = spec.abort().percentage();
        }
        return new FaultGatewayFilter(delay, delayPercentage, abort, abortPercentage);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        boolean delayed = delay != null && Percentage.sample(delayPercentage);
        LocalResponse aborted = abort != null && Percentage.sample(abortPercentage) ? abort : null;
        if (!delayed && aborted == null) {
            return chain.filter(exchange);
        }
        if (!delayed) {
            return aborted.write(exchange);
        }
        flagDelayed(exchange);
        // Mono.delay runs on Reactor's parallel scheduler: no thread waits, and a cancelled request cancels it.
        return Mono.delay(delay).then(Mono.defer(() -> aborted != null ? aborted.write(exchange)
                : chain.filter(exchange)));
    }

    /** Adds DI to the response flags just before the response is committed, whoever answers it. */
    private static void flagDelayed(ServerWebExchange exchange) {
        StreamInfo.of(exchange).addFlag(ResponseFlag.DI);
        exchange.getResponse().beforeCommit(() -> {
            HttpHeaders headers = exchange.getResponse().getHeaders();
            String flags = headers.getFirst(LocalResponse.RESPONSE_FLAGS_HEADER);
            headers.set(LocalResponse.RESPONSE_FLAGS_HEADER,
                    flags == null || flags.isEmpty() ? ResponseFlag.DI.name() : ResponseFlag.DI + "," + flags);
            return Mono.empty();
        });
    }

    @Override
    public int getOrder() {
        return MeshFilterOrder.FAULT;
    }

    @Override
    public String toString() {
        return "Fault[delay=" + delay + "@" + delayPercentage + "% abort=" + (abort == null ? null : abort.status())
                + "@" + abortPercentage + "%]";
    }
}
