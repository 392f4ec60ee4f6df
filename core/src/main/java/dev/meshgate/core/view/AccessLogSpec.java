package dev.meshgate.core.view;

import dev.meshgate.core.mesh.MeshConfig.AccessLogEncoding;

import org.jspecify.annotations.Nullable;

/**
 * MeshConfig's access log, as a proxy applies it: absent from a view when MeshConfig sets none of
 * {@code accessLogFile}, {@code accessLogEncoding}, {@code accessLogFormat}.
 *
 * @param file {@code /dev/stdout} or a file path; empty: off unless a Telemetry names the {@code envoy} provider
 *     (which then writes to {@code /dev/stdout})
 * @param encoding TEXT or JSON
 * @param format Envoy's format string (TEXT) or a JSON object of keys and operators (JSON); null: Istio's default
 */
public record AccessLogSpec(String file, AccessLogEncoding encoding, @Nullable String format) {

    public AccessLogSpec {
        file = file == null ? "" : file;
        encoding = encoding == null ? AccessLogEncoding.TEXT : encoding;
    }
}
