package dev.meshgate.controlplane.push;

import java.time.Instant;

import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyView;

import org.jspecify.annotations.Nullable;

/**
 * What the control plane knows of one proxy at one moment; replaced whole on every change so that readers on
 * other threads (the debug endpoints) always see a consistent record.
 *
 * @param identity as the proxy said in its hello
 * @param connection its live connection, null once disconnected
 * @param sentVersion the view version last pushed to it (over any connection), null before the first push
 * @param ackedVersion the view version it last ACKed (or said it serves, in its hello)
 * @param snapshotVersion the snapshot of the view last computed for it
 * @param lastNack its last NACK, null if none since it connected
 * @param view the view last computed for it
 * @param disconnectedAt when its connection ended, null while connected
 * @param ackedView the view it ACKed last on its current connection, the base of the deltas it is sent; null before
 *     its first ACK, and again once it could not apply a delta (it is then pushed whole views until it ACKs one)
 */
public record ProxyState(ProxyIdentity identity, @Nullable ProxyConnection connection, @Nullable String sentVersion,
        @Nullable String ackedVersion, @Nullable String snapshotVersion, @Nullable LastNack lastNack,
        @Nullable ProxyView view, @Nullable Instant disconnectedAt, @Nullable ProxyView ackedView) {

    /** Whether the proxy serves what it was last sent. */
    public enum Status {
        /** It ACKed the version it was last sent. */
        SYNCED,
        /** It has not answered the last push yet (or was never pushed one). */
        STALE,
        /** It rejected the version it was last sent, and serves an older one. */
        NACKED
    }

    /** A rejected push: the version, the proxy's reason, and when it came. */
    public record LastNack(String version, String reason, Instant at) {
    }

    public String id() {
        return identity.id();
    }

    public boolean connected() {
        return connection != null;
    }

    /** The admin {@code host:port} the connected proxy announced in its hello, or null. */
    public @Nullable String adminAddress() {
        ProxyConnection c = connection;
        return c == null ? null : c.adminAddress();
    }

    public Status status() {
        if (sentVersion == null) {
            return Status.STALE;
        }
        if (sentVersion.equals(ackedVersion)) {
            return Status.SYNCED;
        }
        if (lastNack != null && sentVersion.equals(lastNack.version())) {
            return Status.NACKED;
        }
        return Status.STALE;
    }

    ProxyState withConnection(@Nullable ProxyConnection newConnection, @Nullable Instant at) {
        return new ProxyState(identity, newConnection, sentVersion, ackedVersion, snapshotVersion, lastNack, view, at,
                newConnection == connection ? ackedView : null);
    }

    ProxyState withView(ProxyView newView, String newSentVersion) {
        return new ProxyState(identity, connection, newSentVersion, ackedVersion, newView.snapshotVersion(), lastNack,
                newView, disconnectedAt, ackedView);
    }

    /**
     * It ACKed {@code version}: the view last sent to it when that is the version; an ACK of an earlier push (the
     * last one still on its way) leaves the base as it was, and a wrong guess costs one resync.
     */
    ProxyState withAck(String version) {
        ProxyView acked = view != null && version.equals(view.version()) ? view : ackedView;
        return new ProxyState(identity, connection, sentVersion, version, snapshotVersion, lastNack, view,
                disconnectedAt, acked);
    }

    ProxyState withNack(LastNack nack) {
        return new ProxyState(identity, connection, sentVersion, ackedVersion, snapshotVersion, nack, view,
                disconnectedAt, ackedView);
    }

    /** It could not apply a delta: whole views until it ACKs one. */
    ProxyState withoutDeltaBase() {
        return new ProxyState(identity, connection, sentVersion, ackedVersion, snapshotVersion, lastNack, view,
                disconnectedAt, null);
    }

    /**
     * The view the proxy will serve once it has read every frame sent to it, when it takes deltas and that view is
     * known: the last view sent, unless it refused that one (then the one it ACKed); null for a whole view.
     */
    @Nullable ProxyView deltaBase() {
        if (ackedView == null || connection == null || !connection.deltas() || view == null) {
            return null;
        }
        boolean refusedLast = lastNack != null && lastNack.version().equals(sentVersion);
        return refusedLast ? ackedView : view;
    }
}
