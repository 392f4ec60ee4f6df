package dev.meshgate.proxy.upstream;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

import dev.meshgate.proxy.cluster.ClusterConnectionPool;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;
import dev.meshgate.proxy.loadbalancer.PreviousPriorities;
import dev.meshgate.proxy.stream.StreamInfo;

/**
 * The tries of one upstream call (a request or a WebSocket upgrade) and what the current one holds. Where earlier
 * tries went steers the next choice: the endpoints, when retries avoid previous hosts, and the priority levels, when
 * they avoid previous localities. The current try holds its endpoint's in-flight count, an admission to the
 * cluster's pool and possibly a retry permit ({@code maxRetries}); {@link #end()} gives them back once, whichever of
 * an answer, a failure, a timeout or a cancellation comes first (hence the locking).
 */
final class Tries {

    private final ClusterRuntime cluster;
    private final ClusterConnectionPool pool;
    private final StreamInfo info;
    private int count;
    /** The endpoints of the tries before the current one, when retries avoid them; made by the second try. */
    private @Nullable List<LbEndpoint> tried;
    /** The first try's endpoint, kept for the list above: most requests have no second try. */
    private @Nullable LbEndpoint firstTried;
    private @Nullable PreviousPriorities priorities;

    private @Nullable LbEndpoint endpoint;
    private boolean admitted;
    private boolean holdsRetry;

    Tries(ClusterRuntime cluster, StreamInfo info) {
        this.cluster = cluster;
        this.pool = cluster.pool();
        this.info = info;
    }

    /**
     * Starts a try the pool has admitted: chooses its endpoint and counts the try against it. Null when the load
     * balancer has none (the admission is still held until {@link #end()}).
     */
    synchronized @Nullable LbEndpoint start(ServerWebExchange exchange, @Nullable RetryPolicy retry) {
        admitted = true;
        LbEndpoint chosen = cluster.choose(exchange, firstTried == null ? List.of() : tried(), priorities);
        if (chosen == null) {
            return null;
        }
        endpoint = chosen;
        count++;
        chosen.requestStarted();
        info.tryStarted(chosen);
        if (retry != null && retry.remoteLocalities()) {
            if (priorities == null) {
                priorities = PreviousPriorities.istio();
            }
            priorities.attempted(chosen);
        }
        if (retry != null && retry.ignorePreviousHosts()) {
            // Only a route whose retries avoid previous endpoints needs to remember where its tries went.
            if (firstTried == null) {
                firstTried = chosen;
            } else {
                tried().add(chosen);
            }
        }
        return chosen;
    }

    private List<LbEndpoint> tried() {
        List<LbEndpoint> list = tried;
        if (list == null) {
            list = new ArrayList<>(2);
            LbEndpoint first = firstTried;
            if (first != null) {
                list.add(first);
            }
            tried = list;
        }
        return list;
    }

    /** Tries started so far, 1 for the first. */
    synchronized int count() {
        return count;
    }

    /** The current try's endpoint, or null between tries. */
    synchronized @Nullable LbEndpoint endpoint() {
        return endpoint;
    }

    /** The current try holds a retry permit of the cluster's {@code maxRetries}. */
    synchronized void holdRetry() {
        holdsRetry = true;
    }

    /** Gives the current try's retry permit back early (a WebSocket's covers the upgrade, not the connection). */
    synchronized void releaseRetry() {
        if (holdsRetry) {
            holdsRetry = false;
            pool.retryDone();
        }
    }

    /** Ends the current try: endpoint in-flight count, pool admission and retry permit. Idempotent. */
    synchronized void end() {
        LbEndpoint ep = endpoint;
        if (ep != null) {
            endpoint = null;
            ep.requestCompleted();
        }
        if (admitted) {
            admitted = false;
            pool.release();
        }
        releaseRetry();
    }
}
