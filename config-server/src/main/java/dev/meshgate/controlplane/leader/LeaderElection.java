package dev.meshgate.controlplane.leader;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.kubernetes.client.extended.leaderelection.LeaderElector;
import io.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.kubernetes.client.openapi.ApiClient;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's part in the election of one leader through a coordination.k8s.io/v1 Lease, with the official
 * client's {@link LeaderElector} and {@link LeaseLock}. Runs on a thread of its own: candidates try to acquire the
 * Lease every retry period; the leader renews it, and stops leading when it cannot renew within the renew deadline.
 * A replica that lost the lease becomes a candidate again (istiod's election loop). Closing a leader gives the
 * Lease up, so that another replica takes over within a retry period rather than a lease duration.
 */
public final class LeaderElection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

    private final LeaderElector elector;
    private final String identity;
    private final String lease;
    private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private @Nullable Thread thread;
    private volatile boolean closed;
    private volatile boolean leader;
    /** Each run of the elector is a term; a start hook of a term that already ended is ignored. */
    private long term;
    private long endedTerm;

    public LeaderElection(ApiClient client, LeaderElectionProperties properties) {
        this.identity = properties.holderIdentity();
        this.lease = properties.leaseNamespace() + "/" + properties.leaseName();
        LeaseLock leaseLock = new LeaseLock(properties.leaseNamespace(), properties.leaseName(), identity, client);
        this.elector = new LeaderElector(new LeaderElectionConfig(leaseLock, properties.leaseDuration(),
                properties.renewDeadline(), properties.retryPeriod()),
                error -> log.warn("Lease {}: acquiring or renewing failed: {}", lease, error.toString()));
    }

    /** Starts campaigning on a thread of its own; returns at once. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started: " + lease);
        }
        Thread t = new Thread(this::campaign, "meshgate-leader-election");
        t.setDaemon(true);
        thread = t;
        t.start();
        log.info("leader election on Lease {} as {}", lease, identity);
    }

    private void campaign() {
        while (!closed && !Thread.currentThread().isInterrupted()) {
            long current;
            synchronized (lock) {
                current = ++term;
            }
            elector.run(() -> started(current), () -> stopped(current));
        }
    }

    private void started(long current) {
        synchronized (lock) {
            if (closed || current <= endedTerm || current != term) {
                return;
            }
            leader = true;
        }
        log.info("leading: this replica ({}) holds Lease {}", identity, lease);
        listeners.forEach(listener -> listener.accept(true));
    }

    private void stopped(long current) {
        boolean was;
        synchronized (lock) {
            endedTerm = Math.max(endedTerm, current);
            was = leader;
            leader = false;
        }
        if (was) {
            log.info("no longer leading: this replica ({}) lost Lease {}", identity, lease);
            listeners.forEach(listener -> listener.accept(false));
        }
    }

    /** Whether this replica holds the Lease now. */
    public boolean isLeader() {
        return leader;
    }

    public String identity() {
        return identity;
    }

    /** {@code namespace/name} of the Lease. */
    public String lease() {
        return lease;
    }

    /** Told {@code true} when this replica starts leading and {@code false} when it stops, on the elector's threads. */
    public void addListener(Consumer<Boolean> listener) {
        listeners.add(listener);
    }

    /** Stops campaigning; a leader stops leading and gives the Lease up. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        stopped(Long.MAX_VALUE);
        try {
            elector.close();
        } catch (RuntimeException e) {
            log.debug("closing the leader elector of {}", lease, e);
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
