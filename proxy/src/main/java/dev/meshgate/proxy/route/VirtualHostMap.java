package dev.meshgate.proxy.route;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Finds the virtual host of an authority by map lookups, as Envoy does: the exact domain, then leading
 * wildcards longest suffix first ({@code *.b.example.com} before {@code *.example.com}), then {@code *}.
 * When {@code stripPort} is set (gateways, whose clients address a mapped local port) the authority without
 * its port is tried after the authority as given.
 */
final class VirtualHostMap {

    private final Map<String, VirtualHost> exact;
    /** Keyed by the suffix including its leading dot: {@code .example.com}. */
    private final Map<String, VirtualHost> wildcard;
    private final @Nullable VirtualHost any;
    private final boolean stripPort;

    private VirtualHostMap(Map<String, VirtualHost> exact, Map<String, VirtualHost> wildcard,
            @Nullable VirtualHost any, boolean stripPort) {
        this.exact = exact;
        this.wildcard = wildcard;
        this.any = any;
        this.stripPort = stripPort;
    }

    /** The virtual host for a Host header value (null or empty matches only {@code *}), or null. */
    @Nullable VirtualHost find(@Nullable String host) {
        if (host == null || host.isEmpty()) {
            return any;
        }
        String authority = host.toLowerCase(Locale.ROOT);
        VirtualHost vh = exact.get(authority);
        if (vh != null) {
            return vh;
        }
        String withoutPort = stripPort ? withoutPort(authority) : null;
        if (withoutPort != null && (vh = exact.get(withoutPort)) != null) {
            return vh;
        }
        if (!wildcard.isEmpty()) {
            vh = findWildcard(authority);
            if (vh == null && withoutPort != null) {
                vh = findWildcard(withoutPort);
            }
            if (vh != null) {
                return vh;
            }
        }
        return any;
    }

    private @Nullable VirtualHost findWildcard(String authority) {
        // The first dot gives the longest suffix; each later dot a shorter one.
        for (int dot = authority.indexOf('.'); dot > 0; dot = authority.indexOf('.', dot + 1)) {
            VirtualHost vh = wildcard.get(authority.substring(dot));
            if (vh != null) {
                return vh;
            }
        }
        return null;
    }

    private static @Nullable String withoutPort(String authority) {
        int colon = authority.lastIndexOf(':');
        return colon > 0 && authority.indexOf(']', colon) < 0 ? authority.substring(0, colon) : null;
    }

    /**
     * Collects domains. Their forms and that no domain is served by two virtual hosts are checked before, by
     * {@code ProxyViewCheck}.
     */
    static final class Builder {
        private final Map<String, VirtualHost> exact = new HashMap<>();
        private final Map<String, VirtualHost> wildcard = new HashMap<>();
        private @Nullable VirtualHost any;
        private final boolean stripPort;

        Builder(boolean stripPort) {
            this.stripPort = stripPort;
        }

        void add(String rawDomain, VirtualHost vh) {
            String domain = rawDomain.toLowerCase(Locale.ROOT);
            if (domain.equals("*")) {
                any = vh;
            } else if (domain.startsWith("*")) {
                wildcard.put(domain.substring(1), vh);
            } else {
                exact.put(domain, vh);
            }
        }

        VirtualHostMap build() {
            return new VirtualHostMap(Map.copyOf(exact), Map.copyOf(wildcard), any, stripPort);
        }
    }
}
