package dev.meshgate.core.view;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * One {@code HTTPMatchRequest}: every condition set must hold (AND). {@code sourceLabels}, {@code gateways}
 * and {@code sourceNamespace} are resolved at translation time for the proxy being compiled, so they do not
 * appear here.
 *
 * @param headers keys lower-case; {@code cookie} and {@code user-agent} are ordinary headers here
 * @param withoutHeaders a header matching any of these conditions (or present, for an empty condition; a
 *     missing header is tested as an empty value, as Istio translates it)
 *     fails the match
 * @param port the listener/destination port the request was sent to, when matched on. Translation already
 *     keeps a match only in the virtual hosts of its port (sidecar: one per service port; gateway: one listener
 *     per server port), so it leaves this null
 */
public record MatchSpec(@Nullable StringMatchSpec uri, @Nullable StringMatchSpec scheme,
        @Nullable StringMatchSpec method, @Nullable StringMatchSpec authority, Map<String, StringMatchSpec> headers,
        Map<String, StringMatchSpec> queryParams, Map<String, StringMatchSpec> withoutHeaders,
        @Nullable Integer port, boolean ignoreUriCase) {

    public MatchSpec {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        queryParams = queryParams == null ? Map.of() : Map.copyOf(queryParams);
        withoutHeaders = withoutHeaders == null ? Map.of() : Map.copyOf(withoutHeaders);
    }

    /**
     * Istio's {@code StringMatch}. A regex is RE2 syntax and must match the whole value (compiled by
     * {@link dev.meshgate.core.networking.Regex}). {@code PRESENT} is an empty StringMatch ("header exists").
     */
    public record StringMatchSpec(Type type, String value) {
        public enum Type {
            EXACT,
            PREFIX,
            REGEX,
            PRESENT
        }
    }
}
