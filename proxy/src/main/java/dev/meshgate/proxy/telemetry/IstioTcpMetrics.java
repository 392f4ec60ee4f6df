package dev.meshgate.proxy.telemetry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.TcpListenerSpec;
import dev.meshgate.proxy.filter.ResponseFlag;
import dev.meshgate.proxy.tcp.TcpObserver;

import io.netty.channel.Channel;

/**
 * Istio's TCP metrics for the proxied TCP connections: {@code istio_tcp_connections_opened_total},
 * {@code istio_tcp_connections_closed_total}, {@code istio_tcp_received_bytes_total} (from the downstream peer) and
 * {@code istio_tcp_sent_bytes_total} (to it), with Istio's labels and {@code request_protocol="tcp"}. An outbound
 * listener reports {@code reporter="source"}, the destination workload taken from the endpoint's labels (TCP has no
 * metadata exchange here); an inbound one {@code reporter="destination"}, its source unknown. A connection closed
 * without an upstream is counted in {@code meshgate_tcp_connections_refused_total{listener, response_flags}} (NR:
 * no route, Envoy's listener {@code no_filter_chain_match}; UH; UO), where Istio's filters never see it. Telemetry resources'
 * overrides do not apply to these families yet.
 */
public final class IstioTcpMetrics implements TcpObserver {

    private static final int SERIES_LIMIT = 20_000;

    private final WorkloadLabels self;
    private final Map<String, Series> series = new ConcurrentHashMap<>();
    /** Refused connections by {@code listener="...",response_flags="..."} labels. */
    private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();

    public IstioTcpMetrics(IstioMetrics metrics, WorkloadLabels self) {
        this.self = self;
        metrics.addSection(this::render);
    }

    @Override
    public Connection opened(TcpListenerSpec listener, ClusterSpec cluster, EndpointSpec endpoint, Channel downstream) {
        boolean destination = listener.direction() == ListenerSpec.Direction.INBOUND;
        String key = (destination ? "d|" : "s|") + cluster.name() + "|" + endpoint.labels().get("app") + "|"
                + endpoint.labels().get("version");
        Series s = series.get(key);
        if (s == null) {
            Series created = new Series(labels(destination, cluster, endpoint));
            s = series.size() < SERIES_LIMIT ? series.computeIfAbsent(key, k -> created) : created;
        }
        Series counted = s;
        counted.opened.increment();
        return new Connection() {
            @Override
            public void received(long bytes) {
                counted.received.add(bytes);
            }

            @Override
            public void sent(long bytes) {
                counted.sent.add(bytes);
            }

            @Override
            public void closed() {
                counted.closed.increment();
            }
        };
    }

    @Override
    public void refused(TcpListenerSpec listener, ResponseFlag flag) {
        String key = "{listener=\"" + listener.name() + "\",response_flags=\"" + flag + "\"}";
        LongAdder count = refused.get(key);
        if (count == null) {
            count = refused.size() < SERIES_LIMIT ? refused.computeIfAbsent(key, k -> new LongAdder()) : new LongAdder();
        }
        count.increment();
    }

    private String labels(boolean destination, ClusterSpec cluster, EndpointSpec endpoint) {
        WorkloadLabels peer = destination ? WorkloadLabels.UNKNOWN
                : WorkloadLabels.of(null, null, endpoint.labels(), null);
        WorkloadLabels source = destination ? peer : self;
        WorkloadLabels dest = destination ? self : peer;
        ServiceLabels service = destination ? ServiceLabels.UNKNOWN : ServiceLabels.ofHost(cluster.host());
        String unknown = WorkloadLabels.UNKNOWN_VALUE;
        StringBuilder l = new StringBuilder(512).append('{');
        add(l, "reporter", destination ? "destination" : "source");
        add(l, "source_workload", source.workload());
        add(l, "source_workload_namespace", source.namespace());
        add(l, "source_principal", unknown);
        add(l, "source_app", source.app());
        add(l, "source_version", source.version());
        add(l, "source_canonical_service", source.canonicalService());
        add(l, "source_canonical_revision", source.canonicalRevision());
        add(l, "source_cluster", source.cluster());
        add(l, "destination_workload", dest.workload());
        add(l, "destination_workload_namespace", dest.namespace());
        add(l, "destination_principal", unknown);
        add(l, "destination_app", dest.app());
        add(l, "destination_version", dest.version());
        add(l, "destination_service", service.service());
        add(l, "destination_service_name", service.name());
        add(l, "destination_service_namespace", service.namespace());
        add(l, "destination_canonical_service", dest.canonicalService());
        add(l, "destination_canonical_revision", dest.canonicalRevision());
        add(l, "destination_cluster", dest.cluster());
        add(l, "request_protocol", "tcp");
        add(l, "response_flags", "-");
        add(l, "connection_security_policy", destination ? "none" : unknown);
        l.setLength(l.length() - 1);
        return l.append('}').toString();
    }

    private static void add(StringBuilder out, String name, String value) {
        out.append(name).append("=\"").append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append("\",");
    }

    private void render(StringBuilder out) {
        if (!refused.isEmpty()) {
            out.append("# TYPE meshgate_tcp_connections_refused_total counter\n");
            refused.forEach((labels, count) -> out.append("meshgate_tcp_connections_refused_total").append(labels)
                    .append(' ').append(count.sum()).append('\n'));
        }
        if (series.isEmpty()) {
            return;
        }
        family(out, "istio_tcp_connections_opened_total", s -> s.opened.sum());
        family(out, "istio_tcp_connections_closed_total", s -> s.closed.sum());
        family(out, "istio_tcp_received_bytes_total", s -> s.received.sum());
        family(out, "istio_tcp_sent_bytes_total", s -> s.sent.sum());
    }

    private void family(StringBuilder out, String name, java.util.function.ToLongFunction<Series> value) {
        out.append("# TYPE ").append(name).append(" counter\n");
        for (Series s : series.values()) {
            out.append(name).append(s.labels).append(' ').append(value.applyAsLong(s)).append('\n');
        }
    }

    /** The counters of one label set. */
    private static final class Series {
        final String labels;
        final LongAdder opened = new LongAdder();
        final LongAdder closed = new LongAdder();
        final LongAdder received = new LongAdder();
        final LongAdder sent = new LongAdder();

        Series(String labels) {
            this.labels = labels;
        }
    }
}
