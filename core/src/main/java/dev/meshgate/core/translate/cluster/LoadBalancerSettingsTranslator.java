package dev.meshgate.core.translate.cluster;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.Durations;
import dev.meshgate.core.networking.destinationrule.LoadBalancerSettings;
import dev.meshgate.core.networking.destinationrule.LoadBalancerSettings.ConsistentHashLB;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.LoadBalancerSpec.Algorithm;
import dev.meshgate.core.view.LoadBalancerSpec.ConsistentHashSpec;
import dev.meshgate.core.view.LoadBalancerSpec.HashKey;
import dev.meshgate.core.view.LoadBalancerSpec.Simple;

/**
 * Implements {@code trafficPolicy.loadBalancer}: {@code simple} (ROUND_ROBIN, RANDOM, LEAST_REQUEST, PASSTHROUGH;
 * LEAST_CONN and UNSPECIFIED become LEAST_REQUEST, Istio's default) and {@code consistentHash}
 * ({@code httpHeaderName}, {@code httpCookie} with {@code name}, {@code path}, {@code ttl}, {@code useSourceIp},
 * {@code httpQueryParameterName}; {@code ringHash.minimumRingSize}, the legacy {@code minimumRingSize},
 * {@code maglev.tableSize}), as Istio's {@code applyLoadBalancer} and {@code ApplyRingHashLoadBalancer} do: a
 * consistent hash without an algorithm is a ring hash of at least 1024 entries; a Maglev table defaults to
 * Envoy's 65537.
 *
 * <p>{@code localityLbSetting} is {@link LocalityLbSettingTranslator}'s (it depends on the proxy). Not supported
 * (validation reports them): {@code warmupDurationSecs},
 * {@code warmup}, {@code httpCookie.attributes}.
 */
public final class LoadBalancerSettingsTranslator {

    /** Envoy's default minimum ring size, which Istio sets explicitly. */
    public static final long DEFAULT_MINIMUM_RING_SIZE = 1024;

    /** Envoy's default Maglev table size. */
    public static final long DEFAULT_MAGLEV_TABLE_SIZE = 65537;

    private LoadBalancerSettingsTranslator() {
    }

    /** The load balancer of a cluster; {@link LoadBalancerSpec#DEFAULT} when {@code lb} is null. */
    public static LoadBalancerSpec translate(@Nullable LoadBalancerSettings lb) {
        if (lb == null) {
            return LoadBalancerSpec.DEFAULT;
        }
        return new LoadBalancerSpec(simple(lb.simple()), consistentHash(lb.consistentHash()));
    }

    private static Simple simple(LoadBalancerSettings.@Nullable SimpleLB simple) {
        if (simple == null) {
            return Simple.LEAST_REQUEST;
        }
        return switch (simple) {
            case ROUND_ROBIN -> Simple.ROUND_ROBIN;
            case RANDOM -> Simple.RANDOM;
            case PASSTHROUGH -> Simple.PASSTHROUGH;
            case UNSPECIFIED, LEAST_CONN, LEAST_REQUEST -> Simple.LEAST_REQUEST;
        };
    }

    /** The consistent hash, or null when none is asked for or it names no key (validation rejects that). */
    private static @Nullable ConsistentHashSpec consistentHash(@Nullable ConsistentHashLB hash) {
        if (hash == null) {
            return null;
        }
        Algorithm algorithm = Algorithm.RING_HASH;
        long tableSize = DEFAULT_MINIMUM_RING_SIZE;
        if (hash.maglev() != null) {
            algorithm = Algorithm.MAGLEV;
            Long size = hash.maglev().tableSize();
            tableSize = size == null || size <= 0 ? DEFAULT_MAGLEV_TABLE_SIZE : size;
        } else if (hash.ringHash() != null) {
            Long size = hash.ringHash().minimumRingSize();
            tableSize = size == null || size <= 0 ? DEFAULT_MINIMUM_RING_SIZE : size;
        } else if (hash.minimumRingSize() != null && hash.minimumRingSize() > 0) {
            tableSize = hash.minimumRingSize();
        }
        if (hash.httpHeaderName() != null && !hash.httpHeaderName().isBlank()) {
            return new ConsistentHashSpec(HashKey.HEADER, hash.httpHeaderName(), null, 0, algorithm, tableSize);
        }
        if (hash.httpCookie() != null && hash.httpCookie().name() != null && !hash.httpCookie().name().isBlank()) {
            ConsistentHashLB.HttpCookie cookie = hash.httpCookie();
            // Istio passes an absent ttl as 0: Envoy then generates a session cookie
            return new ConsistentHashSpec(HashKey.COOKIE, cookie.name(), cookie.path(),
                    Durations.millis(cookie.ttl(), 0), algorithm, tableSize);
        }
        if (Boolean.TRUE.equals(hash.useSourceIp())) {
            return new ConsistentHashSpec(HashKey.SOURCE_IP, null, null, 0, algorithm, tableSize);
        }
        if (hash.httpQueryParameterName() != null && !hash.httpQueryParameterName().isBlank()) {
            return new ConsistentHashSpec(HashKey.QUERY_PARAMETER, hash.httpQueryParameterName(), null, 0,
                    algorithm, tableSize);
        }
        return null;
    }
}
