package dev.meshgate.proxy.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.view.OutlierDetectionSpec;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;

/**
 * Implements {@code DestinationRule.spec.trafficPolicy.outlierDetection} for one cluster: passive health checking
 * that ejects individual endpoints, with Envoy's consecutive-error semantics (the {@code success rate} and
 * {@code failure percentage} detectors, which Istio does not expose, are not implemented).
 *
 * <p>Why not resilience4j's {@code CircuitBreaker}: it guards one call site and, when open, fails every call
 * through it, i.e. a whole route. Istio's "circuit breaking" is Envoy's outlier detection: it takes the failing
 * endpoint out of the load-balancing set and keeps sending to the healthy ones; only when every endpoint is ejected
 * (and the cluster is not in panic) does the proxy answer 503 UH itself. Its ejection time also grows with each
 * ejection of the same endpoint, which a breaker's fixed open-state duration does not model. So the state here is
 * per endpoint, and the decisions follow Envoy's {@code outlier_detection_impl.cc}:
 * <ul>
 *   <li>Every try's outcome is reported ({@link #report}): a 5xx (including the 503/504 the proxy reports for a
 *       connect failure, reset or timeout of its own) counts toward {@code consecutive5xxErrors}; 502, 503 and 504
 *       also count toward {@code consecutiveGatewayErrors}, while another 5xx resets that counter; any other status
 *       resets both. Reaching a threshold ejects at once (not at the next interval), then resets that counter.</li>
 *   <li>An ejection is allowed only while {@code 100 * (ejected + 1) / endpoints <= maxEjectionPercent} (current
 *       Envoy; {@code always_eject_one_host} is off in Istio). So with 2 endpoints and the default 10 %, nothing is
 *       ever ejected; with 100 % every endpoint can be.</li>
 *   <li>An ejection lasts {@code min(baseEjectionTime * k, max(300 s, baseEjectionTime))}, where {@code k} counts
 *       the endpoint's ejections and drops by one for every {@code interval} it then stays healthy. Expiry is
 *       checked at interval ticks, as Envoy does, so an ejection ends up to one interval after its time.</li>
 *   <li>{@code minHealthPercent}: while fewer than that share of endpoints are un-ejected the cluster is in panic
 *       and load-balances over every endpoint, ejected or not (Envoy's healthy panic threshold; 0 disables it).</li>
 * </ul>
 *
 * <p>No thread or timer per cluster: the interval tick runs lazily, on the first {@link #tick()} (called by each
 * {@code choose}) after it is due, won by one caller through a compare-and-set; between ticks a choice costs one
 * clock read and one comparison. Ejections are rare and use compare-and-set too, so nothing here locks or blocks.
 */
public final class OutlierDetector {

    private static final long DEFAULT_MAX_EJECTION_NANOS = TimeUnit.SECONDS.toNanos(300);
    private static final int HEALTHY = 0;
    private static final int EJECTING = 1;
    private static final int EJECTED = 2;

    private final OutlierDetectionSpec spec;
    private final LongSupplier nanoClock;
    private final Map<LbEndpoint, Monitor> monitors;
    private final Monitor[] all;
    private final AtomicInteger ejected = new AtomicInteger();
    private final AtomicLong nextTick;
    private final long intervalNanos;
    private final long baseNanos;
    private final long maxNanos;

    /**
     * A detector over {@code endpoints}. Endpoints that {@code previous} (the cluster's former runtime) tracked
     * under the same address keep their ejection state and ejection count, so a push that changes the cluster
     * (e.g. adds an endpoint) neither returns an ejected endpoint early nor forgets how often it failed.
     */
    OutlierDetector(OutlierDetectionSpec spec, List<LbEndpoint> endpoints, LongSupplier nanoClock,
            @Nullable OutlierDetector previous) {
        this.spec = spec;
        this.nanoClock = nanoClock;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, spec.intervalMillis()));
        this.baseNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, spec.baseEjectionTimeMillis()));
        this.maxNanos = Math.max(DEFAULT_MAX_EJECTION_NANOS, baseNanos);
        Map<String, Monitor> before = new HashMap<>();
        if (previous != null) {
            for (Monitor m : previous.all) {
                before.put(m.endpoint.hostPort(), m);
            }
        }
        Map<LbEndpoint, Monitor> map = new IdentityHashMap<>();
        List<Monitor> list = new ArrayList<>();
        for (LbEndpoint endpoint : endpoints) {
            Monitor monitor = new Monitor(endpoint);
            Monitor old = before.get(endpoint.hostPort());
            if (old != null) {
                monitor.backoff.set(old.backoff.get());
                monitor.ejections = old.ejections;
                monitor.unejectedAt = old.unejectedAt;
                if (old.state.get() == EJECTED) {
                    monitor.ejectedAt = old.ejectedAt;
                    monitor.state.set(EJECTED);
                    endpoint.ejected(true);
                    ejected.incrementAndGet();
                }
            }
            map.put(endpoint, monitor);
            list.add(monitor);
        }
        this.monitors = map;
        this.all = list.toArray(Monitor[]::new);
        this.nextTick = new AtomicLong(previous != null ? previous.nextTick.get() : nanoClock.getAsLong() + intervalNanos);
    }

    public OutlierDetectionSpec spec() {
        return spec;
    }

    /** Records how one try sent to {@code endpoint} ended; may eject it. Never blocks. */
    public void report(LbEndpoint endpoint, int status) {
        Monitor m = monitors.get(endpoint);
        if (m == null || m.state.get() != HEALTHY) {
            return;
        }
        if (status >= 500 && status <= 599) {
            int gatewayThreshold = spec.consecutiveGatewayErrors();
            if (status >= 502 && status <= 504) {
                if (gatewayThreshold > 0 && m.consecutiveGateway.incrementAndGet() == gatewayThreshold) {
                    eject(m);
                    m.consecutiveGateway.set(0);
                }
            } else {
                reset(m.consecutiveGateway);
            }
            int threshold = spec.consecutive5xxErrors();
            if (threshold > 0 && m.consecutive5xx.incrementAndGet() == threshold) {
                eject(m);
                m.consecutive5xx.set(0);
            }
        } else {
            reset(m.consecutive5xx);
            reset(m.consecutiveGateway);
        }
    }

    private static void reset(AtomicInteger counter) {
        // A read before the write keeps the common success path from dirtying a shared cache line.
        if (counter.get() != 0) {
            counter.set(0);
        }
    }

    private void eject(Monitor m) {
        int n = all.length;
        while (true) {
            int active = ejected.get();
            if (100L * (active + 1) > (long) spec.maxEjectionPercent() * n) {
                return; // Envoy's ejections_overflow: over maxEjectionPercent
            }
            if (ejected.compareAndSet(active, active + 1)) {
                break;
            }
        }
        if (!m.state.compareAndSet(HEALTHY, EJECTING)) {
            ejected.decrementAndGet();
            return;
        }
        m.ejectedAt = nanoClock.getAsLong();
        m.backoff.updateAndGet(k -> baseNanos * k < maxNanos + baseNanos ? k + 1 : k);
        m.ejections++;
        m.endpoint.ejected(true);
        m.state.set(EJECTED);
    }

    /** Runs the interval tick if it is due: returns expired ejections to service, decays ejection counts. */
    public void tick() {
        long now = nanoClock.getAsLong();
        long due = nextTick.get();
        if (now - due < 0 || !nextTick.compareAndSet(due, now + intervalNanos)) {
            return;
        }
        // Ticks nobody ran (no traffic) still count for the decay, as Envoy's timer would have fired.
        long ticks = 1 + (now - due) / intervalNanos;
        for (Monitor m : all) {
            int state = m.state.get();
            if (state == EJECTED) {
                long duration = Math.min(baseNanos * m.backoff.get(), maxNanos);
                if (now - m.ejectedAt >= duration && m.state.compareAndSet(EJECTED, HEALTHY)) {
                    m.consecutive5xx.set(0);
                    m.consecutiveGateway.set(0);
                    m.unejectedAt = now;
                    m.endpoint.ejected(false);
                    ejected.decrementAndGet();
                }
            } else if (state == HEALTHY && m.unejectedAt != 0 && now - m.unejectedAt >= intervalNanos) {
                m.backoff.updateAndGet(k -> (int) Math.max(0, k - ticks));
            }
        }
    }

    /** Whether too few endpoints are un-ejected ({@code minHealthPercent}): then every endpoint is used. */
    public boolean panic() {
        int active = ejected.get();
        return active > 0 && 100L * (all.length - active) < (long) spec.minHealthPercent() * all.length;
    }

    /** Whether every endpoint is ejected. */
    public boolean allEjected() {
        return all.length > 0 && ejected.get() >= all.length;
    }

    /** Endpoints currently ejected. */
    public int ejectedCount() {
        return ejected.get();
    }

    /** The state of each endpoint, for the admin endpoint. */
    public List<EndpointStatus> status() {
        long now = nanoClock.getAsLong();
        List<EndpointStatus> list = new ArrayList<>(all.length);
        for (Monitor m : all) {
            boolean isEjected = m.state.get() != HEALTHY;
            long remaining = isEjected
                    ? Math.max(0, Math.min(baseNanos * m.backoff.get(), maxNanos) - (now - m.ejectedAt)) : 0;
            list.add(new EndpointStatus(m.endpoint.hostPort(), isEjected, m.ejections, m.backoff.get(),
                    TimeUnit.NANOSECONDS.toMillis(remaining), m.consecutive5xx.get(), m.consecutiveGateway.get()));
        }
        return list;
    }

    /**
     * One endpoint's outlier state.
     *
     * @param endpoint {@code address:port}
     * @param ejected whether it is out of load balancing
     * @param ejections how often it was ejected by this cluster's detectors
     * @param multiplier the current ejection-time multiplier (Envoy's ejection backoff)
     * @param ejectionRemainingMillis how long the current ejection still lasts at least (0 when not ejected)
     * @param consecutive5xx the current run of 5xx
     * @param consecutiveGatewayErrors the current run of 502/503/504
     */
    public record EndpointStatus(String endpoint, boolean ejected, long ejections, int multiplier,
            long ejectionRemainingMillis, int consecutive5xx, int consecutiveGatewayErrors) {
    }

    private static final class Monitor {
        final LbEndpoint endpoint;
        final AtomicInteger consecutive5xx = new AtomicInteger();
        final AtomicInteger consecutiveGateway = new AtomicInteger();
        final AtomicInteger state = new AtomicInteger(HEALTHY);
        final AtomicInteger backoff = new AtomicInteger();
        volatile long ejectedAt;
        /** 0 until first unejected (nanoTime may be 0 only by coincidence; then one decay is skipped). */
        volatile long unejectedAt;
        volatile long ejections;

        Monitor(LbEndpoint endpoint) {
            this.endpoint = endpoint;
        }
    }
}
