package dev.meshgate.core.validation;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.telemetry.AccessLogging;
import dev.meshgate.core.telemetry.Metrics;
import dev.meshgate.core.telemetry.Metrics.MetricSelector;
import dev.meshgate.core.telemetry.Metrics.MetricsOverrides;
import dev.meshgate.core.telemetry.Metrics.TagOverride;
import dev.meshgate.core.telemetry.TagValue;
import dev.meshgate.core.telemetry.Telemetry;
import dev.meshgate.core.telemetry.Telemetry.ProviderRef;
import dev.meshgate.core.telemetry.Tracing;
import dev.meshgate.core.telemetry.Tracing.CustomTag;

import org.jspecify.annotations.Nullable;

/**
 * Validates a {@code Telemetry} with Istio's rules ({@code ValidateTelemetry}): selector or targetRefs, not
 * both; provider names; tracing sampling in 0-100 and one tracing entry and provider; metric selectors; tag
 * overrides (a value for UPSERT, none for REMOVE). meshgate adds: tag names must be Prometheus label names, and
 * a tag value must be an expression meshgate evaluates ({@link TagValue#SUPPORTED}). Unsupported:
 * {@code targetRef(s)}, {@code metrics[].reportingInterval}, {@code accessLogging[].filter}.
 */
final class TelemetryValidator {

    private TelemetryValidator() {
    }

    static void validate(Telemetry spec, Problems problems) {
        boolean targets = spec.targetRef() != null || !spec.targetRefs().isEmpty();
        if (spec.selector() != null && targets) {
            problems.add(DiagnosticCode.TELEMETRY_SELECTOR_AND_TARGET, "spec.targetRefs",
                    "only one of targetRefs or selector can be set");
        }
        if (spec.targetRef() != null && !spec.targetRefs().isEmpty()) {
            problems.add(DiagnosticCode.TELEMETRY_SELECTOR_AND_TARGET, "spec.targetRef",
                    "only one of targetRef or targetRefs can be set");
        }
        if (targets) {
            String field = spec.targetRef() != null ? "spec.targetRef" : "spec.targetRefs";
            problems.add(DiagnosticCode.UNSUPPORTED_FIELD, field, "unsupported: " + field
                    + " (gateway and waypoint policy attachment) is not implemented yet; the Telemetry applies to"
                    + " no proxy");
        }
        if (spec.selector() != null) {
            for (String label : spec.selector().matchLabels().keySet()) {
                if (label.isEmpty()) {
                    problems.add(DiagnosticCode.TELEMETRY_INVALID_SELECTOR, "spec.selector.matchLabels",
                            "empty label name (expected a Kubernetes label key)");
                }
            }
        }
        tracing(spec.tracing(), problems);
        for (int i = 0; i < spec.metrics().size(); i++) {
            metrics(spec.metrics().get(i), "spec.metrics[" + i + "]", problems);
        }
        for (int i = 0; i < spec.accessLogging().size(); i++) {
            AccessLogging logging = spec.accessLogging().get(i);
            String field = "spec.accessLogging[" + i + "]";
            providers(logging.providers(), field, problems);
            if (logging.filter() != null) {
                problems.unsupported(field + ".filter.expression", logging.filter().expression() != null);
            }
        }
    }

    private static void tracing(List<Tracing> tracing, Problems problems) {
        if (tracing.size() > 1) {
            problems.add(DiagnosticCode.TELEMETRY_MULTIPLE_TRACING, "spec.tracing",
                    "multiple tracing is not currently supported (got " + tracing.size() + "); Istio reads the first");
        }
        for (int i = 0; i < tracing.size(); i++) {
            Tracing t = tracing.get(i);
            String field = "spec.tracing[" + i + "]";
            providers(t.providers(), field, problems);
            if (t.providers().size() > 1) {
                problems.add(DiagnosticCode.TELEMETRY_MULTIPLE_TRACING, field + ".providers",
                        "multiple providers is not currently supported (got " + t.providers().size()
                                + "); the first is used");
            }
            Double sampling = t.randomSamplingPercentage();
            if (sampling != null && !(sampling >= 0 && sampling <= 100)) {
                problems.add(DiagnosticCode.TELEMETRY_INVALID_SAMPLING, field + ".randomSamplingPercentage",
                        "randomSamplingPercentage: " + sampling + " (expected: 0.0 to 100.0)");
            }
            for (Map.Entry<String, CustomTag> tag : t.customTags().entrySet()) {
                customTag(tag.getKey(), tag.getValue(), field + ".customTags." + tag.getKey(), problems);
            }
            // Envoy derives the sampling draw from x-request-id; meshgate's draw is random per request.
            problems.unsupported(field + ".useRequestIdForTraceSampling", t.useRequestIdForTraceSampling());
        }
    }

    private static void customTag(String name, CustomTag tag, String field, Problems problems) {
        if (name.isEmpty()) {
            problems.add(DiagnosticCode.TELEMETRY_INVALID_CUSTOM_TAG, field, "tag name must not be empty");
        }
        int types = (tag.literal() != null ? 1 : 0) + (tag.environment() != null ? 1 : 0)
                + (tag.header() != null ? 1 : 0);
        if (types != 1) {
            problems.add(DiagnosticCode.TELEMETRY_INVALID_CUSTOM_TAG, field,
                    "exactly one of literal, environment and header must be set (got " + types + ")");
        }
        if (tag.environment() != null && isBlank(tag.environment().name())) {
            problems.add(DiagnosticCode.TELEMETRY_INVALID_CUSTOM_TAG, field + ".environment.name",
                    "environment variable name must not be empty");
        }
        if (tag.header() != null && isBlank(tag.header().name())) {
            problems.add(DiagnosticCode.TELEMETRY_INVALID_CUSTOM_TAG, field + ".header.name",
                    "header name must not be empty");
        }
    }

    private static void metrics(Metrics metrics, String field, Problems problems) {
        providers(metrics.providers(), field, problems);
        problems.unsupported(field + ".reportingInterval", metrics.reportingInterval());
        for (int i = 0; i < metrics.overrides().size(); i++) {
            MetricsOverrides override = metrics.overrides().get(i);
            String at = field + ".overrides[" + i + "]";
            MetricSelector match = override.match();
            if (match != null && match.metric() != null && match.customMetric() != null) {
                problems.add(DiagnosticCode.TELEMETRY_INVALID_METRIC_SELECTOR, at + ".match",
                        "only one of metric and customMetric can be set");
            }
            if (match != null && match.customMetric() != null) {
                if (!match.customMetric().matches("[a-zA-Z0-9_]+")) {
                    problems.add(DiagnosticCode.TELEMETRY_INVALID_METRIC_SELECTOR, at + ".match.customMetric",
                            "custom metric name \"" + match.customMetric()
                                    + "\" contains invalid characters (expected letters, digits and '_')");
                } else {
                    problems.add(DiagnosticCode.UNSUPPORTED_FIELD, at + ".match.customMetric",
                            "unsupported: meshgate defines no custom metric \"" + match.customMetric()
                                    + "\"; the override selects none");
                }
            }
            for (Map.Entry<String, TagOverride> tag : override.tagOverrides().entrySet()) {
                tagOverride(tag.getKey(), tag.getValue(), at + ".tagOverrides." + tag.getKey(), problems);
            }
        }
    }

    private static void tagOverride(String name, TagOverride tag, String field, Problems problems) {
        if (!TagValue.isLabelName(name)) {
            problems.add(DiagnosticCode.TELEMETRY_INVALID_TAG_OVERRIDE, field, "tag name \"" + name
                    + "\" (expected a Prometheus label name: letters, digits and '_', not starting with a digit"
                    + " or '__')");
        }
        if (tag.operationOrDefault() == TagOverride.Operation.REMOVE) {
            if (!isBlank(tag.value())) {
                problems.add(DiagnosticCode.TELEMETRY_INVALID_TAG_OVERRIDE, field + ".value",
                        "value must only be set when operation is UPSERT (got \"" + tag.value() + "\")");
            }
            return;
        }
        if (isBlank(tag.value())) {
            problems.add(DiagnosticCode.TELEMETRY_INVALID_TAG_OVERRIDE, field + ".value",
                    "value must be set when operation is UPSERT");
            return;
        }
        String problem = TagValue.problem(tag.value());
        if (problem != null) {
            problems.add(DiagnosticCode.TELEMETRY_UNSUPPORTED_TAG_VALUE, field + ".value", problem);
        }
    }

    private static void providers(List<ProviderRef> providers, String field, Problems problems) {
        for (int i = 0; i < providers.size(); i++) {
            if (isBlank(providers.get(i).name())) {
                problems.add(DiagnosticCode.TELEMETRY_EMPTY_PROVIDER, field + ".providers[" + i + "].name",
                        "providers.name may not be empty");
            }
        }
    }

    private static boolean isBlank(@Nullable String value) {
        return value == null || value.isEmpty();
    }
}
