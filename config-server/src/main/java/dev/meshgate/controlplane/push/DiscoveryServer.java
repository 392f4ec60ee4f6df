package dev.meshgate.controlplane.push;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.meshgate.controlplane.monitoring.ControlPlaneMetrics;
import dev.meshgate.controlplane.snapshot.Snapshot;
import dev.meshgate.controlplane.snapshot.SnapshotHolder;
import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.discovery.Delta;
import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.DiscoveryMessage;
import dev.meshgate.core.discovery.Hello;
import dev.meshgate.core.discovery.Nack;
import dev.meshgate.core.discovery.TrustBundle;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.ProxyViewCheck;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Knows every proxy and pushes each its view (istiod's DiscoveryServer): on hello it computes the proxy's
 * view and pushes it at once; on every new snapshot it recomputes the view of every connected proxy and
 * pushes those whose version differs from what it last sent, unless {@link ProxyViewCheck} finds that a proxy
 * would refuse it. ACKs and NACKs update each proxy's state. A proxy that takes deltas and has ACKed a view is
 * sent a {@link Delta} from it (Istio's incremental xDS), computed and encoded once per pair of views.
 *
 * <p>All of that runs on one dedicated thread: translation is CPU work that must stay off the event loop,
 * and one thread makes every proxy's state changes sequential without locks. Readers on other threads see
 * immutable {@link ProxyState} records.
 */
public final class DiscoveryServer implements AutoCloseable {

    /** How long a disconnected proxy stays listed (unless it reconnects). */
    public static final Duration DISCONNECTED_RETENTION = Duration.ofMinutes(5);

    private static final Logger log = LoggerFactory.getLogger(DiscoveryServer.class);

    private final SnapshotHolder snapshots;
    private final Clock clock;
    private final Scheduler pushThread = Schedulers.newSingle("meshgate-push", true);
    private final Map<String, ProxyState> proxies = new ConcurrentHashMap<>();
    private final AtomicBoolean recomputeQueued = new AtomicBoolean();
    /** {@link System#nanoTime()} of the first snapshot the queued recompute covers: its changes' age. */
    private final AtomicLong queuedSince = new AtomicLong();
    private final ControlPlaneMetrics metrics;
    private final Disposable pruning;
    /**
     * The views of {@link #checkedFor}, each checked and encoded once for all the proxies sharing it (the replicas
     * of a workload get one view object, {@link Snapshot#of}); push thread only.
     */
    private final Map<ProxyView, CheckedView> checked = new IdentityHashMap<>();
    private @Nullable Snapshot checkedFor;
    /** The checks of the last two snapshots' views by virtual host: a view checks its changed parts only. */
    private final ProxyViewCheck.Memo checks = new ProxyViewCheck.Memo();
    /** Where the push thread's time for the current snapshot goes, logged once its last push is ACKed. */
    private @Nullable PushTimes pushTimes;

    public DiscoveryServer(SnapshotHolder snapshots, Clock clock) {
        this(snapshots, clock, ControlPlaneMetrics.unregistered());
    }

    public DiscoveryServer(SnapshotHolder snapshots, Clock clock, ControlPlaneMetrics metrics) {
        this.snapshots = snapshots;
        this.clock = clock;
        this.metrics = metrics;
        metrics.connectedProxies(this::connectedCount);
        snapshots.addListener(snapshot -> {
            // Snapshots published while a recompute waits are covered by it: it reads the latest one.
            long now = System.nanoTime();
            if (recomputeQueued.compareAndSet(false, true)) {
                queuedSince.set(now);
                onPushThread("push", this::pushAll);
            }
        });
        pruning = pushThread.schedulePeriodically(() -> guarded("prune", this::pruneDisconnected), 1, 1,
                TimeUnit.MINUTES);
    }

    /** Every proxy known, connected or recently disconnected, by id. */
    public List<ProxyState> proxies() {
        // by the map's keys, which are the ids: ProxyState.id() builds a string, and a sort calls it n log n times
        return proxies.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(Map.Entry::getValue).toList();
    }

    /** How many proxies are connected now. */
    public int connectedCount() {
        int connected = 0;
        for (ProxyState state : proxies.values()) {
            if (state.connected()) {
                connected++;
            }
        }
        return connected;
    }

    public @Nullable ProxyState proxy(String id) {
        return proxies.get(id);
    }

    /**
     * The CA's trust bundle is now {@code bundle} (a root rotation): every connected proxy is told at once, so that
     * none waits for its next poll of the bundle. A proxy that connects later has the bundle from its CSR's answer,
     * or reads it at its next poll.
     */
    public void announce(TrustBundle bundle) {
        ByteBuffer frame = ByteBuffer.wrap(DiscoveryCodec.encodeUtf8(bundle)).asReadOnlyBuffer();
        onPushThread("trust bundle", () -> {
            int told = 0;
            for (ProxyState state : proxies.values()) {
                if (state.connection() != null) {
                    state.connection().sendNotice(frame);
                    told++;
                }
            }
            log.info("trust bundle {} announced to {} proxies", bundle.version(), told);
        });
    }

    /** A frame arrived on a connection; handled in arrival order on the push thread. */
    void onFrame(ProxyConnection connection, String text) {
        onPushThread("frame", () -> handleFrame(connection, text));
    }

    /** The connection ended (either side closed it, or it broke). */
    void onClosed(ProxyConnection connection) {
        onPushThread("close", () -> handleClosed(connection));
    }

    /**
     * Closes every proxy's connection (the proxies keep serving and reconnect with backoff). Called before the
     * web server's graceful shutdown, which would otherwise wait its whole timeout for these never-ending
     * requests.
     */
    public void closeConnections(Duration timeout) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        pushThread.schedule(() -> {
            for (ProxyState state : proxies.values()) {
                if (state.connection() != null) {
                    state.connection().goAway("control plane shutting down");
                }
            }
            done.complete(null);
        });
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("closing the proxies' connections did not finish in {} ms", timeout.toMillis());
        }
    }

    @Override
    public void close() {
        pruning.dispose();
        pushThread.dispose();
    }

    private void onPushThread(String what, Runnable task) {
        try {
            pushThread.schedule(() -> guarded(what, task));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("{} dropped: shutting down", what);
        }
    }

    /** A bug in one task must not end the push thread, which every proxy depends on. */
    private static void guarded(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("{} failed", what, e);
        }
    }

    private void handleFrame(ProxyConnection connection, String text) {
        long received = System.nanoTime();
        DiscoveryMessage message;
        try {
            message = DiscoveryCodec.decode(text);
        } catch (IllegalArgumentException e) {
            log.warn("{} from {}: ignored a bad frame: {}", connection, connection.remote(), e.getMessage());
            return;
        }
        String id = connection.proxyId();
        if (message instanceof Hello hello) {
            if (id != null) {
                log.warn("{}: ignored a second hello", connection);
            } else {
                handleHello(connection, hello);
            }
        } else if (message instanceof Ack ack) {
            ProxyState state = stateOf(connection, "ack");
            if (state != null) {
                ProxyState acked = state.withAck(ack.version());
                proxies.put(state.id(), acked);
                log.debug("proxy {} acked {}", state.id(), ack.version());
                PushTimes times = pushTimes;
                if (times != null && times.acked(state, acked, received)) {
                    pushTimes = null;
                    log.info("push snapshot={}: all {} proxies pushed acked {} ms after its publication; {}",
                            times.snapshot, times.pushed, TimeUnit.NANOSECONDS.toMillis(System.nanoTime()
                                    - times.publishedAt), times);
                }
            }
        } else if (message instanceof Nack nack && nack.resync()) {
            ProxyState state = stateOf(connection, "nack");
            if (state != null) {
                resync(state, nack);
            }
        } else if (message instanceof Nack nack) {
            ProxyState state = stateOf(connection, "nack");
            if (state != null) {
                proxies.put(state.id(), state.withNack(new ProxyState.LastNack(nack.version(), nack.reason(),
                        clock.instant())));
                metrics.rejected();
                log.warn("proxy {} rejected view {}: {}", state.id(), nack.version(), nack.reason());
            }
        } else {
            log.warn("{}: ignored a {} frame (only the control plane pushes)", connection,
                    message.getClass().getSimpleName());
        }
    }

    private void handleHello(ProxyConnection connection, Hello hello) {
        ProxyIdentity identity = normalized(hello.proxy());
        if (identity == null) {
            log.warn("{} from {}: closed: a hello needs proxy.name and proxy.kind", connection, connection.remote());
            connection.reject("a hello needs proxy.name and proxy.kind");
            return;
        }
        SpiffeId peer = connection.peer();
        if (peer != null) {
            // Over TLS the certificate says who the proxy is; a hello claiming someone else is refused.
            String serviceAccount = identity.serviceAccount() == null ? "default" : identity.serviceAccount();
            if (!peer.namespace().equals(identity.namespace()) || !peer.serviceAccount().equals(serviceAccount)) {
                String reason = "hello claims namespace " + identity.namespace() + " and service account "
                        + serviceAccount + " but the certificate is " + peer.uri();
                log.warn("{} from {}: closed: {}", connection, connection.remote(), reason);
                connection.reject(reason);
                return;
            }
        }
        String id = identity.id();
        connection.proxyId(id);
        connection.adminAddress(hello.adminAddress());
        connection.deltas(hello.deltas());
        ProxyState previous = proxies.get(id);
        if (previous != null && previous.connection() != null && previous.connection() != connection) {
            log.info("proxy {} reconnected; closing its older {}", id, previous.connection());
            previous.connection().close("replaced by a newer connection of " + id);
        }
        // A new connection starts a new conversation: what the proxy serves is what it says in its hello.
        ProxyState state = new ProxyState(identity, connection, null, hello.appliedVersion(), null, null,
                previous == null ? null : previous.view(), null, null);
        proxies.put(id, state);
        log.info("proxy {} connected from {} (kind={} labels={} applied={} deltas={}{})", id, connection.remote(),
                identity.kind(), identity.labels(), hello.appliedVersion(), hello.deltas(),
                peer == null ? ", plaintext" : ", TLS as " + peer.uri());
        Snapshot snapshot = snapshots.current();
        if (snapshot != null) {
            push(state, snapshot, System.nanoTime(), null);
        }
    }

    /** The identity with Jackson's nulls for absent fields resolved (namespace: default), or null if unusable. */
    @SuppressWarnings("ConstantConditions") // the JSON may lack fields the record declares non-null
    private static @Nullable ProxyIdentity normalized(@Nullable ProxyIdentity identity) {
        if (identity == null || identity.name() == null || identity.name().isBlank() || identity.kind() == null) {
            return null;
        }
        if (identity.namespace() == null || identity.namespace().isBlank()) {
            return new ProxyIdentity(identity.name(), "default", identity.kind(), identity.labels(),
                    identity.serviceAccount(), identity.locality());
        }
        return identity;
    }

    private void handleClosed(ProxyConnection connection) {
        connection.complete();
        String id = connection.proxyId();
        if (id == null) {
            return;
        }
        ProxyState state = proxies.get(id);
        if (state != null && state.connection() == connection) {
            proxies.put(id, state.withConnection(null, clock.instant()));
            log.info("proxy {} disconnected", id);
        }
    }

    private void pushAll() {
        long since = queuedSince.get();
        recomputeQueued.set(false);
        Snapshot snapshot = snapshots.current();
        if (snapshot == null) {
            return;
        }
        long start = System.nanoTime();
        PushTimes times = new PushTimes(snapshot.version(), since);
        int connected = 0;
        int pushed = 0;
        int deltas = 0;
        for (ProxyState state : proxies.values()) {
            if (state.connection() != null) {
                connected++;
                Sent sent = push(state, snapshot, since, times);
                if (sent != Sent.NOTHING) {
                    pushed++;
                }
                if (sent == Sent.DELTA) {
                    deltas++;
                }
            }
        }
        times.pushed(pushed);
        pushTimes = pushed == 0 ? null : times;
        log.info("push snapshot={} proxies={} pushed={} deltas={} in {} ms ({} ms after its publication; {})",
                snapshot.version(), connected, pushed, deltas, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                TimeUnit.NANOSECONDS.toMillis(start - since), times.loop());
    }

    /** What a push sent. */
    private enum Sent { NOTHING, VIEW, DELTA }

    /**
     * Computes the proxy's view of the snapshot and pushes it if it differs from what was last sent: as a delta
     * from the view it will serve once it has read what was sent before ({@link ProxyState#deltaBase()}), or whole.
     *
     * @param changedAt {@link System#nanoTime()} of the change that brings the push: the snapshot's publication,
     *     or the proxy's hello
     */
    private Sent push(ProxyState state, Snapshot snapshot, long changedAt, @Nullable PushTimes times) {
        long start = System.nanoTime();
        ProxyView view;
        try {
            view = snapshot.views().apply(state.identity());
            if (times != null) {
                times.translated(start);
            }
        } catch (RuntimeException e) {
            // Translation is pure and total: an exception is a bug. This proxy keeps its last view; the others
            // still get theirs.
            log.error("computing the view of proxy {} for snapshot {} failed; it keeps its last view", state.id(),
                    snapshot.version(), e);
            return Sent.NOTHING;
        }
        if (checkedFor != snapshot) {
            checked.clear();
            checkedFor = snapshot;
            checks.nextGeneration();
        }
        long checkStart = System.nanoTime();
        CheckedView checkedView = checked.computeIfAbsent(view, v -> new CheckedView(v, checks));
        if (times != null) {
            times.checked(checkStart);
        }
        List<ProxyViewCheck.Problem> problems = checkedView.problems();
        if (!problems.isEmpty()) {
            // Every proxy would NACK it: validation should have left the offending resource out. Not pushed; the
            // proxy keeps serving the view it has.
            log.warn("view {} of proxy {} for snapshot {} not pushed: a proxy would refuse it: {}", view.version(),
                    state.id(), snapshot.version(), problems.get(0).format()
                            + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
            metrics.refused();
            return Sent.NOTHING;
        }
        boolean changed = !view.version().equals(state.sentVersion());
        ProxyConnection connection = state.connection();
        Sent what = Sent.NOTHING;
        if (changed && connection != null) {
            long encodeStart = System.nanoTime();
            ProxyView base = state.deltaBase();
            ByteBuffer frame = base == null ? null : checkedView.deltaFrame(base);
            ByteBuffer message = frame == null ? checkedView.frame() : frame;
            long sendStart = System.nanoTime();
            what = frame == null ? Sent.VIEW : Sent.DELTA;
            connection.send(message);
            long sent = System.nanoTime();
            metrics.pushed(sent - start, sent - changedAt);
            if (times != null) {
                times.encoded(encodeStart, sendStart, sent);
            }
        }
        long recordStart = System.nanoTime();
        proxies.put(state.id(), state.withView(view, changed ? view.version() : state.sentVersion()));
        if (times != null) {
            times.recorded(recordStart);
        }
        return what;
    }

    /**
     * The proxy could not apply a delta to the view it serves (a frame before it was dropped, or it refused one):
     * it gets the whole view it was last sent, and whole views until it ACKs one.
     */
    private void resync(ProxyState state, Nack nack) {
        ProxyState reset = state.withoutDeltaBase();
        proxies.put(state.id(), reset);
        ProxyView view = state.view();
        ProxyConnection connection = state.connection();
        log.info("proxy {} could not apply the delta to view {} ({}); pushing the whole view", state.id(),
                nack.version(), nack.reason());
        if (view != null && connection != null && view.version().equals(nack.version())) {
            CheckedView checkedView = checked.get(view);
            connection.send(checkedView != null ? checkedView.frame() : CheckedView.encode(view));
        }
    }

    private @Nullable ProxyState stateOf(ProxyConnection connection, String frame) {
        String id = connection.proxyId();
        ProxyState state = id == null ? null : proxies.get(id);
        if (state == null || state.connection() != connection) {
            log.warn("{}: ignored {} (no hello on this connection, or it was replaced)", connection, frame);
            return null;
        }
        return state;
    }

    private void pruneDisconnected() {
        pruneDisconnected(clock.instant());
    }

    /** Forgets the proxies disconnected for longer than {@link #DISCONNECTED_RETENTION} at {@code now}. */
    void pruneDisconnected(Instant now) {
        Instant cutoff = now.minus(DISCONNECTED_RETENTION);
        proxies.values().removeIf(state -> state.disconnectedAt() != null && state.disconnectedAt().isBefore(cutoff));
    }
}
