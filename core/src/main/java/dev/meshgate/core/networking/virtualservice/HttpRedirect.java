package dev.meshgate.core.networking.virtualservice;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code HTTPRedirect}: answer with a redirect instead of forwarding.
 *
 * @param uri replaces the path (and query) of the URL
 * @param authority replaces the authority (host) of the URL
 * @param port replaces the port; exclusive with {@code derivePort}
 * @param derivePort where the port comes from when {@code port} is absent
 * @param scheme replaces the scheme
 * @param redirectCode a 3xx status; 301 when absent
 */
public record HttpRedirect(@Nullable String uri, @Nullable String authority, @Nullable Integer port,
        @Nullable RedirectPortSelection derivePort, @Nullable String scheme, @Nullable Integer redirectCode) {

    /** Istio's {@code HTTPRedirect.RedirectPortSelection}. */
    public enum RedirectPortSelection {
        FROM_PROTOCOL_DEFAULT,
        FROM_REQUEST_PORT
    }
}
