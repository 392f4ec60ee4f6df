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
import dev.meshgate.proxy.grpc.GrpcLocalReply;
import dev.meshgate.proxy.grpc.GrpcWebGlobalFilter;

/**
 * Implements {@code VirtualService.spec.http[].fault}: holds a share of requests for the fixed delay, then answers
 * a share of requests with the abort status without forwarding them, as Envoy's fault filter does (delay and
 * abort are drawn independently; a request can be delayed and then aborted). A delayed request's response
 * carries the flag {@code DI} (beside any other flag, e.g. {@code DI,FI}), an aborted one is a local response
 * flagged {@code FI} (to a gRPC request: a gRPC status, {@code abort.grpcStatus} or the one Envoy maps the HTTP
 * status to). The delay is a timer, not a sleeping thread. On a route whose listener or destination carries
 * gRPC-Web ({@link GrpcWebGlobalFilter}), a gRPC-Web request's abort is answered in gRPC-Web, as Envoy's fault
 * filter, after {@code grpc_web}, has it encoded: the HTTP status with {@code grpc-status} ({@code abort.grpcStatus}
 * when set, else Envoy's mapping of the HTTP status) and {@code grpc-message} in the headers. Not supported:
 * {@code abort.http2Error} (rejected by validation).
 */
public final class FaultGatewayFilter implements GatewayFilter, Ordered {

    private final @Nullable Duration delay;
    private final double delayPercentage;
    private final @Nullable LocalResponse abort;
    private final double abortPercentage;
    private final @Nullable Integer abortGrpcStatus;
    private final boolean grpcWeb;

    private FaultGatewayFilter(@Nullable Duration delay, double delayPercentage, @Nullable LocalResponse abort,
            double abortPercentage, @Nullable Integer abortGrpcStatus, boolean grpcWeb) {
        this.abortGrpcStatus = abortGrpcStatus;
        this.grpcWeb = grpcWeb;
        this.delay = delay;
        this.delayPercentage = delayPercentage;
        this.abort = abort;
        this.abortPercentage = abortPercentage;
    }

    /** A fault on a route without gRPC-Web. */
    public static FaultGatewayFilter of(FaultSpec spec) {
        return of(spec, false);
    }

    /**
     * Compiles a fault whose values {@code ProxyViewCheck} accepted (delay >= 1ms, status, percentages).
     *
     * @param grpcWeb the route's listener or a destination translates gRPC-Web
     */
    public static FaultGatewayFilter of(FaultSpec spec, boolean grpcWeb) {
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
        return new FaultGatewayFilter(delay, delayPercentage, abort, abortPercentage,
                spec.abort() == null ? null : spec.abort().grpcStatus(), grpcWeb);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        boolean delayed = delay != null && Percentage.sample(delayPercentage);
        LocalResponse aborted = abort != null && Percentage.sample(abortPercentage) ? abort : null;
        if (!delayed && aborted == null) {
            return chain.filter(exchange);
        }
        if (!delayed) {
            return abort(aborted, exchange);
        }
        flagDelayed(exchange);
        // Mono.delay runs on Reactor's parallel scheduler: no thread waits, and a cancelled request cancels it.
        return Mono.delay(delay).then(Mono.defer(() -> aborted != null ? abort(aborted, exchange)
                : chain.filter(exchange)));
    }

    private Mono<Void> abort(LocalResponse aborted, ServerWebExchange exchange) {
        ServerWebExchange grpcWebAnswer = grpcWeb ? GrpcWebGlobalFilter.answeringInGrpcWeb(exchange) : null;
        if (grpcWebAnswer == null) {
            return aborted.write(exchange);
        }
        if (abortGrpcStatus != null) {
            grpcWebAnswer.getResponse().getHeaders().set(GrpcLocalReply.GRPC_STATUS, abortGrpcStatus.toString());
        }
        return aborted.write(grpcWebAnswer);
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
