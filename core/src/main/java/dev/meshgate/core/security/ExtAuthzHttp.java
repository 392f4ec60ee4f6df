package dev.meshgate.core.security;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import dev.meshgate.core.networking.Durations;

import org.jspecify.annotations.Nullable;

/**
 * MeshConfig's {@code extensionProviders[].envoyExtAuthzHttp}: the HTTP authorizer a CUSTOM AuthorizationPolicy
 * calls. The proxy sends it the request's method and path (under {@code pathPrefix}) with the headers
 * {@code includeRequestHeadersInCheck} names and {@code includeAdditionalHeadersInCheck}; a 2xx answer allows the
 * request, any other is returned to the client.
 *
 * @param service the authorizer's host (as a host name or {@code namespace/host})
 * @param port its port
 * @param pathPrefix prepended to the request's path in the check request
 * @param timeoutMillis Istio's default 600s
 * @param failOpen allow the request when the authorizer cannot be reached (default false)
 * @param statusOnError the status answered when it cannot be reached and failOpen is false (default 403)
 * @param includeRequestHeadersInCheck headers copied into the check request (Istio adds none by default)
 * @param includeAdditionalHeadersInCheck fixed headers added to the check request
 * @param headersToUpstreamOnAllow headers of the authorizer's answer copied to the request on allow
 * @param headersToDownstreamOnAllow headers of the authorizer's answer copied to the response on allow
 * @param headersToDownstreamOnDeny headers of the authorizer's answer copied to the denial
 */
public record ExtAuthzHttp(String service, int port, String pathPrefix, long timeoutMillis, boolean failOpen,
        int statusOnError, List<String> includeRequestHeadersInCheck,
        Map<String, String> includeAdditionalHeadersInCheck, List<String> headersToUpstreamOnAllow,
        List<String> headersToDownstreamOnAllow, List<String> headersToDownstreamOnDeny) {

    private static final Set<String> FIELDS = Set.of("service", "port", "pathPrefix", "timeout", "failOpen",
            "statusOnError", "includeRequestHeadersInCheck", "includeAdditionalHeadersInCheck",
            "headersToUpstreamOnAllow", "headersToDownstreamOnAllow", "headersToDownstreamOnDeny",
            "includeHeadersInCheck", "includeRequestBodyInCheck");

    public ExtAuthzHttp {
        includeRequestHeadersInCheck = List.copyOf(includeRequestHeadersInCheck);
        includeAdditionalHeadersInCheck = Map.copyOf(includeAdditionalHeadersInCheck);
        headersToUpstreamOnAllow = List.copyOf(headersToUpstreamOnAllow);
        headersToDownstreamOnAllow = List.copyOf(headersToDownstreamOnAllow);
        headersToDownstreamOnDeny = List.copyOf(headersToDownstreamOnDeny);
    }

    /**
     * The provider {@code fields} (as MeshConfig holds it) describe, or null when a problem prevents it; every
     * problem goes to {@code problem} as (field relative to the provider, message). Unsupported fields are reported
     * with the message prefix {@code unsupported: }.
     */
    public static @Nullable ExtAuthzHttp of(Map<String, Object> fields, BiConsumer<String, String> problem) {
        boolean ok = true;
        for (String field : fields.keySet()) {
            if (!FIELDS.contains(field)) {
                problem.accept(field, "unknown field");
            }
        }
        for (String unsupported : List.of("includeRequestBodyInCheck", "includeHeadersInCheck")) {
            if (fields.get(unsupported) != null) {
                problem.accept(unsupported, "unsupported: " + unsupported + " is not implemented; ignored");
            }
        }
        String service = fields.get("service") instanceof String s && !s.isEmpty() ? s : null;
        if (service == null) {
            problem.accept("service", "service is required (the authorizer's host)");
            ok = false;
        }
        int port = fields.get("port") instanceof Number n ? n.intValue() : -1;
        if (port < 1 || port > 65535) {
            problem.accept("port", "port " + fields.get("port") + " (expected 1-65535)");
            ok = false;
        }
        long timeout = 600_000;
        if (fields.get("timeout") != null) {
            try {
                timeout = Durations.parse(String.valueOf(fields.get("timeout"))).toMillis();
            } catch (IllegalArgumentException e) {
                problem.accept("timeout", e.getMessage());
                ok = false;
            }
        }
        int statusOnError = 403;
        if (fields.get("statusOnError") != null) {
            try {
                statusOnError = Integer.parseInt(String.valueOf(fields.get("statusOnError")));
            } catch (NumberFormatException e) {
                statusOnError = -1;
            }
            if (statusOnError < 200 || statusOnError > 599) {
                problem.accept("statusOnError", "status " + fields.get("statusOnError") + " (expected 200-599)");
                ok = false;
            }
        }
        String prefix = fields.get("pathPrefix") == null ? "" : String.valueOf(fields.get("pathPrefix"));
        if (!prefix.isEmpty() && !prefix.startsWith("/")) {
            problem.accept("pathPrefix", "pathPrefix \"" + prefix + "\" (expected a path starting with /)");
            ok = false;
        }
        Map<String, String> additional = new LinkedHashMap<>();
        if (fields.get("includeAdditionalHeadersInCheck") instanceof Map<?, ?> map) {
            map.forEach((k, v) -> additional.put(String.valueOf(k), String.valueOf(v)));
        }
        if (!ok) {
            return null;
        }
        return new ExtAuthzHttp(service, port, prefix, timeout, Boolean.TRUE.equals(fields.get("failOpen")),
                statusOnError, strings(fields.get("includeRequestHeadersInCheck")), additional,
                strings(fields.get("headersToUpstreamOnAllow")), strings(fields.get("headersToDownstreamOnAllow")),
                strings(fields.get("headersToDownstreamOnDeny")));
    }

    private static List<String> strings(@Nullable Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(v -> out.add(String.valueOf(v)));
        }
        return out;
    }
}
