package dev.meshgate.core.security;

import java.util.List;

import dev.meshgate.core.networking.Regex;

import org.jspecify.annotations.Nullable;

import com.google.re2j.Pattern;

/**
 * A path template in {@code AuthorizationPolicy} {@code paths}/{@code notPaths} (Istio 1.23+), matched as Envoy's
 * {@code uri_template} matcher that Istio generates for it: {@code {*}} is one non-empty segment, {@code {**}} any
 * number of segments (including none), each only as a whole segment, {@code {**}} after every other operator; other
 * segments are literal RFC 3986 path characters. Compiled once into an RE2 pattern matching the whole path.
 */
public final class PathTemplate {

    /** Istio's single-segment operator. */
    public static final String MATCH_ONE = "{*}";
    /** Istio's any-segments operator. */
    public static final String MATCH_ANY = "{**}";

    // RFC 3986 pchar without "*" (Envoy's literal set)
    private static final String PCHAR = "a-zA-Z0-9\\-._~%!$&'()+,;:@=";
    private static final Pattern LITERAL = Pattern.compile("[" + PCHAR + "]+");
    private static final String ONE_REGEX = "[" + PCHAR + "]+";
    private static final String ANY_REGEX = "[" + PCHAR + "/]*";

    private final String template;
    private final Pattern pattern;

    private PathTemplate(String template, Pattern pattern) {
        this.template = template;
        this.pattern = pattern;
    }

    /** Whether {@code value} uses a path template operator (and so is a template, not an exact/prefix/suffix). */
    public static boolean isTemplate(String value) {
        return value.contains(MATCH_ONE) || value.contains(MATCH_ANY);
    }

    /**
     * Why the template {@code value} is refused, {@code "<value> (expected ...)"}, or null when it is valid. Istio's
     * rules, plus Envoy's leading {@code /} (a template without it is NACKed by Envoy).
     */
    public static @Nullable String problem(String value) {
        if (!value.startsWith("/")) {
            return refused(value, "a template must start with /");
        }
        List<String> segments = List.of(value.substring(1).split("/", -1));
        boolean seenAny = false;
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            boolean trailingSlash = i == segments.size() - 1 && segment.isEmpty() && i > 0;
            if (segment.equals(MATCH_ONE) || segment.equals(MATCH_ANY)) {
                if (seenAny) {
                    return refused(value, "{**} must be the last operator");
                }
                seenAny = segment.equals(MATCH_ANY);
            } else if (isTemplate(segment)) {
                return refused(value, "segment \"" + segment + "\" has other characters than the operator; {*} and "
                        + "{**} must be whole segments");
            } else if (segment.indexOf('{') >= 0 || segment.indexOf('}') >= 0) {
                return refused(value, "segment \"" + segment + "\" has { or } outside {*} and {**}; named variables "
                        + "are not supported");
            } else if (segment.indexOf('*') >= 0) {
                return refused(value, "segment \"" + segment + "\" has * outside {*} and {**}");
            } else if (!trailingSlash && !LITERAL.matches(segment)) {
                return refused(value, segment.isEmpty() ? "an empty segment (//)"
                        : "segment \"" + segment + "\" has characters other than RFC 3986 path characters");
            }
        }
        return Regex.problem(regex(segments));
    }

    /**
     * The compiled template.
     *
     * @throws IllegalArgumentException with the message {@link #problem} gives, when the template is invalid
     */
    public static PathTemplate compile(String value) {
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new PathTemplate(value, Regex.compile(regex(List.of(value.substring(1).split("/", -1))), false));
    }

    /** Whether the whole {@code path} (normalized, without query) matches. */
    public boolean matches(String path) {
        return pattern.matches(path);
    }

    @Override
    public String toString() {
        return template;
    }

    private static String regex(List<String> segments) {
        StringBuilder regex = new StringBuilder();
        for (String segment : segments) {
            regex.append('/');
            if (segment.equals(MATCH_ONE)) {
                regex.append(ONE_REGEX);
            } else if (segment.equals(MATCH_ANY)) {
                regex.append(ANY_REGEX);
            } else if (!segment.isEmpty()) {
                regex.append(Pattern.quote(segment));
            }
        }
        return regex.toString();
    }

    private static String refused(String value, String why) {
        return "path template \"" + value + "\": " + why + " (expected {*} or {**} as whole segments, {**} last, "
                + "e.g. /api/{*}/items/{**})";
    }
}
