package dev.meshgate.proxy.authz;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Istio's string values in authorization policies: {@code *} (present and not empty), {@code abc*} (prefix),
 * {@code *abc} (suffix), anything else exact. Exact values are looked up in a set; only prefixes and suffixes are
 * scanned.
 */
final class ValueMatcher {

    private final Set<String> exact = new HashSet<>();
    private final List<String> prefixes = new ArrayList<>();
    private final List<String> suffixes = new ArrayList<>();
    private final boolean ignoreCase;
    private boolean any;

    private ValueMatcher(List<String> values, boolean ignoreCase) {
        this.ignoreCase = ignoreCase;
        for (String raw : values) {
            String value = ignoreCase ? raw.toLowerCase(Locale.ROOT) : raw;
            if (value.equals("*")) {
                any = true;
            } else if (value.startsWith("*")) {
                suffixes.add(value.substring(1));
            } else if (value.endsWith("*")) {
                prefixes.add(value.substring(0, value.length() - 1));
            } else {
                exact.add(value);
            }
        }
    }

    static ValueMatcher of(List<String> values) {
        return new ValueMatcher(values, false);
    }

    static ValueMatcher ignoringCase(List<String> values) {
        return new ValueMatcher(values, true);
    }

    /** Whether {@code value} matches one of the values; an absent value matches none. */
    boolean matches(@Nullable String value) {
        if (value == null) {
            return false;
        }
        String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
        if (any && !v.isEmpty() || exact.contains(v)) {
            return true;
        }
        for (int i = 0, n = prefixes.size(); i < n; i++) {
            if (v.startsWith(prefixes.get(i))) {
                return true;
            }
        }
        for (int i = 0, n = suffixes.size(); i < n; i++) {
            if (v.endsWith(suffixes.get(i))) {
                return true;
            }
        }
        return false;
    }

    /** Whether one of {@code values} matches. */
    boolean matchesAny(List<String> values) {
        for (int i = 0, n = values.size(); i < n; i++) {
            if (matches(values.get(i))) {
                return true;
            }
        }
        return false;
    }
}
