package dev.meshgate.proxy.predicate;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

import dev.meshgate.core.view.MatchSpec;
import dev.meshgate.core.view.MatchSpec.StringMatchSpec;

/**
 * One {@code HTTPMatchRequest}, compiled: every condition it sets must hold (AND).
 *
 * <p>{@code uri} is matched against the raw path without the query, as Envoy's path matchers are; header values
 * that occur more than once are joined with {@code ","}; {@code port} is the destination port, i.e. the
 * listener's port for gateways and the Host header's port (80 when absent) otherwise.
 */
public final class HttpMatchPredicate implements Predicate<ServerWebExchange> {

    private final @Nullable StringMatcher uri;
    private final @Nullable StringMatcher scheme;
    private final @Nullable StringMatcher method;
    private final @Nullable StringMatcher authority;
    private final String[] headerNames;
    private final StringMatcher[] headerMatchers;
    private final String[] queryNames;
    private final StringMatcher[] queryMatchers;
    private final String[] withoutHeaderNames;
    private final StringMatcher[] withoutHeaderMatchers;
    /** Per withoutHeaders entry: a value match, which sees a missing header as empty (Istio's translation). */
    private final boolean[] withoutMissingAsEmpty;
    private final @Nullable Integer port;
    private final int listenerPort;
    private final String description;

    private HttpMatchPredicate(Builder b) {
        this.uri = b.uri;
        this.scheme = b.scheme;
        this.method = b.method;
        this.authority = b.authority;
        this.headerNames = b.headerNames.toArray(String[]::new);
        this.headerMatchers = b.headerMatchers.toArray(StringMatcher[]::new);
        this.queryNames = b.queryNames.toArray(String[]::new);
        this.queryMatchers = b.queryMatchers.toArray(StringMatcher[]::new);
        this.withoutHeaderNames = b.withoutNames.toArray(String[]::new);
        this.withoutHeaderMatchers = b.withoutMatchers.toArray(StringMatcher[]::new);
        this.withoutMissingAsEmpty = new boolean[b.withoutMissingAsEmpty.size()];
        for (int i = 0; i < withoutMissingAsEmpty.length; i++) {
            withoutMissingAsEmpty[i] = b.withoutMissingAsEmpty.get(i);
        }
        this.port = b.port;
        this.listenerPort = b.listenerPort;
        this.description = b.description;
    }

    /**
     * Compiles one match.
     *
     * @param listenerPort the destination port when the listener fixes it (a gateway server's port), or 0 to
     *     take it from the Host header
     * @throws InvalidMatchException naming the field (relative to the match) whose value does not compile
     */
    public static HttpMatchPredicate of(MatchSpec spec, int listenerPort) {
        Builder b = new Builder();
        // ignoreUriCase concerns exact and prefix only: Envoy's case_sensitive is ignored for safe_regex.
        b.uri = compile("uri", spec.uri(), spec.ignoreUriCase() && spec.uri() != null
                && spec.uri().type() != StringMatchSpec.Type.REGEX);
        b.scheme = compile("scheme", spec.scheme(), false);
        b.method = compile("method", spec.method(), false);
        b.authority = compile("authority", spec.authority(), false);
        // Sorted so that the description and evaluation order are stable.
        for (Map.Entry<String, StringMatchSpec> e : new TreeMap<>(spec.headers()).entrySet()) {
            b.headerNames.add(e.getKey().toLowerCase(Locale.ROOT));
            b.headerMatchers.add(compile("headers[" + e.getKey() + "]", e.getValue(), false));
        }
        for (Map.Entry<String, StringMatchSpec> e : new TreeMap<>(spec.queryParams()).entrySet()) {
            b.queryNames.add(e.getKey());
            b.queryMatchers.add(compile("queryParams[" + e.getKey() + "]", e.getValue(), false));
        }
        for (Map.Entry<String, StringMatchSpec> e : new TreeMap<>(spec.withoutHeaders()).entrySet()) {
            b.withoutNames.add(e.getKey().toLowerCase(Locale.ROOT));
            b.withoutMatchers.add(compile("withoutHeaders[" + e.getKey() + "]", e.getValue(), false));
            // Istio: an inverted present_match for an empty StringMatch, else an inverted value matcher with
            // treat_missing_header_as_empty, so that a request without the header is tested as if it were "".
            b.withoutMissingAsEmpty.add(e.getValue().type() != StringMatchSpec.Type.PRESENT);
        }
        b.port = spec.port();
        b.listenerPort = listenerPort;
        b.description = spec.toString();
        return new HttpMatchPredicate(b);
    }

    private static @Nullable StringMatcher compile(String field, @Nullable StringMatchSpec spec, boolean ignoreCase) {
        if (spec == null) {
            return null;
        }
        if (spec.type() == null) {
            throw new InvalidMatchException(field, "match type is missing");
        }
        try {
            return StringMatcher.of(spec, ignoreCase);
        } catch (IllegalArgumentException e) {
            throw new InvalidMatchException(field, e.getMessage());
        }
    }

    @Override
    public boolean test(ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        if (uri != null && !uri.matches(request.getURI().getRawPath())) {
            return false;
        }
        if (method != null && !method.matches(request.getMethod().name())) {
            return false;
        }
        HttpHeaders headers = request.getHeaders();
        if (authority != null && !authority.matches(headers.getFirst(HttpHeaders.HOST))) {
            return false;
        }
        if (scheme != null && !scheme.matches(request.getURI().getScheme())) {
            return false;
        }
        for (int i = 0; i < headerNames.length; i++) {
            if (!headerMatchers[i].matches(headerValue(headers, headerNames[i]))) {
                return false;
            }
        }
        for (int i = 0; i < withoutHeaderNames.length; i++) {
            String value = headerValue(headers, withoutHeaderNames[i]);
            if (value == null && withoutMissingAsEmpty[i]) {
                value = "";
            }
            if (withoutHeaderMatchers[i].matches(value)) {
                return false;
            }
        }
        if (queryNames.length > 0) {
            var params = request.getQueryParams();
            for (int i = 0; i < queryNames.length; i++) {
                if (!queryMatchers[i].matches(params.getFirst(queryNames[i]))) {
                    return false;
                }
            }
        }
        return port == null || port == destinationPort(request);
    }

    private int destinationPort(ServerHttpRequest request) {
        if (listenerPort > 0) {
            return listenerPort;
        }
        return authorityPort(request.getHeaders().getFirst(HttpHeaders.HOST), request.getURI());
    }

    /** The port named by a Host value, or the scheme's default port when it names none. */
    static int authorityPort(@Nullable String host, URI uri) {
        if (host != null) {
            int colon = host.lastIndexOf(':');
            if (colon > 0 && host.indexOf(']', colon) < 0) {
                try {
                    return Integer.parseInt(host, colon + 1, host.length(), 10);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static @Nullable String headerValue(HttpHeaders headers, String name) {
        List<String> values = headers.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        return values.size() == 1 ? values.get(0) : String.join(",", values);
    }

    /**
     * The part of the path this match matched as a prefix, for a uri rewrite (Envoy's {@code prefix_rewrite}):
     * its {@code uri} prefix, {@code /} when it has no {@code uri} condition (Istio's route prefix then), null for
     * an exact or regex uri, which match the whole path.
     */
    public @Nullable String uriPrefix() {
        return uri == null ? "/" : uri.prefix();
    }

    @Override
    public String toString() {
        return description;
    }

    private static final class Builder {
        @Nullable StringMatcher uri;
        @Nullable StringMatcher scheme;
        @Nullable StringMatcher method;
        @Nullable StringMatcher authority;
        final List<String> headerNames = new ArrayList<>();
        final List<StringMatcher> headerMatchers = new ArrayList<>();
        final List<String> queryNames = new ArrayList<>();
        final List<StringMatcher> queryMatchers = new ArrayList<>();
        final List<String> withoutNames = new ArrayList<>();
        final List<StringMatcher> withoutMatchers = new ArrayList<>();
        final List<Boolean> withoutMissingAsEmpty = new ArrayList<>();
        @Nullable Integer port;
        int listenerPort;
        String description = "";
    }
}
