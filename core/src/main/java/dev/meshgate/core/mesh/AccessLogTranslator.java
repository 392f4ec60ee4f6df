package dev.meshgate.core.mesh;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.view.AccessLogSpec;

/**
 * Implements MeshConfig's {@code accessLogFile}, {@code accessLogEncoding}, {@code accessLogFormat},
 * {@code extensionProviders[].envoyFileAccessLog} and {@code defaultProviders.accessLogging}. Not supported here:
 * the other access-log providers ({@code envoyHttpAls}, {@code envoyTcpAls}, {@code envoyOtelAls}; reported at
 * validation). Which providers a side writes to is decided by the proxy with the view's Telemetry, as Istio does:
 * a Telemetry's providers, else the default providers, else the legacy {@code accessLogFile}.
 */
public final class AccessLogTranslator {

    private AccessLogTranslator() {
    }

    /** The mesh's access logging, or null when MeshConfig sets none of its fields (Istio's default: off). */
    public static @Nullable AccessLogSpec translate(MeshConfig meshConfig) {
        String file = meshConfig.accessLogFile() == null ? "" : meshConfig.accessLogFile();
        String format = meshConfig.accessLogFormat() == null || meshConfig.accessLogFormat().isEmpty() ? null
                : meshConfig.accessLogFormat();
        Map<String, EnvoyFileAccessLog> providers = new LinkedHashMap<>();
        for (MeshConfig.ExtensionProvider provider : meshConfig.extensionProviders()) {
            if (provider.name() != null && provider.envoyFileAccessLog() != null) {
                // Problems were reported at validation; what remains usable is applied.
                providers.putIfAbsent(provider.name(), EnvoyFileAccessLog.of(provider.envoyFileAccessLog(),
                        (field, problem) -> { }));
            }
        }
        var defaults = meshConfig.defaultProviders() == null ? java.util.List.<String>of()
                : meshConfig.defaultProviders().accessLogging();
        if (file.isEmpty() && meshConfig.accessLogEncoding() == null && format == null && providers.isEmpty()
                && defaults.isEmpty()) {
            return null;
        }
        return new AccessLogSpec(file, meshConfig.accessLogEncoding(), format, providers, defaults);
    }
}
