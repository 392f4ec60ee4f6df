package dev.meshgate.core.mesh;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.view.AccessLogSpec;

/**
 * Implements MeshConfig's {@code accessLogFile}, {@code accessLogEncoding} and {@code accessLogFormat}. Not
 * supported here: {@code extensionProviders[].envoyFileAccessLog} and the other access-log providers (reported at
 * validation).
 */
public final class AccessLogTranslator {

    private AccessLogTranslator() {
    }

    /** The mesh's access log, or null when MeshConfig sets none of its fields (Istio's default: off). */
    public static @Nullable AccessLogSpec translate(MeshConfig meshConfig) {
        String file = meshConfig.accessLogFile() == null ? "" : meshConfig.accessLogFile();
        String format = meshConfig.accessLogFormat() == null || meshConfig.accessLogFormat().isEmpty() ? null
                : meshConfig.accessLogFormat();
        if (file.isEmpty() && meshConfig.accessLogEncoding() == null && format == null) {
            return null;
        }
        return new AccessLogSpec(file, meshConfig.accessLogEncoding(), format);
    }
}
