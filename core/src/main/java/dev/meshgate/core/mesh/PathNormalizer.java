package dev.meshgate.core.mesh;

import org.jspecify.annotations.Nullable;

/**
 * Normalizes a request path before route matching, as Istio's {@code meshConfig.pathNormalization} makes Envoy
 * do, so that {@code /public/../admin} is matched (and forwarded) as {@code /admin}. Pure and allocation-free
 * for a path that needs nothing.
 *
 * <p>Steps, in Envoy's order (Istio's "Authorization Policy Normalization" reference):
 * <ol>
 *   <li>{@code DECODE_AND_MERGE_SLASHES} only: {@code %2F} becomes {@code /} and {@code %5C} becomes {@code \}
 *       (Envoy's {@code path_with_escaped_slashes_action: UNESCAPE_AND_FORWARD}).</li>
 *   <li>{@code BASE} (Envoy's {@code normalize_path}): %-encoded unreserved characters (RFC 3986 section 2.3:
 *       letters, digits, {@code - . _ ~}) are decoded, once; other escapes are kept with upper-case hex digits;
 *       {@code \} becomes {@code /}; dot segments are removed (RFC 3986 section 5.2.4), {@code ..} never going
 *       above the root.</li>
 *   <li>{@code MERGE_SLASHES} and {@code DECODE_AND_MERGE_SLASHES}: runs of {@code /} become one.</li>
 * </ol>
 * The query ({@code ?} and after) is never changed. A path with {@code %00} or a malformed escape ({@code %zz},
 * {@code %4}) cannot be normalized unambiguously: {@link #normalize} returns null and the proxy answers 400,
 * as Envoy's header validator does. {@code NONE} changes nothing.
 */
public final class PathNormalizer {

    private PathNormalizer() {
    }

    /**
     * The normalized form of {@code target} (a raw, still %-encoded path, optionally followed by {@code ?query}),
     * the same instance when nothing changes, or null when the path cannot be normalized (answer 400).
     */
    public static @Nullable String normalize(String target, MeshConfig.ProxyPathNormalization.NormalizationType type) {
        if (type == MeshConfig.ProxyPathNormalization.NormalizationType.NONE) {
            return target;
        }
        boolean decodeSlashes = type == MeshConfig.ProxyPathNormalization.NormalizationType.DECODE_AND_MERGE_SLASHES;
        boolean mergeSlashes = decodeSlashes || type == MeshConfig.ProxyPathNormalization.NormalizationType.MERGE_SLASHES;
        int queryAt = target.indexOf('?');
        int end = queryAt < 0 ? target.length() : queryAt;
        if (end == 0 || target.charAt(0) != '/' || isNormal(target, end, mergeSlashes)) {
            // "*" (OPTIONS) and authority-form targets have no path to normalize.
            return target;
        }
        String path = decode(target, end, decodeSlashes);
        if (path == null) {
            return null;
        }
        path = removeDotSegments(path);
        if (mergeSlashes) {
            path = mergeSlashes(path);
        }
        return queryAt < 0 ? path : path + target.substring(queryAt);
    }

    /** No escape, backslash, dot segment or (when merging) double slash: nothing to do. */
    private static boolean isNormal(String target, int end, boolean mergeSlashes) {
        for (int i = 0; i < end; i++) {
            char c = target.charAt(i);
            if (c == '%' || c == '\\') {
                return false;
            }
            if (c == '/' && i + 1 < end) {
                char next = target.charAt(i + 1);
                if (next == '.' || mergeSlashes && next == '/') {
                    return false;
                }
            }
        }
        return true;
    }

    /** Step 1 and the decoding of step 2, with {@code \} turned into {@code /}; null for a bad escape. */
    private static @Nullable String decode(String target, int end, boolean decodeSlashes) {
        StringBuilder out = new StringBuilder(end);
        for (int i = 0; i < end; i++) {
            char c = target.charAt(i);
            if (c == '\\') {
                out.append('/');
            } else if (c != '%') {
                out.append(c);
            } else {
                int high = i + 2 < end ? Character.digit(target.charAt(i + 1), 16) : -1;
                int low = high < 0 ? -1 : Character.digit(target.charAt(i + 2), 16);
                if (low < 0) {
                    return null;
                }
                char decoded = (char) (high * 16 + low);
                if (decoded == 0) {
                    return null;
                }
                if (unreserved(decoded)) {
                    out.append(decoded);
                } else if (decodeSlashes && (decoded == '/' || decoded == '\\')) {
                    out.append('/');
                } else {
                    out.append('%').append(Character.toUpperCase(target.charAt(i + 1)))
                            .append(Character.toUpperCase(target.charAt(i + 2)));
                }
                i += 2;
            }
        }
        return out.toString();
    }

    private static boolean unreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                || c == '_' || c == '~';
    }

    /** RFC 3986 section 5.2.4 for an absolute path: {@code .} and {@code ..} segments resolved. */
    static String removeDotSegments(String path) {
        String[] segments = path.substring(1).split("/", -1);
        String[] kept = new String[segments.length];
        int size = 0;
        boolean trailingSlash = false;
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.equals(".")) {
                trailingSlash = last;
            } else if (segment.equals("..")) {
                if (size > 0) {
                    size--;
                }
                trailingSlash = last;
            } else {
                kept[size++] = segment;
                trailingSlash = false;
            }
        }
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < size; i++) {
            out.append('/').append(kept[i]);
        }
        if (trailingSlash || size == 0) {
            out.append('/');
        }
        return out.toString();
    }

    private static String mergeSlashes(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '/' || out.isEmpty() || out.charAt(out.length() - 1) != '/') {
                out.append(c);
            }
        }
        return out.toString();
    }
}
