package dev.meshgate.core.networking.destinationrule;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.networking.Immutable;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code LoadBalancerSettings}: one of {@code simple} or {@code consistentHash}, plus locality
 * settings and warmup.
 *
 * @param warmupDurationSecs a duration (despite the name)
 */
public record LoadBalancerSettings(@Nullable SimpleLB simple, @Nullable ConsistentHashLB consistentHash,
        @Nullable LocalityLoadBalancerSetting localityLbSetting, @Nullable String warmupDurationSecs,
        @Nullable WarmupConfiguration warmup) {

    /** Istio's {@code LoadBalancerSettings.SimpleLB}. */
    public enum SimpleLB {
        UNSPECIFIED,
        LEAST_CONN,
        RANDOM,
        PASSTHROUGH,
        ROUND_ROBIN,
        LEAST_REQUEST
    }

    /**
     * Istio's {@code ConsistentHashLB}: the hash key is one of {@code httpHeaderName}, {@code httpCookie},
     * {@code useSourceIp} or {@code httpQueryParameterName}.
     *
     * @param minimumRingSize deprecated, see {@code ringHash}
     */
    public record ConsistentHashLB(@Nullable String httpHeaderName, @Nullable HttpCookie httpCookie,
            @Nullable Boolean useSourceIp, @Nullable String httpQueryParameterName, @Nullable RingHash ringHash,
            @Nullable MagLev maglev, @Nullable Long minimumRingSize) {

        /** Istio's {@code ConsistentHashLB.HTTPCookie}; {@code ttl} is a duration. */
        public record HttpCookie(@Nullable String name, @Nullable String path, @Nullable String ttl,
                List<Attribute> attributes) {

            public HttpCookie {
                attributes = Immutable.list(attributes);
            }

            /** A cookie attribute. */
            public record Attribute(@Nullable String name, @Nullable String value) {
            }
        }

        /** Istio's {@code ConsistentHashLB.RingHash}. */
        public record RingHash(@Nullable Long minimumRingSize) {
        }

        /** Istio's {@code ConsistentHashLB.MagLev}. */
        public record MagLev(@Nullable Long tableSize) {
        }
    }

    /** Istio's {@code WarmupConfiguration}; {@code duration} is a duration. */
    public record WarmupConfiguration(@Nullable String duration, @Nullable Double minimumPercent,
            @Nullable Double aggression) {
    }

    /** Istio's {@code LocalityLoadBalancerSetting}. */
    public record LocalityLoadBalancerSetting(List<Distribute> distribute, List<Failover> failover,
            List<String> failoverPriority, @Nullable Boolean enabled) {

        public LocalityLoadBalancerSetting {
            distribute = Immutable.list(distribute);
            failover = Immutable.list(failover);
            failoverPriority = Immutable.list(failoverPriority);
        }

        /** Weights by locality for traffic from {@code from}. */
        public record Distribute(@Nullable String from, Map<String, Integer> to) {

            public Distribute {
                to = Immutable.map(to);
            }
        }

        /** The region traffic from {@code from} fails over to. */
        public record Failover(@Nullable String from, @Nullable String to) {
        }
    }
}
