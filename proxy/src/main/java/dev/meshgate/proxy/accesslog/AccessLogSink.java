package dev.meshgate.proxy.accesslog;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.server.ServerWebExchange;

import io.micrometer.core.instrument.Counter;

import dev.meshgate.core.mesh.MeshConfig.AccessLogEncoding;
import dev.meshgate.core.telemetry.Telemetry.WorkloadMode;
import dev.meshgate.core.view.AccessLogSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.TelemetrySpec;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.stream.StreamInfo;
import dev.meshgate.proxy.stream.StreamSink;

/**
 * Writes one access-log entry per request, as the current view says: MeshConfig's {@code accessLogFile} (with
 * its encoding and format) turns it on for every listener; a Telemetry's {@code accessLogging} turns it off
 * ({@code disabled: true}, or providers naming none that meshgate writes) or on ({@code envoy}, to MeshConfig's
 * file or else {@code /dev/stdout}) per side: CLIENT for the outbound and gateway listeners, SERVER for inbound.
 * The entry is formatted on the event loop (a string build) and handed to the file's {@link AccessLogWriter}.
 * The format is compiled once per view.
 */
public final class AccessLogSink implements StreamSink, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccessLogSink.class);

    /** Istio's built-in provider that writes Envoy's file access log. */
    static final String ENVOY_PROVIDER = "envoy";

    private final MeshRouteTable table;
    private final Counter dropped;
    private final int capacity;
    private final Map<String, AccessLogWriter> writers = new ConcurrentHashMap<>();
    private volatile State state = new State(null, null, null, null);

    /** What is in force for a view's access log and Telemetry (kept by reference) and each side's output. */
    private record State(@Nullable AccessLogSpec spec, @Nullable TelemetrySpec telemetry, @Nullable Output client,
            @Nullable Output server) {
    }

    private record Output(AccessLogFormatter formatter, AccessLogWriter writer) {
    }

    public AccessLogSink(MeshRouteTable table, Counter dropped, int capacity) {
        this.table = table;
        this.dropped = dropped;
        this.capacity = capacity;
    }

    @Override
    public void onComplete(StreamInfo info, ServerWebExchange exchange) {
        ProxyView view = table.current();
        if (view == null) {
            return;
        }
        State s = state;
        if (s.spec() != view.accessLog() || s.telemetry() != view.telemetry()) {
            s = reconfigure(view.accessLog(), view.telemetry());
        }
        Output out = "inbound".equals(info.listener()) ? s.server() : s.client();
        if (out != null) {
            out.writer().offer(out.formatter().format(exchange));
        }
    }

    private synchronized State reconfigure(@Nullable AccessLogSpec spec, @Nullable TelemetrySpec telemetry) {
        State s = state;
        if (s.spec() == spec && s.telemetry() == telemetry) {
            return s;
        }
        AccessLogFormatter formatter;
        try {
            formatter = AccessLogFormatter.of(spec == null ? AccessLogEncoding.TEXT : spec.encoding(),
                    spec == null ? null : spec.format());
        } catch (RuntimeException e) {
            // Refused at validation; a view that carries it anyway gets Istio's default format.
            log.warn("Access log format not usable ({}); using Istio's default", e.getMessage());
            formatter = AccessLogFormatter.of(spec == null ? AccessLogEncoding.TEXT : spec.encoding(), null);
        }
        State next = new State(spec, telemetry, output(spec, telemetry, WorkloadMode.CLIENT, formatter),
                output(spec, telemetry, WorkloadMode.SERVER, formatter));
        state = next;
        return next;
    }

    private @Nullable Output output(@Nullable AccessLogSpec spec, @Nullable TelemetrySpec telemetry,
            WorkloadMode mode, AccessLogFormatter formatter) {
        String file = file(spec, telemetry, mode);
        return file == null ? null
                : new Output(formatter, writers.computeIfAbsent(file, f -> AccessLogWriter.open(f, capacity, dropped)));
    }

    /**
     * Where {@code mode}'s side writes, or null when it does not: MeshConfig's file, unless a Telemetry disables
     * access logging or names providers without {@code envoy}; a Telemetry naming {@code envoy} without a MeshConfig
     * file writes to {@code /dev/stdout}, as Istio's built-in provider does.
     */
    static @Nullable String file(@Nullable AccessLogSpec spec, @Nullable TelemetrySpec telemetry, WorkloadMode mode) {
        String file = spec == null || spec.file().isEmpty() ? null : spec.file();
        TelemetrySpec.AccessLoggingSpec t = telemetry == null ? null : accessLogging(telemetry, mode);
        if (t != null) {
            if (Boolean.TRUE.equals(t.disabled())) {
                return null;
            }
            if (!t.providers().isEmpty()) {
                return t.providers().contains(ENVOY_PROVIDER) ? (file == null ? "/dev/stdout" : file) : null;
            }
        }
        return file;
    }

    private static TelemetrySpec.@Nullable AccessLoggingSpec accessLogging(TelemetrySpec telemetry,
            WorkloadMode mode) {
        for (TelemetrySpec.AccessLoggingSpec spec : telemetry.accessLogging()) {
            if (spec.mode() == mode || spec.mode() == WorkloadMode.CLIENT_AND_SERVER) {
                return spec;
            }
        }
        return null;
    }

    @Override
    public void close() {
        writers.values().forEach(AccessLogWriter::close);
    }
}
