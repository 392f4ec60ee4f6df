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
 */
public record ProxyState(ProxyIdentity identity, @Nullable ProxyConnection connection, @Nullable String sentVersion,
        @Nullable String ackedVersion, @Nullable String snapshotVersion, @Nullable LastNack lastNack,
        @Nullable ProxyView view, @Nullable Instant disconnectedAt) {

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
        return new ProxyState(identity, newConnection, sentVersion, ackedVersion, snapshotVersion, lastNack, view, at);
    }

    ProxyState withView(ProxyView newView, String newSentVersion) {
        return new ProxyState(identity, connection, newSentVersion, ackedVersion, newView.snapshotVersion(), lastNack,
                newView, disconnectedAt);
    }

    ProxyState withAck(String version) {
        return new ProxyState(identity, connection, sentVersion, version, snapshotVersion, lastNack, view,
                disconnectedAt);
    }

    ProxyState withNack(LastNack nack) {
        return new ProxyState(identity, connection, sentVersion, ackedVersion, snapshotVersion, nack, view,
                disconnectedAt);
    }
}
