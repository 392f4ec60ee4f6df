package dev.meshgate.core.view;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.regex.Pattern;

import dev.meshgate.core.security.Cidr;
import dev.meshgate.core.security.ConditionKey;
import dev.meshgate.core.security.PathTemplate;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one definition of each value rule of a view's {@link AuthSpec} that the proxy relies on, shared by
 * {@link ProxyViewCheck} and by validation (as {@link ViewRules} is for routes). Each returns why a value is
 * refused, {@code "<value> (expected ...)"}, or null when it is accepted.
 */
public final class AuthRules {

    private static final Pattern METHOD = Pattern.compile("[A-Za-z*][A-Za-z_*-]*");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private AuthRules() {
    }

    /** {@code ipBlocks}, {@code remoteIpBlocks} (and not*), and the values of the IP conditions. */
    public static @Nullable String ipBlock(String value) {
        return Cidr.parse(value) != null ? null
                : "\"" + value + "\" (expected an IP address or CIDR block, e.g. 10.0.0.1 or 10.0.0.0/16)";
    }

    /** {@code ports} (and notPorts), and the values of {@code destination.port}. */
    public static @Nullable String port(String value) {
        boolean ok = !value.isEmpty() && value.length() <= 5 && value.chars().allMatch(Character::isDigit)
                && Integer.parseInt(value) >= 1 && Integer.parseInt(value) <= 65535;
        return ok ? null : "port \"" + value + "\" (expected 1-65535)";
    }

    /** {@code methods} (and notMethods). */
    public static @Nullable String method(String value) {
        return METHOD.matcher(value).matches() ? null
                : "method \"" + value + "\" (expected an HTTP method such as GET, or * forms)";
    }

    /** {@code paths} (and notPaths): exact, prefix, suffix or presence, or a {@link PathTemplate}. */
    public static @Nullable String path(String value) {
        if (value.isEmpty()) {
            return "empty value";
        }
        return PathTemplate.isTemplate(value) ? PathTemplate.problem(value) : null;
    }

    /** A {@code when} key: one of Istio's documented keys ({@link ConditionKey}). */
    public static @Nullable String conditionKey(String key) {
        ConditionKey known = ConditionKey.of(key);
        if (known == null) {
            return "unknown key \"" + key + "\" (expected request.headers[<name>], source.ip, remote.ip, "
                    + "source.namespace, source.principal, request.auth.principal, request.auth.audiences, "
                    + "request.auth.presenter, request.auth.claims[<name>], destination.ip, destination.port, "
                    + "connection.sni or experimental.envoy.filters.*)";
        }
        if (known == ConditionKey.REQUEST_HEADERS) {
            List<String> names = ConditionKey.names(key, "request.headers");
            if (names == null || names.size() != 1) {
                return "key \"" + key + "\" (expected request.headers[<name>] with one header name)";
            }
        }
        return null;
    }

    /**
     * A {@code jwksUri}, or the {@code issuer} of a jwtRule with neither {@code jwksUri} nor {@code jwks}, whose keys
     * are discovered at {@code <issuer>/.well-known/openid-configuration}: an http or https URL with a host.
     */
    public static @Nullable String httpUrl(String value) {
        try {
            URI uri = new URI(value);
            if (("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null) {
                return null;
            }
            return "\"" + value + "\" (expected an http or https URL with a host)";
        } catch (URISyntaxException e) {
            return "\"" + value + "\" (not a URL; expected an http or https URL with a host)";
        }
    }

    /** Inline {@code jwks}: a JSON Web Key Set. */
    public static @Nullable String jwks(String value) {
        try {
            JsonNode set = JSON.readTree(value);
            return set.isObject() && set.path("keys").isArray() ? null
                    : "not a JSON Web Key Set (expected {\"keys\": [...]})";
        } catch (JacksonException e) {
            return "not JSON (expected a JSON Web Key Set)";
        }
    }
}
