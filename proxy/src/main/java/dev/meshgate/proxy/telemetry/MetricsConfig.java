package dev.meshgate.proxy.telemetry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.telemetry.Metrics.IstioMetric;
import dev.meshgate.core.telemetry.Metrics.TagOverride;
import dev.meshgate.core.telemetry.TagValue;
import dev.meshgate.core.telemetry.Telemetry.WorkloadMode;
import dev.meshgate.core.view.TelemetrySpec;
import dev.meshgate.core.view.TelemetrySpec.MetricSpec;

import org.jspecify.annotations.Nullable;

/**
 * Implements {@code Telemetry.spec.metrics} as the view resolved it: per reporter and metric, whether it is
 * reported and how its labels are changed ({@code tagOverrides}: REMOVE, UPSERT with a literal or an attribute).
 * Built once per view; the sink compares it by identity.
 */
final class MetricsConfig {

    /** Indexed as {@link IstioMetrics.Family}. */
    private static final IstioMetric[] METRICS = {IstioMetric.REQUEST_COUNT, IstioMetric.REQUEST_DURATION,
            IstioMetric.REQUEST_SIZE, IstioMetric.RESPONSE_SIZE, IstioMetric.GRPC_REQUEST_MESSAGES,
            IstioMetric.GRPC_RESPONSE_MESSAGES};

    static final MetricsConfig DEFAULT = new MetricsConfig(null);

    /** [0: source (CLIENT), 1: destination (SERVER)][family]: null when reported as Istio's default. */
    private final @Nullable Rule[][] rules = new Rule[2][METRICS.length];
    private final boolean[] allDisabled = new boolean[2];
    private final boolean needsHost;
    private final boolean needsMethod;
    private final boolean needsScheme;

    /** One metric's changes: disabled, or its ordered tag overrides (a null value removes the label). */
    record Rule(boolean disabled, Map<String, @Nullable TagValue> tags) {
    }

    MetricsConfig(@Nullable TelemetrySpec telemetry) {
        boolean host = false;
        boolean method = false;
        boolean scheme = false;
        List<String> providers = telemetry == null ? List.of() : telemetry.metrics().providers();
        boolean prometheus = providers.isEmpty() || providers.contains("prometheus");
        for (int side = 0; side < 2; side++) {
            WorkloadMode mode = side == 0 ? WorkloadMode.CLIENT : WorkloadMode.SERVER;
            boolean all = true;
            for (int f = 0; f < METRICS.length; f++) {
                MetricSpec spec = telemetry == null ? null : telemetry.metrics().metric(METRICS[f], mode);
                if (!prometheus) {
                    rules[side][f] = new Rule(true, Map.of());
                } else if (spec != null) {
                    Map<String, @Nullable TagValue> tags = new LinkedHashMap<>();
                    for (Map.Entry<String, TagOverride> tag : spec.tagOverrides().entrySet()) {
                        TagValue value = tag.getValue().operationOrDefault() == TagOverride.Operation.REMOVE ? null
                                : TagValue.parse(tag.getValue().value());
                        tags.put(tag.getKey(), value);
                        if (value instanceof TagValue.Attribute a) {
                            host |= a.name() == TagValue.Attribute.Name.REQUEST_HOST;
                            method |= a.name() == TagValue.Attribute.Name.REQUEST_METHOD;
                            scheme |= a.name() == TagValue.Attribute.Name.REQUEST_SCHEME;
                        }
                    }
                    rules[side][f] = new Rule(spec.disabled(), tags);
                }
                all &= rules[side][f] != null && rules[side][f].disabled();
            }
            allDisabled[side] = all;
        }
        this.needsHost = host;
        this.needsMethod = method;
        this.needsScheme = scheme;
    }

    boolean allDisabled(boolean destination) {
        return allDisabled[destination ? 1 : 0];
    }

    boolean needsHost() {
        return needsHost;
    }

    boolean needsMethod() {
        return needsMethod;
    }

    boolean needsScheme() {
        return needsScheme;
    }

    /**
     * The label text ({@code {a="b",...}}) of family {@code f} for a series with the standard {@code labels},
     * or null when the metric is disabled for this reporter.
     */
    @Nullable String labels(boolean destination, int family, Map<String, String> labels, SeriesKey key) {
        Rule rule = rules[destination ? 1 : 0][family];
        if (rule != null && rule.disabled()) {
            return null;
        }
        Map<String, String> out = labels;
        if (rule != null && !rule.tags().isEmpty()) {
            out = new LinkedHashMap<>(labels);
            for (Map.Entry<String, @Nullable TagValue> tag : rule.tags().entrySet()) {
                TagValue value = tag.getValue();
                if (value == null) {
                    out.remove(tag.getKey());
                } else {
                    out.put(tag.getKey(), evaluate(value, key));
                }
            }
        }
        return render(out);
    }

    private static String evaluate(TagValue value, SeriesKey key) {
        if (value instanceof TagValue.Literal literal) {
            return literal.value();
        }
        TagValue.Attribute attribute = (TagValue.Attribute) value;
        String result = switch (attribute.name()) {
            case REQUEST_HOST -> key.host();
            case REQUEST_METHOD -> key.method();
            case REQUEST_SCHEME -> key.scheme();
            case RESPONSE_CODE -> Integer.toString(key.code());
        };
        return result == null ? "" : result;
    }

    static String render(Map<String, String> labels) {
        StringBuilder out = new StringBuilder(640).append('{');
        boolean first = true;
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(label.getKey()).append("=\"");
            String value = label.getValue();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '\\' -> out.append("\\\\");
                    case '"' -> out.append("\\\"");
                    case '\n' -> out.append("\\n");
                    default -> out.append(c);
                }
            }
            out.append('"');
        }
        return out.append('}').toString();
    }
}
