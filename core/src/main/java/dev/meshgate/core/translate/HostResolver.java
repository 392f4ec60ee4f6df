package dev.meshgate.core.translate;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Implements Istio's host names as written in {@code VirtualService.spec.hosts}, {@code Destination.host},
 * {@code DestinationRule.spec.host} and {@code Gateway.spec.servers[].hosts}: short names, FQDNs and wildcards.
 *
 * <p>As Istio's {@code ResolveShortnameToFQDN}: a name without a dot is a short name completed with the
 * namespace of the resource and the domain suffix ({@code reviews} in {@code default} becomes
 * {@code reviews.default.svc.cluster.local}); a name with a dot ({@code reviews.default}, {@code httpbin.org})
 * and {@code *} are taken literally. Wildcards are a leading {@code *} ({@code *.example.com}) and match any
 * number of labels in its place.
 */
public final class HostResolver {

    private HostResolver() {
    }

    /** The host {@code host} written in a resource of {@code namespace} names, lower-case. */
    public static String resolve(String host, String namespace, String domainSuffix) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.equals("*") || name.contains(".")) {
            return name;
        }
        return name + "." + namespace + "." + domainSuffix;
    }

    /** Whether {@code pattern} (exact, {@code *.suffix} or {@code *}) covers every host {@code host} covers. */
    public static boolean covers(String pattern, String host) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.startsWith("*")) {
            String suffix = pattern.substring(1); // ".example.com"
            if (host.startsWith("*")) {
                return host.substring(1).endsWith(suffix);
            }
            return host.endsWith(suffix) && host.length() > suffix.length();
        }
        return pattern.equals(host);
    }

    /**
     * The hosts both {@code a} and {@code b} cover: the more specific of the two when one covers the other
     * ({@code *.example.com} and {@code foo.example.com} give {@code foo.example.com}), else null.
     */
    public static @Nullable String intersection(String a, String b) {
        if (covers(a, b)) {
            return b;
        }
        if (covers(b, a)) {
            return a;
        }
        return null;
    }
}
