package dev.meshgate.core.telemetry;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.networking.Immutable;
import dev.meshgate.core.telemetry.Telemetry.ProviderRef;
import dev.meshgate.core.telemetry.Telemetry.WorkloadMode;

import org.jspecify.annotations.Nullable;

/**
 * {@code Telemetry.spec.tracing[]}: where spans go, how many, with which tags. Unset fields inherit from the less
 * specific Telemetry and finally from MeshConfig.
 *
 * @param match absent: both modes
 * @param randomSamplingPercentage 0 to 100
 * @param customTags by tag name
 */
public record Tracing(@Nullable TracingSelector match, List<ProviderRef> providers,
        @Nullable Double randomSamplingPercentage, @Nullable Boolean disableSpanReporting,
        Map<String, CustomTag> customTags, @Nullable Boolean useRequestIdForTraceSampling) {

    public Tracing {
        providers = Immutable.list(providers);
        customTags = Immutable.map(customTags);
    }

    /** {@code tracing[].match}. */
    public record TracingSelector(@Nullable WorkloadMode mode) {
    }

    /** {@code customTags.<name>}: exactly one of a literal, an environment variable or a request header. */
    public record CustomTag(@Nullable Literal literal, @Nullable Environment environment,
            @Nullable RequestHeader header) {
    }

    public record Literal(@Nullable String value) {
    }

    public record Environment(@Nullable String name, @Nullable String defaultValue) {
    }

    public record RequestHeader(@Nullable String name, @Nullable String defaultValue) {
    }
}
