package dev.meshgate.proxy.mirror;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.meshgate.core.view.MirrorSpec;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.filter.MeshFilterOrder;
import dev.meshgate.proxy.filter.Percentage;
import dev.meshgate.proxy.server.DownstreamHttp2;

/**
 * Implements {@code VirtualService.spec.http[].mirror} / {@code mirrors[]} with their {@code percentage}: for each
 * mirror drawn, a copy of the request (method, path and query, headers, body) goes to the mirror cluster with
 * the Host suffixed {@code -shadow}, fire and forget through {@link MirrorClient}; the primary request goes on
 * at once and never waits for, or sees, the copy. A body is mirrored when it is small: a request whose
 * {@code Content-Length} is at most {@link MirrorClient#MAX_BODY_BYTES} is buffered (and replayed to the primary
 * upstream); a body of unknown length (chunked, or HTTP/2 without {@code content-length}, as gRPC sends) streams
 * to the primary as it comes and is copied on the way, the copy sent once it has ended within the limit (a
 * streaming call is never held back); a larger body is not mirrored (logged at debug). A mirrored request and its
 * copies carry the same {@code x-request-id} (generated here when the client sent none).
 */
public final class MirrorGatewayFilter implements GatewayFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(MirrorGatewayFilter.class);
    private static final byte[] NO_BODY = new byte[0];
    private static final String REQUEST_ID = "x-request-id";
    /** Methods whose HTTP/2 requests without content-length are taken to have no body. */
    private static final Set<HttpMethod> BODILESS = Set.of(HttpMethod.GET, HttpMethod.HEAD);

    /** One mirror: its cluster, resolved at compile time, and its share of requests. */
    record Target(ClusterRuntime cluster, double percentage) {
    }

    private final Target[] targets;
    private final MirrorClient client;

    MirrorGatewayFilter(List<Target> targets, MirrorClient client) {
        this.targets = targets.toArray(Target[]::new);
        this.client = client;
    }

    /**
     * Compiles a route's mirrors, whose clusters and percentages {@code ProxyViewCheck} accepted.
     *
     * @param clusters the view's clusters by name
     * @throws IllegalStateException when a mirror's cluster is unknown: the check let through a view it must refuse
     */
    public static MirrorGatewayFilter of(List<MirrorSpec> mirrors, Function<String, @Nullable ClusterRuntime> clusters,
            MirrorClient client) {
        Target[] targets = new Target[mirrors.size()];
        for (int i = 0; i < targets.length; i++) {
            MirrorSpec mirror = mirrors.get(i);
            ClusterRuntime cluster = mirror.cluster() == null ? null : clusters.apply(mirror.cluster());
            if (cluster == null) {
                throw new IllegalStateException("mirrors[" + i + "].cluster: unknown cluster '" + mirror.cluster()
                        + "'");
            }
            targets[i] = new Target(cluster, mirror.percentage());
        }
        return new MirrorGatewayFilter(List.of(targets), client);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange original, GatewayFilterChain chain) {
        long drawn = draw();
        if (drawn == 0) {
            return chain.filter(original);
        }
        // Envoy's shadow carries the primary's x-request-id, so that the two can be told to belong together; the
        // id the upstream filter would generate later is generated here instead, for both.
        ServerWebExchange exchange = original.getRequest().getHeaders().containsHeader(REQUEST_ID) ? original
                : original.mutate().request(r -> r.header(REQUEST_ID, randomUuid())).build();
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = request.getHeaders();
        long length = headers.getContentLength();
        if (length < 0 && (headers.containsHeader(HttpHeaders.TRANSFER_ENCODING)
                || DownstreamHttp2.isHttp2(request) && !BODILESS.contains(request.getMethod()))) {
            return chain.filter(exchange.mutate().request(copying(drawn, request, exchange)).build());
        }
        if (length <= 0) {
            send(drawn, MirrorRequest.of(request, NO_BODY), exchange);
            return chain.filter(exchange);
        }
        if (length > MirrorClient.MAX_BODY_BYTES) {
            log.debug("{} {} not mirrored: its body is {} bytes (mirrored: up to {})", request.getMethod(),
                    request.getURI().getRawPath(), length, MirrorClient.MAX_BODY_BYTES);
            return chain.filter(exchange);
        }
        return DataBufferUtils.join(request.getBody(), MirrorClient.MAX_BODY_BYTES)
                .map(MirrorGatewayFilter::bytes)
                .defaultIfEmpty(NO_BODY)
                .flatMap(body -> {
                    send(drawn, MirrorRequest.of(request, body), exchange);
                    return chain.filter(exchange.mutate().request(replaying(request, body, exchange)).build());
                });
    }

    /** Which mirrors take this request, one bit each (a route has at most a few mirrors). */
    private long draw() {
        long drawn = 0;
        for (int i = 0; i < targets.length && i < 64; i++) {
            if (Percentage.sample(targets[i].percentage())) {
                drawn |= 1L << i;
            }
        }
        return drawn;
    }

    private void send(long drawn, MirrorRequest copy, ServerWebExchange exchange) {
        for (int i = 0; i < targets.length && i < 64; i++) {
            if ((drawn & (1L << i)) != 0) {
                client.send(copy, targets[i].cluster(), exchange);
            }
        }
    }

    /** A version-4 UUID from ThreadLocalRandom (SecureRandom may block a reactor thread; an id needs no secrecy). */
    private static String randomUuid() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (random.nextLong() & ~0xC000000000000000L) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    private static byte[] bytes(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    /**
     * The request whose body, of unknown length, streams on to the primary upstream while a copy of it is kept; the
     * mirrors get the copy once the body has ended, unless it went past {@link MirrorClient#MAX_BODY_BYTES}.
     */
    private ServerHttpRequest copying(long drawn, ServerHttpRequest request, ServerWebExchange exchange) {
        return new ServerHttpRequestDecorator(request) {
            private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
            private final AtomicBoolean done = new AtomicBoolean();

            @Override
            public Flux<DataBuffer> getBody() {
                return super.getBody().doOnNext(buffer -> {
                    int n = buffer.readableByteCount();
                    if (copy.size() + n > MirrorClient.MAX_BODY_BYTES) {
                        if (done.compareAndSet(false, true)) {
                            log.debug("{} {} not mirrored: its body went past {} bytes", request.getMethod(),
                                    request.getURI().getRawPath(), MirrorClient.MAX_BODY_BYTES);
                        }
                        return;
                    }
                    byte[] bytes = new byte[n];
                    buffer.toByteBuffer(buffer.readPosition(), ByteBuffer.wrap(bytes), 0, n);
                    copy.write(bytes, 0, n);
                }).doOnComplete(() -> {
                    if (done.compareAndSet(false, true)) {
                        send(drawn, MirrorRequest.of(request, copy.toByteArray()), exchange);
                    }
                });
            }
        };
    }

    /** The request with its body, already read, served again from memory to whoever reads it next. */
    private static ServerHttpRequest replaying(ServerHttpRequest request, byte[] body, ServerWebExchange exchange) {
        return new ServerHttpRequestDecorator(request) {
            @Override
            public Flux<DataBuffer> getBody() {
                return Flux.defer(() -> Flux.just(exchange.getResponse().bufferFactory().wrap(body)));
            }
        };
    }

    @Override
    public int getOrder() {
        return MeshFilterOrder.MIRROR;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Mirror[");
        for (Target target : targets) {
            sb.append(target.cluster().name()).append('@').append(target.percentage()).append("% ");
        }
        return sb.append(']').toString();
    }
}
