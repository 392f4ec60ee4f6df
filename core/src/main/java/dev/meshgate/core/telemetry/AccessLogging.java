package dev.meshgate.core.telemetry;

import java.util.List;

import dev.meshgate.core.networking.Immutable;
import dev.meshgate.core.telemetry.Telemetry.ProviderRef;
import dev.meshgate.core.telemetry.Telemetry.WorkloadMode;

import org.jspecify.annotations.Nullable;

/**
 * {@code Telemetry.spec.accessLogging[]}: which providers write access logs, or none.
 *
 * @param match absent: both modes
 * @param filter a CEL expression selecting the requests logged: not supported
 */
public record AccessLogging(@Nullable LogSelector match, List<ProviderRef> providers, @Nullable Boolean disabled,
        @Nullable Filter filter) {

    public AccessLogging {
        providers = Immutable.list(providers);
    }

    public record LogSelector(@Nullable WorkloadMode mode) {
    }

    public record Filter(@Nullable String expression) {
    }
}
