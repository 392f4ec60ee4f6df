package dev.meshgate.core.view;

import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.Percent;
import dev.meshgate.core.networking.Regex;
import dev.meshgate.core.networking.SubstitutionFormat;

/**
 * The one definition of each value rule a proxy enforces on a view, shared by {@link ProxyViewCheck} (which the
 * proxy runs on receipt and the control plane before a push) and by validation (which rejects the resource that
 * would break it, naming its field). Each rule returns why a value is refused, as {@code "<value> (expected:
 * ...)"}, or null when it is accepted; callers put the field in front.
 */
public final class ViewRules {

    /** The redirect statuses Envoy's {@code RedirectAction.response_code} can send (Istio's translation too). */
    public static final Set<Integer> REDIRECT_CODES = Set.of(301, 302, 303, 307, 308);

    private ViewRules() {
    }

    /** {@code http[].redirect.redirectCode}. */
    public static @Nullable String redirectCode(int code) {
        return REDIRECT_CODES.contains(code) ? null : code + " (expected: 301, 302, 303, 307 or 308)";
    }

    /** {@code http[].directResponse.status}. */
    public static @Nullable String directResponseStatus(int status) {
        return status >= 200 && status <= 599 ? null : status + " (expected: 200..599)";
    }

    /** {@code http[].fault.abort.httpStatus}. */
    public static @Nullable String abortStatus(int status) {
        return status >= 200 && status <= 599 ? null : status + " (expected: 200..599)";
    }

    /** {@code http[].fault.delay.fixedDelay}, in milliseconds. */
    public static @Nullable String fixedDelay(long millis) {
        return millis >= 1 ? null : millis + "ms (expected: >= 1ms)";
    }

    /**
     * {@code http[].rewrite.uri}: the path (or path prefix) the request is sent with. Empty is accepted (a prefix
     * match's prefix is removed); anything else must be a path.
     */
    public static @Nullable String rewriteUri(String uri) {
        return uri.isEmpty() || uri.startsWith("/") ? null : "'" + uri + "' (expected: a path starting with /)";
    }

    /** {@code http[].route[].weight}. */
    public static @Nullable String weight(int weight) {
        return weight >= 0 ? null : weight + " (expected: >= 0)";
    }

    /** A percentage of requests (fault, mirror): 0..100. */
    public static @Nullable String percentage(double percentage) {
        return Percent.problem(percentage) == null ? null : percentage + " (expected: 0..100)";
    }

    /**
     * A {@code StringMatch} regex: an acceptable RE2 regex ({@link Regex#problem}: syntax and Istio's limits), the
     * rule validation applies too; the proxy compiles it with the same engine. Case folding does not change
     * whether a regex is acceptable.
     */
    public static @Nullable String regex(String regex) {
        return Regex.problem(regex);
    }

    /**
     * A header value of a {@code set} or {@code add} operation: literal text with Envoy's {@code %COMMAND%} forms
     * that {@link SubstitutionFormat} admits in headers, the rule validation applies too.
     */
    public static @Nullable String headerValue(String value) {
        try {
            SubstitutionFormat.parse(value, SubstitutionFormat.HEADER_OPERATORS);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /**
     * A wildcard in a host or virtual host domain: the proxy looks domains up by exact name, by a leading
     * {@code *.} label ({@code *.example.com}), or {@code *} alone, and nothing else. Envoy's partial-label
     * suffix wildcards ({@code *-bar.example.com}, {@code *foo.example.com}), which Istio accepts, are not
     * implemented.
     */
    public static @Nullable String wildcard(String domain) {
        String lower = domain.toLowerCase(Locale.ROOT);
        if (lower.equals("*")) {
            return null;
        }
        if (lower.startsWith("*")) {
            String suffix = lower.substring(1);
            if (!suffix.startsWith(".") || suffix.length() < 2 || suffix.indexOf('*') >= 0) {
                return "'" + domain + "' (expected: '*' or a leading '*.' label; partial-label wildcards are not"
                        + " supported)";
            }
            return null;
        }
        if (lower.isEmpty() || lower.indexOf('*') >= 0) {
            return "'" + domain + "' (expected: a wildcard only as the whole leading label)";
        }
        return null;
    }
}
