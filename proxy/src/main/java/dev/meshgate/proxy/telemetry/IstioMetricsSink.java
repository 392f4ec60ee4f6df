package dev.meshgate.proxy.telemetry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.filter.NativeHeaders;
import dev.meshgate.proxy.stream.ResponseFlags;
import dev.meshgate.proxy.stream.StreamInfo;
import dev.meshgate.proxy.stream.StreamSink;

import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;

/**
 * Records Istio's standard HTTP metrics for every finished request: {@code istio_requests_total},
 * {@code istio_request_duration_milliseconds}, {@code istio_request_bytes}, {@code istio_response_bytes}, and for
 * gRPC {@code istio_request_messages_total} and {@code istio_response_messages_total}, with Istio's labels. A sidecar's inbound listener reports {@code reporter="destination"} (the source is the peer
 * its request's metadata names), its outbound listener and a gateway {@code reporter="source"} (the destination
 * is the peer the response's metadata names). A peer that sent none is {@code unknown}.
 *
 * <p>Per request the sink builds one small {@link SeriesKey} and looks it up; the label text of a series is
 * computed once, when the key is first seen under the view's {@link MetricsConfig}.
 */
public final class IstioMetricsSink implements StreamSink {

    private static final int SERIES_LIMIT = 20_000;
    private static final AsciiString PEER_METADATA = AsciiString.cached(PeerMetadata.HEADER);
    private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    private static final String[] CODES = new String[600];

    static {
        for (int i = 0; i < CODES.length; i++) {
            CODES[i] = Integer.toString(i);
        }
    }

    private final IstioMetrics metrics;
    private final PeerMetadata peers;
    private final WorkloadLabels self;
    private final String selfPrincipal;
    private final String namespace;
    private final String domainSuffix;
    private final Supplier<@Nullable ProxyView> view;
    private final Map<SeriesKey, Series> series = new ConcurrentHashMap<>();
    private final Map<String, ServiceLabels> services = new ConcurrentHashMap<>();
    private final Map<Integer, String> flagText = new ConcurrentHashMap<>();
    private volatile @Nullable ProxyView lastView;
    private volatile MetricsConfig config = MetricsConfig.DEFAULT;

    /**
     * @param self this proxy's labels
     * @param selfPrincipal this proxy's SPIFFE identity, for {@code destination_principal} of mTLS requests
     * @param view the view serving now (its Telemetry)
     */
    public IstioMetricsSink(IstioMetrics metrics, PeerMetadata peers, WorkloadLabels self, String selfPrincipal,
            String domainSuffix, Supplier<@Nullable ProxyView> view) {
        this.metrics = metrics;
        this.peers = peers;
        this.self = self;
        this.selfPrincipal = selfPrincipal;
        this.namespace = self.namespace();
        this.domainSuffix = domainSuffix;
        this.view = view;
    }

    @Override
    public void onComplete(StreamInfo info, ServerWebExchange exchange) {
        String listener = info.listener();
        if (listener == null) {
            return;
        }
        MetricsConfig config = config();
        boolean destination = info.inbound();
        if (config.allDisabled(destination)) {
            return;
        }
        ServerHttpRequest request = exchange.getRequest();
        WorkloadLabels peer;
        ServiceLabels service;
        String principal = info.downstreamPrincipal();
        if (destination) {
            peer = peers.decode(NativeHeaders.first(request, PEER_METADATA));
            String authority = NativeHeaders.first(request, HttpHeaderNames.HOST);
            service = authority == null ? ServiceLabels.UNKNOWN : serviceOfAuthority(authority);
        } else {
            peer = peers.decode(info.upstreamPeerMetadata());
            ClusterRuntime cluster = info.cluster();
            service = cluster == null ? ServiceLabels.UNKNOWN : serviceOfHost(cluster.spec().host());
        }
        String contentType = NativeHeaders.first(request, HttpHeaderNames.CONTENT_TYPE);
        boolean grpc = contentType != null && contentType.startsWith("application/grpc");
        String grpcStatus = "";
        if (grpc) {
            // A trailers-only response (a local reply among them) has it in its headers, others in the trailers.
            String status = NativeHeaders.first(exchange.getResponse(), GRPC_STATUS);
            if (status == null) {
                status = info.grpcStatus();
            }
            grpcStatus = status == null ? "" : status;
        }
        SeriesKey key = new SeriesKey(config, destination, peer, service, info.responseCode(), info.responseFlags(),
                grpc, grpcStatus, principal != null, principal,
                config.needsHost() ? NativeHeaders.first(request, HttpHeaderNames.HOST) : null,
                config.needsMethod() ? exchange.getRequest().getMethod().name() : null,
                config.needsScheme() ? exchange.getRequest().getURI().getScheme() : null);
        Series s = series.get(key);
        if (s == null) {
            s = create(key);
            if (series.size() < SERIES_LIMIT) {
                series.put(key, s);
            }
        }
        if (s.requests != null) {
            s.requests.increment();
        }
        if (s.duration != null) {
            long nanos = info.durationNanos();
            s.duration.record(nanos < 0 ? 0 : nanos / 1_000_000.0);
        }
        if (s.requestBytes != null) {
            s.requestBytes.record(info.requestTotalBytes());
        }
        if (s.responseBytes != null) {
            s.responseBytes.record(info.responseTotalBytes());
        }
        if (s.requestMessages != null) {
            s.requestMessages.add(info.requestMessages());
        }
        if (s.responseMessages != null) {
            s.responseMessages.add(info.responseMessages());
        }
    }

    private MetricsConfig config() {
        ProxyView current = view.get();
        if (current != lastView) {
            synchronized (this) {
                if (current != lastView) {
                    MetricsConfig next = new MetricsConfig(current == null ? null : current.telemetry());
                    config = next;
                    series.clear();
                    lastView = current;
                }
            }
        }
        return config;
    }

    private ServiceLabels serviceOfHost(String host) {
        ServiceLabels labels = services.get(host);
        if (labels == null) {
            labels = ServiceLabels.ofHost(host);
            if (services.size() < SERIES_LIMIT) {
                services.put(host, labels);
            }
        }
        return labels;
    }

    private ServiceLabels serviceOfAuthority(String authority) {
        ServiceLabels labels = services.get(authority);
        if (labels == null) {
            labels = ServiceLabels.ofAuthority(authority, namespace, domainSuffix);
            if (services.size() < SERIES_LIMIT) {
                services.put(authority, labels);
            }
        }
        return labels;
    }

    /** The series of a key never seen under this config: its labels, rendered once per metric. */
    private Series create(SeriesKey key) {
        Map<String, String> labels = labels(key);
        MetricsConfig config = key.config();
        String requests = config.labels(key.destination(), 0, labels, key);
        String duration = config.labels(key.destination(), 1, labels, key);
        String requestBytes = config.labels(key.destination(), 2, labels, key);
        String responseBytes = config.labels(key.destination(), 3, labels, key);
        // Message counts are gRPC's only (Envoy's gRPC stats filter), as in Istio.
        String requestMessages = key.grpc() ? config.labels(key.destination(), 4, labels, key) : null;
        String responseMessages = key.grpc() ? config.labels(key.destination(), 5, labels, key) : null;
        return new Series(requests == null ? null : metrics.counter(IstioMetrics.Family.REQUESTS_TOTAL, requests),
                duration == null ? null : metrics.histogram(IstioMetrics.Family.REQUEST_DURATION, duration),
                requestBytes == null ? null : metrics.histogram(IstioMetrics.Family.REQUEST_BYTES, requestBytes),
                responseBytes == null ? null : metrics.histogram(IstioMetrics.Family.RESPONSE_BYTES, responseBytes),
                requestMessages == null ? null
                        : metrics.counter(IstioMetrics.Family.REQUEST_MESSAGES, requestMessages),
                responseMessages == null ? null
                        : metrics.counter(IstioMetrics.Family.RESPONSE_MESSAGES, responseMessages));
    }

    /** Istio's standard labels, in Istio's order. */
    private Map<String, String> labels(SeriesKey key) {
        WorkloadLabels source = key.destination() ? key.peer() : self;
        WorkloadLabels dest = key.destination() ? self : key.peer();
        String unknown = WorkloadLabels.UNKNOWN_VALUE;
        String sourcePrincipal = key.destination() && key.principal() != null ? key.principal() : unknown;
        String destinationPrincipal = key.destination() && key.mtls() ? selfPrincipal : unknown;
        Map<String, String> l = new LinkedHashMap<>();
        l.put("reporter", key.destination() ? "destination" : "source");
        l.put("source_workload", source.workload());
        l.put("source_workload_namespace", source.namespace());
        l.put("source_principal", sourcePrincipal);
        l.put("source_app", source.app());
        l.put("source_version", source.version());
        l.put("source_canonical_service", source.canonicalService());
        l.put("source_canonical_revision", source.canonicalRevision());
        l.put("source_cluster", source.cluster());
        l.put("destination_workload", dest.workload());
        l.put("destination_workload_namespace", dest.namespace());
        l.put("destination_principal", destinationPrincipal);
        l.put("destination_app", dest.app());
        l.put("destination_version", dest.version());
        l.put("destination_service", key.service().service());
        l.put("destination_service_name", key.service().name());
        l.put("destination_service_namespace", key.service().namespace());
        l.put("destination_canonical_service", dest.canonicalService());
        l.put("destination_canonical_revision", dest.canonicalRevision());
        l.put("destination_cluster", dest.cluster());
        l.put("request_protocol", key.grpc() ? "grpc" : "http");
        l.put("response_code", key.code() >= 0 && key.code() < CODES.length ? CODES[key.code()]
                : Integer.toString(key.code()));
        l.put("grpc_response_status", key.grpcStatus());
        l.put("response_flags", flagText.computeIfAbsent(key.flags(), ResponseFlags::format));
        l.put("connection_security_policy", !key.destination() ? unknown : key.mtls() ? "mutual_tls" : "none");
        return l;
    }

    /** The cells one key records into; null where the metric is disabled. */
    private record Series(IstioMetrics.@Nullable Counter requests, IstioMetrics.@Nullable Histogram duration,
            IstioMetrics.@Nullable Histogram requestBytes, IstioMetrics.@Nullable Histogram responseBytes,
            IstioMetrics.@Nullable Counter requestMessages, IstioMetrics.@Nullable Counter responseMessages) {
    }
}
