package dev.meshgate.proxy.tcp;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The server names of a TCP listener's port that a TLS-terminating listener serves (a Gateway's HTTPS servers
 * sharing a port with PASSTHROUGH servers, as Istio serves them by SNI): a connection whose ClientHello names one
 * of them more specifically than any passthrough route does is relayed, ClientHello first, to {@code target},
 * where the HTTPS listener terminates it.
 *
 * @param sniHosts the terminating servers' hosts: exact names, {@code *.suffix} wildcards, {@code *} (any name,
 *     and clients sending none)
 * @param target the terminating listener's loopback address
 */
public record TlsTermination(List<String> sniHosts, InetSocketAddress target) {

    /** Specificity of no match. */
    static final int NONE = -1;

    public TlsTermination {
        sniHosts = List.copyOf(sniHosts);
    }

    /** A matcher of {@link #sniHosts}, built once per listener: a set lookup, then the wildcards longest first. */
    Matcher matcher() {
        return new Matcher(sniHosts);
    }

    /**
     * How specifically one of {@code patterns} matches {@code serverName}, as Envoy ranks filter chains by
     * {@code server_names}: an exact name ({@link Integer#MAX_VALUE}), a {@code *.suffix} (its length), {@code *}
     * (0, which also takes a connection without SNI), none ({@link #NONE}).
     */
    static int specificity(List<String> patterns, @Nullable String serverName) {
        int best = NONE;
        String name = serverName == null ? null : serverName.toLowerCase(Locale.ROOT);
        for (String written : patterns) {
            String pattern = written.toLowerCase(Locale.ROOT);
            if (pattern.equals("*")) {
                best = Math.max(best, 0);
            } else if (name != null && pattern.equals(name)) {
                return Integer.MAX_VALUE;
            } else if (name != null && pattern.startsWith("*.") && name.endsWith(pattern.substring(1))) {
                best = Math.max(best, pattern.length() - 1);
            }
        }
        return best;
    }

    /** {@link #specificity} over a fixed set of patterns, without scanning the exact names. */
    static final class Matcher {
        private final Set<String> exact = new HashSet<>();
        private final List<String> suffixes = new ArrayList<>();
        private final boolean any;

        private Matcher(List<String> patterns) {
            boolean star = false;
            for (String written : patterns) {
                String pattern = written.toLowerCase(Locale.ROOT);
                if (pattern.equals("*")) {
                    star = true;
                } else if (pattern.startsWith("*.")) {
                    suffixes.add(pattern.substring(1));
                } else {
                    exact.add(pattern);
                }
            }
            suffixes.sort(Comparator.comparingInt(String::length).reversed());
            this.any = star;
        }

        int specificity(@Nullable String serverName) {
            if (serverName != null) {
                String name = serverName.toLowerCase(Locale.ROOT);
                if (exact.contains(name)) {
                    return Integer.MAX_VALUE;
                }
                for (String suffix : suffixes) {
                    if (name.endsWith(suffix)) {
                        return suffix.length();
                    }
                }
            }
            return any ? 0 : NONE;
        }
    }
}
