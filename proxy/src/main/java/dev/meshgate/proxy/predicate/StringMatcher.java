package dev.meshgate.proxy.predicate;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

import com.google.re2j.Pattern;

import dev.meshgate.core.networking.Regex;
import dev.meshgate.core.view.MatchSpec.StringMatchSpec;

/**
 * Istio's {@code StringMatch} compiled once: exact, prefix, full-match regex, or presence.
 *
 * <p>A regex has RE2 semantics ({@link Regex}: linear time whatever the value, so a client cannot stall the proxy
 * with a crafted header or path) and must match the whole value, as Envoy's {@code safe_regex} does.
 */
public final class StringMatcher {

    private final StringMatchSpec.Type type;
    private final String value;
    private final @Nullable Pattern pattern;
    private final boolean ignoreCase;

    private StringMatcher(StringMatchSpec.Type type, String value, @Nullable Pattern pattern, boolean ignoreCase) {
        this.type = type;
        this.value = value;
        this.pattern = pattern;
        this.ignoreCase = ignoreCase;
    }

    /**
     * Compiles a string match.
     *
     * @param ignoreCase compare case-insensitively (Istio's {@code ignoreUriCase})
     * @throws IllegalArgumentException naming the regex and why, when it is not an acceptable RE2 regex
     */
    public static StringMatcher of(StringMatchSpec spec, boolean ignoreCase) {
        String value = spec.value() == null ? "" : spec.value();
        Pattern pattern = null;
        if (spec.type() == StringMatchSpec.Type.REGEX) {
            pattern = Regex.compile(value, ignoreCase);
        } else if (ignoreCase) {
            value = value.toLowerCase(Locale.ROOT);
        }
        return new StringMatcher(spec.type(), value, pattern, ignoreCase);
    }

    /** Whether {@code candidate} (null when absent) satisfies this match. */
    public boolean matches(@Nullable String candidate) {
        if (candidate == null) {
            return false;
        }
        switch (type) {
            case PRESENT:
                return true;
            case REGEX:
                return pattern.matches(candidate);
            case PREFIX:
                return ignoreCase ? candidate.regionMatches(true, 0, value, 0, value.length())
                        : candidate.startsWith(value);
            case EXACT:
            default:
                return ignoreCase ? candidate.equalsIgnoreCase(value) : candidate.equals(value);
        }
    }

    /** The literal prefix when this is a prefix match, else null (a rewrite replaces only that part). */
    public @Nullable String prefix() {
        return type == StringMatchSpec.Type.PREFIX ? value : null;
    }

    @Override
    public String toString() {
        return type + "(" + value + ")";
    }
}
