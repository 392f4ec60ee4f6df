package dev.meshgate.core.translate.telemetry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.meshgate.core.index.CreationOrder;
import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.telemetry.AccessLogging;
import dev.meshgate.core.telemetry.Metrics;
import dev.meshgate.core.telemetry.Metrics.IstioMetric;
import dev.meshgate.core.telemetry.Metrics.MetricsOverrides;
import dev.meshgate.core.telemetry.Metrics.TagOverride;
import dev.meshgate.core.telemetry.Telemetry;
import dev.meshgate.core.telemetry.Telemetry.ProviderRef;
import dev.meshgate.core.telemetry.Telemetry.WorkloadMode;
import dev.meshgate.core.telemetry.Tracing;
import dev.meshgate.core.telemetry.Tracing.CustomTag;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.TelemetrySpec;
import dev.meshgate.core.view.TelemetrySpec.AccessLoggingSpec;
import dev.meshgate.core.view.TelemetrySpec.MetricSpec;
import dev.meshgate.core.view.TelemetrySpec.MetricsSpec;
import dev.meshgate.core.view.TelemetrySpec.TracingSpec;

import org.jspecify.annotations.Nullable;

/**
 * Implements the selection and merging of {@code Telemetry} resources for one proxy, as Istio's
 * {@code applicableTelemetries}: the root namespace's Telemetry without selector, then the proxy's namespace's
 * without selector, then the one in its namespace whose {@code selector.matchLabels} the proxy's labels contain
 * (of several at one level, the oldest). Later levels override earlier ones field by field: providers when set,
 * sampling and flags when set, custom tags by name; metric overrides accumulate in order.
 *
 * <p>A Telemetry with {@code targetRef(s)} applies to no sidecar or gateway here (Istio binds it to the named
 * gateway or waypoint, which meshgate does not support; validation says so).
 */
public final class TelemetryTranslator {

    private static final List<WorkloadMode> SIDES = List.of(WorkloadMode.CLIENT, WorkloadMode.SERVER);

    private TelemetryTranslator() {
    }

    /** The resolved telemetry of {@code proxy}, or null when no Telemetry applies to it. */
    public static @Nullable TelemetrySpec translate(MeshIndex index, ProxyIdentity proxy) {
        List<Resource<Telemetry>> applied = applicable(index.telemetries(), index.settings().rootNamespace(), proxy);
        if (applied.isEmpty()) {
            return null;
        }
        List<String> keys = applied.stream().map(Resource::key).toList();
        List<Telemetry> specs = applied.stream().map(Resource::spec).toList();
        return new TelemetrySpec(keys, tracing(specs), metrics(specs), accessLogging(specs));
    }

    /** The Telemetries that apply to {@code proxy}, most general first. */
    static List<Resource<Telemetry>> applicable(List<Resource<Telemetry>> telemetries, String rootNamespace,
            ProxyIdentity proxy) {
        List<Resource<Telemetry>> sorted = new ArrayList<>(telemetries);
        sorted.sort(CreationOrder.OLDEST_FIRST);
        Resource<Telemetry> root = null;
        Resource<Telemetry> namespace = null;
        Resource<Telemetry> workload = null;
        for (Resource<Telemetry> t : sorted) {
            Telemetry spec = t.spec();
            if (spec.targetRef() != null || !spec.targetRefs().isEmpty()) {
                continue;
            }
            String ns = t.metadata().namespace();
            if (spec.selector() == null) {
                if (ns.equals(rootNamespace) && root == null) {
                    root = t;
                }
                if (ns.equals(proxy.namespace()) && !ns.equals(rootNamespace) && namespace == null) {
                    namespace = t;
                }
            } else if (ns.equals(proxy.namespace()) && workload == null
                    && proxy.labels().entrySet().containsAll(spec.selector().matchLabels().entrySet())) {
                workload = t;
            }
        }
        List<Resource<Telemetry>> out = new ArrayList<>(3);
        addIfPresent(out, root);
        addIfPresent(out, namespace);
        addIfPresent(out, workload);
        return out;
    }

    private static void addIfPresent(List<Resource<Telemetry>> out, @Nullable Resource<Telemetry> telemetry) {
        if (telemetry != null) {
            out.add(telemetry);
        }
    }

    private static List<TracingSpec> tracing(List<Telemetry> specs) {
        if (specs.stream().allMatch(s -> s.tracing().isEmpty())) {
            return List.of();
        }
        List<TracingSpec> out = new ArrayList<>(2);
        for (WorkloadMode side : SIDES) {
            List<String> providers = List.of();
            Double sampling = null;
            Boolean disable = null;
            Boolean useRequestId = null;
            Map<String, CustomTag> tags = new TreeMap<>();
            for (Telemetry spec : specs) {
                for (Tracing tracing : spec.tracing()) {
                    WorkloadMode mode = tracing.match() == null || tracing.match().mode() == null
                            ? WorkloadMode.CLIENT_AND_SERVER : tracing.match().mode();
                    if (!mode.covers(side)) {
                        continue;
                    }
                    if (!tracing.providers().isEmpty()) {
                        providers = names(tracing.providers());
                    }
                    sampling = tracing.randomSamplingPercentage() != null ? tracing.randomSamplingPercentage()
                            : sampling;
                    disable = tracing.disableSpanReporting() != null ? tracing.disableSpanReporting() : disable;
                    useRequestId = tracing.useRequestIdForTraceSampling() != null
                            ? tracing.useRequestIdForTraceSampling() : useRequestId;
                    tags.putAll(tracing.customTags());
                }
            }
            out.add(new TracingSpec(side, providers, sampling, disable, tags, useRequestId));
        }
        return out;
    }

    private static MetricsSpec metrics(List<Telemetry> specs) {
        List<String> providers = List.of();
        List<MetricsOverrides> overrides = new ArrayList<>();
        for (Telemetry spec : specs) {
            for (Metrics metrics : spec.metrics()) {
                if (!metrics.providers().isEmpty()) {
                    providers = names(metrics.providers());
                }
                overrides.addAll(metrics.overrides());
            }
        }
        List<MetricSpec> resolved = new ArrayList<>();
        for (IstioMetric metric : IstioMetric.values()) {
            if (metric == IstioMetric.ALL_METRICS) {
                continue;
            }
            for (WorkloadMode side : SIDES) {
                boolean disabled = false;
                Map<String, TagOverride> tags = new LinkedHashMap<>();
                boolean touched = false;
                for (MetricsOverrides override : overrides) {
                    if (!matches(override, metric, side)) {
                        continue;
                    }
                    if (override.disabled() != null) {
                        disabled = override.disabled();
                        touched = true;
                    }
                    for (Map.Entry<String, TagOverride> tag : override.tagOverrides().entrySet()) {
                        tags.remove(tag.getKey());
                        tags.put(tag.getKey(), new TagOverride(tag.getValue().operationOrDefault(),
                                tag.getValue().operationOrDefault() == TagOverride.Operation.REMOVE ? null
                                        : tag.getValue().value()));
                        touched = true;
                    }
                }
                if (touched && (disabled || !tags.isEmpty())) {
                    resolved.add(new MetricSpec(metric, side, disabled, tags));
                }
            }
        }
        return new MetricsSpec(providers, resolved);
    }

    private static boolean matches(MetricsOverrides override, IstioMetric metric, WorkloadMode side) {
        if (override.match() == null) {
            return true;
        }
        if (!override.match().modeOrDefault().covers(side)) {
            return false;
        }
        if (override.match().customMetric() != null) {
            // meshgate defines no custom metrics: the override selects none
            return false;
        }
        IstioMetric selected = override.match().metric();
        return selected == null || selected == IstioMetric.ALL_METRICS || selected == metric;
    }

    private static List<AccessLoggingSpec> accessLogging(List<Telemetry> specs) {
        if (specs.stream().allMatch(s -> s.accessLogging().isEmpty())) {
            return List.of();
        }
        List<AccessLoggingSpec> out = new ArrayList<>(2);
        for (WorkloadMode side : SIDES) {
            List<String> providers = List.of();
            Boolean disabled = null;
            for (Telemetry spec : specs) {
                for (AccessLogging logging : spec.accessLogging()) {
                    WorkloadMode mode = logging.match() == null || logging.match().mode() == null
                            ? WorkloadMode.CLIENT_AND_SERVER : logging.match().mode();
                    if (!mode.covers(side)) {
                        continue;
                    }
                    if (!logging.providers().isEmpty()) {
                        providers = names(logging.providers());
                    }
                    disabled = logging.disabled() != null ? logging.disabled() : disabled;
                }
            }
            out.add(new AccessLoggingSpec(side, providers, disabled));
        }
        return out;
    }

    private static List<String> names(List<ProviderRef> providers) {
        return providers.stream().map(ProviderRef::name).filter(n -> n != null && !n.isEmpty()).toList();
    }
}
