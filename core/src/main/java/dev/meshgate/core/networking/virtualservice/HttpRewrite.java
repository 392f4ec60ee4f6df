package dev.meshgate.core.networking.virtualservice;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code HTTPRewrite}: changes the request before forwarding.
 *
 * @param uri replaces the part of the path matched by a {@code uri} prefix (or the whole path)
 * @param authority replaces the Host/authority header
 * @param uriRegexRewrite rewrites the path with a regex; exclusive with {@code uri}
 */
public record HttpRewrite(@Nullable String uri, @Nullable String authority, @Nullable RegexRewrite uriRegexRewrite) {

    /** Istio's {@code RegexRewrite}: {@code match} (RE2) replaced by {@code rewrite} ({@code \1} groups). */
    public record RegexRewrite(@Nullable String match, @Nullable String rewrite) {
    }
}
