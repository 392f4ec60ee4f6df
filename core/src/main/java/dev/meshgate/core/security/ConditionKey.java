package dev.meshgate.core.security;

import org.jspecify.annotations.Nullable;

/**
 * The keys of {@code AuthorizationPolicy} {@code when} conditions Istio documents, and which of them meshgate
 * enforces. {@code request.headers[name]} and {@code request.auth.claims[name]} (nested claims:
 * {@code request.auth.claims[a][b]}) carry a name; the others are fixed.
 */
public enum ConditionKey {
    REQUEST_HEADERS("request.headers", true),
    SOURCE_IP("source.ip", true),
    REMOTE_IP("remote.ip", true),
    SOURCE_NAMESPACE("source.namespace", true),
    SOURCE_PRINCIPAL("source.principal", true),
    REQUEST_AUTH_PRINCIPAL("request.auth.principal", true),
    REQUEST_AUTH_AUDIENCES("request.auth.audiences", true),
    REQUEST_AUTH_PRESENTER("request.auth.presenter", true),
    REQUEST_AUTH_CLAIMS("request.auth.claims", true),
    DESTINATION_IP("destination.ip", true),
    DESTINATION_PORT("destination.port", true),
    /** The server name (SNI) of the downstream TLS connection; absent on plaintext. */
    CONNECTION_SNI("connection.sni", true),
    /** Envoy filter metadata: meshgate runs no Envoy filters. */
    EXPERIMENTAL_ENVOY_FILTERS("experimental.envoy.filters.", false);

    private final String key;
    private final boolean supported;

    ConditionKey(String key, boolean supported) {
        this.key = key;
        this.supported = supported;
    }

    /** The key as written ({@code source.ip}); for the two keys with a name, the part before {@code [}. */
    public String key() {
        return key;
    }

    /** Whether meshgate's proxies enforce conditions on this key. */
    public boolean supported() {
        return supported;
    }

    /**
     * The key {@code text} denotes, or null when it is none of Istio's: {@code request.headers[x-a]} is
     * REQUEST_HEADERS, {@code experimental.envoy.filters.a.b[c]} EXPERIMENTAL_ENVOY_FILTERS.
     */
    public static @Nullable ConditionKey of(String text) {
        if (text.startsWith(EXPERIMENTAL_ENVOY_FILTERS.key)) {
            return EXPERIMENTAL_ENVOY_FILTERS;
        }
        if (text.startsWith("request.headers[")) {
            return names(text, "request.headers") == null ? null : REQUEST_HEADERS;
        }
        if (text.startsWith("request.auth.claims[")) {
            return names(text, "request.auth.claims") == null ? null : REQUEST_AUTH_CLAIMS;
        }
        for (ConditionKey candidate : values()) {
            if (candidate != REQUEST_HEADERS && candidate != REQUEST_AUTH_CLAIMS
                    && candidate != EXPERIMENTAL_ENVOY_FILTERS && candidate.key.equals(text)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * The names in brackets after {@code prefix}: {@code request.auth.claims[a][b]} gives {@code [a, b]}; null when
     * the brackets are malformed or a name is empty.
     */
    public static java.util.@Nullable List<String> names(String text, String prefix) {
        String rest = text.substring(prefix.length());
        java.util.List<String> names = new java.util.ArrayList<>();
        while (!rest.isEmpty()) {
            if (rest.charAt(0) != '[') {
                return null;
            }
            int close = rest.indexOf(']');
            if (close <= 1) {
                return null;
            }
            names.add(rest.substring(1, close));
            rest = rest.substring(close + 1);
        }
        return names.isEmpty() ? null : names;
    }
}
