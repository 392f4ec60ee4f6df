package dev.meshgate.proxy.tracing;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

import brave.Span;
import brave.handler.MutableSpan;
import brave.propagation.TraceContext;
import brave.propagation.TraceContextOrSamplingFlags;
import io.micrometer.core.instrument.Counter;

import dev.meshgate.core.telemetry.Telemetry.WorkloadMode;
import dev.meshgate.core.telemetry.Tracing;
import dev.meshgate.core.telemetry.Tracing.RequestHeader;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.TelemetrySpec;
import dev.meshgate.core.view.TracerSpec;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.filter.NativeHeaders;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.stream.ResponseFlags;
import dev.meshgate.proxy.stream.StreamInfo;
import dev.meshgate.proxy.stream.StreamSink;

/**
 * The proxy's tracer. When a request arrives ({@link #start}) it reads the incoming trace context, decides
 * whether the request is sampled (an incoming decision wins; {@code x-envoy-force-trace} forces it; otherwise the
 * view's sampling percentage), and gives the request a span of its own, a child of the incoming one, recorded in
 * its {@link StreamInfo} and propagated upstream. When the request is done ({@link #onComplete}) a sampled span is
 * built from the record in Envoy's shape and queued for Zipkin: a CLIENT span on the outbound and gateway
 * listeners, a SERVER span on the inbound one. An unsampled request costs the context and nothing more.
 *
 * <p>The configuration is the current view's {@link TracerSpec} (Istio's default without one), read on every
 * request: a push that changes it takes effect at once, a new collector gets a new reporter and the old one is
 * closed.
 */
public final class MeshTracer implements StreamSink, AutoCloseable {

    private final MeshRouteTable table;
    private final ProxyTags proxy;
    private final Counter dropped;
    private volatile State state;
    /** Reporters by collector URL, kept across views that keep the collector. */
    private final Map<String, SpanReporter> reporters = new ConcurrentHashMap<>();

    /**
     * The configuration in force: MeshConfig's tracing with the Telemetry resources' (by reference, as they came
     * with the view) and what it gives each side.
     */
    private record State(TracerSpec spec, @Nullable TelemetrySpec telemetry, Side client, Side server) {
    }

    /**
     * How one side (CLIENT: outbound and gateway listeners; SERVER: inbound) traces.
     *
     * @param enabled whether requests get a span context (and headers are rewritten)
     * @param endpoint the collector's URL, null when spans are not reported ({@code disableSpanReporting}, or a
     *     provider meshgate does not speak)
     */
    record Side(boolean enabled, @Nullable String endpoint, double samplingPercentage, int maxTagLength,
            int maxPathTagLength, Map<String, TracerSpec.CustomTag> customTags, String meshId) {
    }

    public MeshTracer(MeshRouteTable table, ProxyTags proxy, Counter dropped) {
        this.table = table;
        this.proxy = proxy;
        this.dropped = dropped;
        this.state = resolve(TracerSpec.ISTIO_DEFAULT, null);
    }

    private State state() {
        ProxyView view = table.current();
        TracerSpec spec = view == null ? TracerSpec.ISTIO_DEFAULT : view.tracingOrDefault();
        TelemetrySpec telemetry = view == null ? null : view.telemetry();
        State s = state;
        return s.spec() == spec && s.telemetry() == telemetry ? s : reconfigure(spec, telemetry);
    }

    private synchronized State reconfigure(TracerSpec spec, @Nullable TelemetrySpec telemetry) {
        State s = state;
        if (s.spec() == spec && s.telemetry() == telemetry) {
            return s;
        }
        State next = resolve(spec, telemetry);
        state = next;
        reporters.keySet().removeIf(endpoint -> {
            if (endpoint.equals(next.client().endpoint()) || endpoint.equals(next.server().endpoint())) {
                return false;
            }
            SpanReporter old = reporters.get(endpoint);
            // Closing flushes for up to a second: not on the request's thread.
            Thread closer = new Thread(old::close, "meshgate-zipkin-reporter-close");
            closer.setDaemon(true);
            closer.start();
            return true;
        });
        return next;
    }

    static State resolve(TracerSpec spec, @Nullable TelemetrySpec telemetry) {
        return new State(spec, telemetry,
                side(spec, telemetry == null ? null : telemetry.tracing(WorkloadMode.CLIENT)),
                side(spec, telemetry == null ? null : telemetry.tracing(WorkloadMode.SERVER)));
    }

    /** MeshConfig's tracing with what a Telemetry resource sets for the side (Istio: the Telemetry wins). */
    private static Side side(TracerSpec spec, TelemetrySpec.@Nullable TracingSpec t) {
        String endpoint = endpoint(spec.collectorHost(), spec.collectorPort(), spec.collectorPath());
        int maxTag = spec.maxTagLength();
        double sampling = spec.samplingPercentage();
        boolean enabled = spec.enabled();
        Map<String, TracerSpec.CustomTag> tags = spec.customTags();
        if (t != null) {
            if (!t.providers().isEmpty()) {
                TracerSpec.Provider provider = spec.provider(t.providers().get(0));
                endpoint = provider == null ? null : endpoint(provider.host(), provider.port(), provider.path());
                maxTag = provider == null ? maxTag : provider.maxTagLength();
                // A Telemetry naming a provider turns tracing on, as in Istio, whatever enableTracing says.
                enabled = true;
            }
            if (t.randomSamplingPercentage() != null) {
                sampling = t.randomSamplingPercentage();
            }
            if (Boolean.TRUE.equals(t.disableSpanReporting())) {
                endpoint = null;
            }
            if (!t.customTags().isEmpty()) {
                Map<String, TracerSpec.CustomTag> merged = new LinkedHashMap<>(tags);
                t.customTags().forEach((name, tag) -> merged.put(name, customTag(tag)));
                tags = Map.copyOf(merged);
            }
        }
        return new Side(enabled, enabled ? endpoint : null, sampling, maxTag, spec.maxPathTagLength(), tags,
                spec.meshId());
    }

    private static TracerSpec.CustomTag customTag(Tracing.CustomTag tag) {
        if (tag.literal() != null) {
            return new TracerSpec.CustomTag(tag.literal().value() == null ? "" : tag.literal().value(), null, null,
                    null);
        }
        if (tag.environment() != null) {
            return new TracerSpec.CustomTag(null, tag.environment().name(), null, tag.environment().defaultValue());
        }
        RequestHeader header = tag.header();
        return new TracerSpec.CustomTag(null, null, header == null ? null : header.name(),
                header == null ? null : header.defaultValue());
    }

    private static String endpoint(String host, int port, String path) {
        return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + path;
    }

    private static boolean edge(StreamInfo info) {
        String listener = info.listener();
        return listener != null && listener.startsWith("gateway");
    }

    private static boolean inbound(StreamInfo info) {
        return info.inbound();
    }

    /** Gives the request its span context, before anything else runs. */
    public void start(ServerWebExchange exchange, StreamInfo info) {
        State s = state();
        Side side = inbound(info) ? s.server() : s.client();
        if (!side.enabled()) {
            return;
        }
        ServerHttpRequest request = exchange.getRequest();
        TraceContextOrSamplingFlags extracted = TracePropagation.extract(request);
        Boolean decision = extracted.sampled();
        boolean sampled;
        // Envoy honours x-envoy-force-trace from internal callers only, not at the edge (a gateway).
        if (NativeHeaders.first(request, TracePropagation.FORCE_TRACE_NAME) != null && !edge(info)) {
            sampled = true;
        } else if (decision != null) {
            sampled = decision;
        } else {
            double pct = side.samplingPercentage();
            sampled = pct >= 100 || (pct > 0 && ThreadLocalRandom.current().nextDouble() * 100 < pct);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        TraceContext parent = extracted.context();
        TraceContext.Builder context = TraceContext.newBuilder().spanId(nonZero(random)).sampled(sampled);
        if (parent != null) {
            context.traceIdHigh(parent.traceIdHigh()).traceId(parent.traceId()).parentId(parent.spanId())
                    .debug(parent.debug());
        } else {
            // 128-bit trace ids, as Istio configures Envoy's Zipkin tracer.
            context.traceIdHigh(nonZero(random)).traceId(nonZero(random));
        }
        info.traceContext(context.build());
    }

    private static long nonZero(ThreadLocalRandom random) {
        long id;
        do {
            id = random.nextLong();
        } while (id == 0);
        return id;
    }

    @Override
    public void onComplete(StreamInfo info, ServerWebExchange exchange) {
        TraceContext context = info.traceContext();
        if (context == null || !Boolean.TRUE.equals(context.sampled())) {
            return;
        }
        State s = state;
        Side side = inbound(info) ? s.server() : s.client();
        String endpoint = side.endpoint();
        if (endpoint == null) {
            return;
        }
        MutableSpan span = span(context, info, exchange, side);
        SpanReporter reporter = reporters.get(endpoint);
        if (reporter == null) {
            reporter = reporter(endpoint);
        }
        reporter.report(span);
    }

    private synchronized SpanReporter reporter(String endpoint) {
        return reporters.computeIfAbsent(endpoint, e -> new SpanReporter(e, dropped));
    }

    /** The span of a finished request, with Envoy's name, kind and tags. */
    MutableSpan span(TraceContext context, StreamInfo info, ServerWebExchange exchange, Side spec) {
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = request.getHeaders();
        MutableSpan span = new MutableSpan(context, null);
        span.kind(inbound(info) ? Span.Kind.SERVER : Span.Kind.CLIENT);
        span.name(name(info, headers));
        span.localServiceName(proxy.serviceCluster());
        long startMicros = info.startEpochMillis() * 1000;
        long duration = info.durationNanos();
        span.startTimestamp(startMicros);
        span.finishTimestamp(startMicros + Math.max(1, duration / 1000));
        int max = spec.maxTagLength();
        tag(span, "component", "proxy", max);
        tag(span, "node_id", proxy.nodeId(), max);
        String requestId = info.requestId() != null ? info.requestId() : headers.getFirst("x-request-id");
        tag(span, "guid:x-request-id", requestId, max);
        tag(span, "http.url", url(request, headers), spec.maxPathTagLength());
        tag(span, "http.method", request.getMethod().name(), max);
        tag(span, "http.protocol", "HTTP/1.1", max);
        tag(span, "http.status_code", Integer.toString(info.responseCode()), max);
        tag(span, "user_agent", orDash(headers.getFirst(HttpHeaders.USER_AGENT)), max);
        tag(span, "downstream_cluster", orDash(headers.getFirst("x-envoy-downstream-service-cluster")), max);
        ClusterRuntime cluster = info.cluster();
        String clusterName = cluster == null ? "-" : cluster.name();
        tag(span, "upstream_cluster", clusterName, max);
        tag(span, "upstream_cluster.name", clusterName, max);
        LbEndpoint upstream = info.upstreamHost();
        if (upstream != null) {
            tag(span, "upstream_address", upstream.hostPort(), max);
        }
        InetSocketAddress peer = request.getRemoteAddress();
        if (peer != null && peer.getAddress() != null) {
            tag(span, "peer.address", peer.getAddress().getHostAddress(), max);
        }
        tag(span, "request_size", Long.toString(info.requestBodyBytes()), max);
        tag(span, "response_size", Long.toString(info.responseBodyBytes()), max);
        tag(span, "response_flags", ResponseFlags.format(info.responseFlags()), max);
        if (info.responseCode() >= 500) {
            tag(span, "error", "true", max);
        }
        tag(span, "istio.canonical_service", proxy.canonicalService(), max);
        tag(span, "istio.canonical_revision", proxy.canonicalRevision(), max);
        tag(span, "istio.mesh_id", spec.meshId(), max);
        tag(span, "istio.namespace", proxy.namespace(), max);
        for (Map.Entry<String, TracerSpec.CustomTag> custom : spec.customTags().entrySet()) {
            tag(span, custom.getKey(), customValue(custom.getValue(), headers), max);
        }
        return span;
    }

    /**
     * The route's decorator: on the inbound side the workload's service, or, when the sidecar knows none (or the
     * port is one no service declares), the service the caller named, as {@code <host>:<port>/*}.
     */
    private static String name(StreamInfo info, HttpHeaders headers) {
        Route route = info.route();
        Object decorator = route == null ? null : route.getMetadata().get(SpanNames.METADATA_KEY);
        ClusterRuntime cluster = info.cluster();
        if (SpanNames.CALLED_HOST.equals(decorator) && cluster != null) {
            String host = headers.getFirst(HttpHeaders.HOST);
            String[] parts = cluster.name().split("\\|", -1);
            if (host != null && parts.length > 1) {
                int colon = host.lastIndexOf(':');
                return (colon > 0 && host.indexOf(']') < colon ? host.substring(0, colon) : host) + ":" + parts[1]
                        + "/*";
            }
            if (host != null) {
                // the inbound passthrough cluster names no port: the Host as sent carries it
                return host + "/*";
            }
        }
        if (decorator instanceof String name && !name.isEmpty()) {
            return name;
        }
        // A local answer without a mesh route (no route, no virtual host, no view): its outcome names it.
        return route == null ? "-" : route.getId();
    }

    private static String url(ServerHttpRequest request, HttpHeaders headers) {
        String host = headers.getFirst(HttpHeaders.HOST);
        String scheme = request.getURI().getScheme();
        String path = request.getURI().getRawPath();
        String query = request.getURI().getRawQuery();
        return (scheme == null ? "http" : scheme) + "://" + (host == null ? "" : host) + (path == null ? "" : path)
                + (query == null ? "" : "?" + query);
    }

    private @Nullable String customValue(TracerSpec.CustomTag tag, HttpHeaders headers) {
        if (tag.literal() != null) {
            return tag.literal();
        }
        String value = tag.header() != null ? headers.getFirst(tag.header())
                : tag.environment() != null ? proxy.environment(tag.environment()) : null;
        return value == null ? tag.defaultValue() : value;
    }

    private static String orDash(@Nullable String value) {
        return value == null ? "-" : value;
    }

    private static void tag(MutableSpan span, String key, @Nullable String value, int maxLength) {
        if (value == null) {
            return;
        }
        span.tag(key, maxLength > 0 && value.length() > maxLength ? value.substring(0, maxLength) : value);
    }

    /** Spans dropped so far (the counter {@code meshgate_tracing_spans_dropped_total}). */
    public double spansDropped() {
        return dropped.count();
    }

    @Override
    public void close() {
        reporters.values().forEach(SpanReporter::close);
        reporters.clear();
    }
}
