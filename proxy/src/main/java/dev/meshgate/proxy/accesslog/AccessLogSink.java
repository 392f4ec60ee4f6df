package dev.meshgate.proxy.accesslog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.server.ServerWebExchange;

import io.micrometer.core.instrument.Counter;

import dev.meshgate.core.mesh.EnvoyFileAccessLog;
import dev.meshgate.core.mesh.MeshConfig.AccessLogEncoding;
import dev.meshgate.core.telemetry.Telemetry.WorkloadMode;
import dev.meshgate.core.view.AccessLogSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.TelemetrySpec;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.stream.StreamInfo;
import dev.meshgate.proxy.stream.StreamSink;

/**
 * Writes access-log entries per request, as the current view says ({@link #targets}): MeshConfig's
 * {@code accessLogFile}, {@code envoyFileAccessLog} providers named by {@code defaultProviders.accessLogging} or a
 * Telemetry's {@code accessLogging}, per side: CLIENT for the outbound and gateway listeners, SERVER for inbound.
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
    private volatile State state = new State(null, null, new Output[0], new Output[0]);

    /** What is in force for a view's access log and Telemetry (kept by reference) and each side's output. */
    private record State(@Nullable AccessLogSpec spec, @Nullable TelemetrySpec telemetry, Output[] client,
            Output[] server) {
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
        Output[] outputs = info.inbound() ? s.server() : s.client();
        for (Output out : outputs) {
            out.writer().offer(out.formatter().format(exchange));
        }
    }

    private synchronized State reconfigure(@Nullable AccessLogSpec spec, @Nullable TelemetrySpec telemetry) {
        State s = state;
        if (s.spec() == spec && s.telemetry() == telemetry) {
            return s;
        }
        Map<Target, Output> compiled = new HashMap<>();
        State next = new State(spec, telemetry, outputs(targets(spec, telemetry, WorkloadMode.CLIENT), compiled),
                outputs(targets(spec, telemetry, WorkloadMode.SERVER), compiled));
        state = next;
        return next;
    }

    private Output[] outputs(List<Target> targets, Map<Target, Output> compiled) {
        return targets.stream().map(t -> compiled.computeIfAbsent(t, this::output)).toArray(Output[]::new);
    }

    private Output output(Target target) {
        AccessLogFormatter formatter;
        try {
            formatter = AccessLogFormatter.of(target.encoding(), target.format());
        } catch (RuntimeException e) {
            // Refused at validation; a view that carries it anyway gets Istio's default format.
            log.warn("Access log format not usable ({}); using Istio's default", e.getMessage());
            formatter = AccessLogFormatter.of(target.encoding(), null);
        }
        return new Output(formatter, writers.computeIfAbsent(target.file(),
                f -> AccessLogWriter.open(f, capacity, dropped)));
    }

    /** One access log a side writes: the file and its format (null: Istio's default). */
    record Target(String file, AccessLogEncoding encoding, @Nullable String format) {
    }

    /**
     * Where {@code mode}'s side writes, as Istio resolves it: nothing when a Telemetry disables access logging;
     * else the providers a Telemetry names, or else {@code defaultProviders.accessLogging}, each an
     * {@code envoyFileAccessLog} extension provider or the built-in {@code envoy} (MeshConfig's file, or else
     * {@code /dev/stdout}, in MeshConfig's format); providers meshgate does not write are left out. With no
     * providers at all, MeshConfig's {@code accessLogFile} (Istio's legacy setting).
     */
    static List<Target> targets(@Nullable AccessLogSpec spec, @Nullable TelemetrySpec telemetry, WorkloadMode mode) {
        TelemetrySpec.AccessLoggingSpec t = telemetry == null ? null : accessLogging(telemetry, mode);
        if (t != null && Boolean.TRUE.equals(t.disabled())) {
            return List.of();
        }
        List<String> providers = t != null && !t.providers().isEmpty() ? t.providers()
                : spec == null ? List.of() : spec.defaultProviders();
        if (providers.isEmpty()) {
            return spec == null || spec.file().isEmpty() ? List.of()
                    : List.of(new Target(spec.file(), spec.encoding(), spec.format()));
        }
        List<Target> targets = new ArrayList<>(providers.size());
        for (String name : providers) {
            EnvoyFileAccessLog provider = spec == null ? null : spec.providers().get(name);
            if (provider != null) {
                targets.add(new Target(provider.path(), provider.encoding(), provider.format()));
            } else if (ENVOY_PROVIDER.equals(name)) {
                targets.add(spec == null ? new Target("/dev/stdout", AccessLogEncoding.TEXT, null)
                        : new Target(spec.file().isEmpty() ? "/dev/stdout" : spec.file(), spec.encoding(),
                                spec.format()));
            }
        }
        return List.copyOf(targets);
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
