package dev.meshgate.proxy.admin;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import dev.meshgate.core.inject.SidecarInjector;
import dev.meshgate.proxy.telemetry.PrometheusEndpoint;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Istio's two fixed ports of an injected proxy, each a bare Reactor Netty listener answering one path (no Spring
 * web server or application context per port): {@value #READY_PATH} on the health port (pilot-agent's 15021, the
 * target of the injected readiness and startup probes) answers 200 once the proxy has applied a view from the
 * control plane and 503 before, as pilot-agent reports Envoy not ready until it has its configuration; and
 * {@value #STATS_PATH} on the stats port (Envoy's 15090, the container port {@code http-envoy-prom} Istio's
 * Prometheus jobs look for) answers the proxy's Istio metrics, the same text as the admin port's. Anything else is
 * 404. Neither port is a mesh listener: the interception rules leave both alone.
 */
public final class ProbePorts implements SmartLifecycle {

    public static final String READY_PATH = SidecarInjector.READY_PATH;
    public static final String STATS_PATH = SidecarInjector.METRICS_PATH;

    private static final Logger log = LoggerFactory.getLogger(ProbePorts.class);

    private final ProbePortsProperties properties;
    private final BooleanSupplier ready;
    private final Supplier<@Nullable String> stats;
    private volatile @Nullable DisposableServer health;
    private volatile @Nullable DisposableServer metrics;

    /**
     * @param ready whether the proxy has applied a view
     * @param stats the metrics text now; null when metrics are off (404)
     */
    public ProbePorts(ProbePortsProperties properties, BooleanSupplier ready, Supplier<@Nullable String> stats) {
        this.properties = properties;
        this.ready = ready;
        this.stats = stats;
    }

    @Override
    public void start() {
        if (properties.health() >= 0) {
            health = HttpServer.create().host(properties.address()).port(properties.health())
                    .route(routes -> routes.get(READY_PATH, (request, response) -> {
                        boolean up = ready.getAsBoolean();
                        return response.status(up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE)
                                .header(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                                .sendString(Mono.just(up ? "ready\n"
                                        : "not ready: no view from the control plane applied yet\n"));
                    })).bindNow();
        }
        if (properties.stats() >= 0) {
            metrics = HttpServer.create().host(properties.address()).port(properties.stats())
                    .route(routes -> routes.get(STATS_PATH, (request, response) -> {
                        String text = stats.get();
                        if (text == null) {
                            return response.status(HttpResponseStatus.NOT_FOUND).send();
                        }
                        return response.header(HttpHeaderNames.CONTENT_TYPE, PrometheusEndpoint.CONTENT_TYPE)
                                .sendString(Mono.just(text), StandardCharsets.UTF_8);
                    })).bindNow();
        }
        if (health != null || metrics != null) {
            log.info("probe ports on {}: health {} ({}), stats {} ({})", properties.address(), healthPort(), READY_PATH,
                    statsPort(), STATS_PATH);
        }
    }

    /** The health port bound (the configured one, or the one picked for 0), or -1 when off. */
    public int healthPort() {
        return port(health);
    }

    /** The stats port bound, or -1 when off. */
    public int statsPort() {
        return port(metrics);
    }

    private static int port(@Nullable DisposableServer server) {
        return server == null ? -1 : ((InetSocketAddress) server.address()).getPort();
    }

    @Override
    public void stop() {
        for (DisposableServer server : new DisposableServer[] {health, metrics}) {
            if (server != null) {
                server.disposeNow(Duration.ofSeconds(2));
            }
        }
        health = null;
        metrics = null;
    }

    @Override
    public boolean isRunning() {
        return health != null || metrics != null;
    }
}
