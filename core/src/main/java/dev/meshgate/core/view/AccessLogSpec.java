package dev.meshgate.core.view;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.meshgate.core.mesh.EnvoyFileAccessLog;
import dev.meshgate.core.mesh.MeshConfig.AccessLogEncoding;
import dev.meshgate.core.networking.Immutable;

import org.jspecify.annotations.Nullable;

/**
 * MeshConfig's access logging, as a proxy applies it: absent from a view when MeshConfig sets none of
 * {@code accessLogFile}, {@code accessLogEncoding}, {@code accessLogFormat}, {@code envoyFileAccessLog} providers and
 * {@code defaultProviders.accessLogging}.
 *
 * @param file {@code /dev/stdout} or a file path; empty: off unless a Telemetry names the {@code envoy} provider
 *     (which then writes to {@code /dev/stdout})
 * @param encoding TEXT or JSON
 * @param format Envoy's format string (TEXT) or a JSON object of keys and operators (JSON); null: Istio's default
 * @param providers the {@code envoyFileAccessLog} extension providers by name
 * @param defaultProviders {@code defaultProviders.accessLogging}: the providers in force where no Telemetry names any
 */
public record AccessLogSpec(String file, AccessLogEncoding encoding, @Nullable String format,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, EnvoyFileAccessLog> providers,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> defaultProviders) {

    public AccessLogSpec {
        file = file == null ? "" : file;
        encoding = encoding == null ? AccessLogEncoding.TEXT : encoding;
        providers = Immutable.map(providers);
        defaultProviders = Immutable.list(defaultProviders);
    }

    /** MeshConfig's own access log only (no providers). */
    public AccessLogSpec(String file, AccessLogEncoding encoding, @Nullable String format) {
        this(file, encoding, format, Map.of(), List.of());
    }
}
