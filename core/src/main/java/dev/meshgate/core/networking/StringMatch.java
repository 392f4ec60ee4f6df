package dev.meshgate.core.networking;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code StringMatch}: at most one of {@code exact}, {@code prefix} or {@code regex} (RE2 syntax,
 * matching the whole value). All absent is valid in header matches, where it means "the header is present".
 */
public record StringMatch(@Nullable String exact, @Nullable String prefix, @Nullable String regex) {

    /** How many of exact/prefix/regex are set; Istio requires at most one. */
    public int setCount() {
        return (exact != null ? 1 : 0) + (prefix != null ? 1 : 0) + (regex != null ? 1 : 0);
    }
}
